import { EntityManager } from 'typeorm';
import { QueueName } from './queues';

export interface OutboxMessage {
  queue: QueueName;
  jobName: string;
  /** Ids and the facts of the moment (e.g. "newly conflicting"); the worker loads the rest. */
  payload: Record<string, unknown>;
  correlationId?: string;
  /** Run the job no earlier than this (a timer); a time already past runs it at once. */
  runAt?: Date;
}

/**
 * The one way to ask for background work: a row written in the caller's transaction. The relay
 * moves it to BullMQ after commit, so work is never lost nor enqueued for a rolled-back change.
 */
export async function enqueueInOutbox(
  manager: EntityManager,
  messages: OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const values: unknown[] = [];
  const rows = messages.map((message, index) => {
    values.push(
      message.queue,
      message.jobName,
      JSON.stringify(message.payload),
      message.correlationId ?? null,
      message.runAt ?? null,
    );
    const base = index * 5;
    return `($${base + 1}, $${base + 2}, $${base + 3}::jsonb, $${base + 4}, $${base + 5})`;
  });
  await manager.query(
    `INSERT INTO outbox (queue, job_name, payload, correlation_id, run_at) VALUES ${rows.join(', ')}`,
    values,
  );
}
