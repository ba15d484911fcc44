import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { currentRequestId } from '@hns/logging';
import { NudgeThrottle } from './nudge-throttle';
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
  for (let i = 0; i < messages.length; i += OUTBOX_ROWS_PER_STATEMENT) {
    const insert = outboxInsert(messages.slice(i, i + OUTBOX_ROWS_PER_STATEMENT));
    await manager.query(insert.sql, insert.values);
  }
  outboxWritten(manager);
}

/** Five parameters a row, and a statement takes at most 65,535 (a zone re-check batch's work). */
const OUTBOX_ROWS_PER_STATEMENT = 2000;

/** The INSERT of enqueueInOutbox as SQL and parameters. */
function outboxInsert(messages: OutboxMessage[]): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const rows = outboxRecords(messages).map((record, index) => {
    values.push(
      record.queue,
      record.job_name,
      JSON.stringify(record.payload),
      record.correlation_id,
      record.run_at,
    );
    const base = index * 5;
    return `($${base + 1}, $${base + 2}, $${base + 3}::jsonb, $${base + 4}, $${base + 5}::timestamptz)`;
  });
  return {
    sql: `INSERT INTO outbox (queue, job_name, payload, correlation_id, run_at) VALUES ${rows.join(', ')}`,
    values,
  };
}

/** An outbox row's columns, for a statement that reads its rows from JSON (outboxInsertFromJson). */
export interface OutboxRecord {
  queue: QueueName;
  job_name: string;
  payload: Record<string, unknown>;
  correlation_id: string | null;
  run_at: Date | null;
}

/**
 * The outbox rows of `messages`, each payload with the id of the request that asked for the work
 * (for the logs, see @hns/logging): call it in that request's context.
 */
export function outboxRecords(messages: OutboxMessage[]): OutboxRecord[] {
  return messages.map((message) => ({
    queue: message.queue,
    job_name: message.jobName,
    payload: withRequestId(message.payload),
    correlation_id: message.correlationId ?? null,
    run_at: message.runAt ?? null,
  }));
}

/**
 * An INSERT of outbox rows held in JSON, for a statement that writes its outbox rows with its
 * change (a data-modifying CTE): for each row of `from`, the JSON array of OutboxRecord given by
 * `records` (an SQL expression), inserted in the order `orderBy` then the array's. The caller
 * must call outboxWritten(manager) once the statement has run.
 */
export function outboxInsertFromJson(options: {
  from: string;
  records: string;
  orderBy: string;
}): string {
  return `INSERT INTO outbox (queue, job_name, payload, correlation_id, run_at)
    SELECT o.r->>'queue', o.r->>'job_name', o.r->'payload', o.r->>'correlation_id',
           (o.r->>'run_at')::timestamptz
    FROM ${options.from} CROSS JOIN LATERAL jsonb_array_elements(${options.records})
      WITH ORDINALITY AS o(r, k)
    ORDER BY ${options.orderBy}, o.k`;
}

const OUTBOX_WRITTEN = 'hns.outboxWritten';
/**
 * Nudges over Redis: at most one every this many ms per process. Under a stream of submissions
 * the relay is already at work (a nudge only wakes an idle relay); a lone submission after a
 * quiet moment is nudged at once.
 */
export const NUDGE_INTERVAL_MS = 20;
/** The signal of each data source (the API's, the worker's; both in one process in the tests). */
const signals = new WeakMap<DataSource, OutboxSignal>();

/**
 * Outbox rows were written through `manager`: the relay is nudged once its transaction commits,
 * or at once when there is none (an autocommitted statement has committed when it returns).
 */
export function outboxWritten(manager: EntityManager): void {
  const runner = manager.queryRunner;
  if (runner?.isTransactionActive) runner.data[OUTBOX_WRITTEN] = true;
  else signals.get(manager.connection)?.nudge();
}

/** The Redis pub/sub channel that nudges the relay. Pub/sub ignores Redis database numbers. */
export function outboxChannel(config: Pick<AppConfig, 'REDIS_URL' | 'QUEUE_PREFIX'>): string {
  const db = new URL(config.REDIS_URL).pathname.replace(/^\//, '') || '0';
  return `${config.QUEUE_PREFIX}:${db}:outbox-ready`;
}

/**
 * Tells the relay that outbox rows were committed, so it moves them at once instead of at its
 * next poll. No NOTIFY in the writing transaction (PostgreSQL serialises the commits of
 * transactions that notify): an in-process call to a relay in the same application (the
 * worker), else a Redis message published after commit, at most one in flight per process and
 * at most one every NUDGE_INTERVAL_MS (nudges in between are folded into the next, published after
 * them: NudgeThrottle). Best effort: a lost nudge only delays the work until the relay polls.
 */
@Injectable()
export class OutboxSignal
  implements EntitySubscriberInterface, OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger(OutboxSignal.name);
  private readonly listeners = new Set<() => void>();
  private redis?: Redis;
  private readonly publisher = new NudgeThrottle(NUDGE_INTERVAL_MS, () => this.publish());

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.db.subscribers.push(this);
    signals.set(this.db, this);
    // No offline queue: while Redis is away a nudge fails at once instead of piling up.
    this.redis = new Redis(this.config.REDIS_URL, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: 'hns-outbox-signal',
    });
    this.redis.on('error', () => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    if (signals.get(this.db) === this) signals.delete(this.db);
    const redis = this.redis;
    this.redis = undefined;
    await redis?.quit().catch(() => redis.disconnect());
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!event.queryRunner.data[OUTBOX_WRITTEN]) return;
    delete event.queryRunner.data[OUTBOX_WRITTEN];
    this.nudge();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    delete event.queryRunner.data[OUTBOX_WRITTEN];
  }

  /** A relay in this application, called directly; returns the unsubscribe function. */
  onNudge(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  nudge(): void {
    // A relay in this process (the worker's own outbox rows) is enough: any relay moves any row.
    if (this.listeners.size > 0) {
      for (const listener of this.listeners) listener();
      return;
    }
    this.publisher.trigger();
  }

  private async publish(): Promise<void> {
    try {
      await this.redis?.publish(outboxChannel(this.config), '1');
    } catch (error) {
      this.logger.debug(`outbox nudge not published (${String(error)}); the relay polls`);
    }
  }
}

/** The payload with the id of the HTTP request (or job) being handled, when there is one. */
function withRequestId(payload: Record<string, unknown>): Record<string, unknown> {
  const requestId = currentRequestId();
  return requestId ? { requestId, ...payload } : payload;
}
