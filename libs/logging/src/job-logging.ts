import { performance } from 'node:perf_hooks';
import { UnrecoverableError } from 'bullmq';
import { LogContext, runWithLogContext } from './context';
import { getLogger } from './logger';
import { isSafeRequestId } from './request-id';

interface JobIds {
  requestId?: unknown;
  correlationId?: unknown;
}

const distinct = <T>(values: T[]): T[] => [...new Set(values)];

/** What runLoggedJob reads of a BullMQ job. */
export interface JobLike {
  id?: string;
  name: string;
  queueName: string;
  data: unknown;
  attemptsMade: number;
  opts: { attempts?: number };
}

/**
 * Runs one job in its log context — the request id and correlation id the outbox relay put in
 * the job data, the queue, the job name and id — so that every line logged while it runs, and
 * every outbox row it writes, carries them; then writes one line for the job: queue, job name,
 * id, attempt, duration and outcome (`completed`, `retrying` or `failed`, with the error).
 * A batch job's line also lists the request and correlation ids of its items; its context has
 * the one they share, if they do.
 */
export async function runLoggedJob<T>(job: JobLike, work: () => Promise<T>): Promise<T> {
  const data = (job.data ?? {}) as JobIds & { items?: unknown };
  // A batch job (the relay groups some outbox rows, see BATCHED_JOBS): the ids of its items.
  const batch = Array.isArray(data.items) ? (data.items as JobIds[]) : undefined;
  const requestIds = distinct((batch ?? [data]).map((item) => item.requestId)).filter(
    isSafeRequestId,
  );
  const correlationIds = distinct((batch ?? [data]).map((item) => item.correlationId)).filter(
    (id): id is string => typeof id === 'string',
  );
  const context: LogContext = {
    requestId: requestIds.length === 1 ? requestIds[0] : undefined,
    correlationId: correlationIds.length === 1 ? correlationIds[0] : undefined,
    queue: job.queueName,
    jobName: job.name,
    jobId: job.id,
  };
  const attempt = job.attemptsMade + 1;
  const started = performance.now();
  const line = (outcome: string) => ({
    event: 'job',
    ...(batch ? { items: batch.length, requestIds, correlationIds } : {}),
    attempt,
    outcome,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
  });
  return runWithLogContext(context, async () => {
    try {
      const result = await work();
      getLogger().info(line('completed'), `${job.queueName} ${job.name} completed`);
      return result;
    } catch (error) {
      const final = error instanceof UnrecoverableError || attempt >= (job.opts.attempts ?? 1);
      const outcome = final ? 'failed' : 'retrying';
      getLogger()[final ? 'error' : 'warn'](
        { ...line(outcome), err: error },
        `${job.queueName} ${job.name} ${outcome} (attempt ${attempt})`,
      );
      throw error;
    }
  });
}

/**
 * On a processor's `process` method: runs every job through runLoggedJob. One decorator per
 * processor instead of a log call in each handler.
 */
export function LoggedJob(): MethodDecorator {
  return (_target, _key, descriptor: PropertyDescriptor) => {
    const process = descriptor.value as (job: JobLike, ...rest: unknown[]) => Promise<unknown>;
    descriptor.value = function (this: unknown, job: JobLike, ...rest: unknown[]) {
      return runLoggedJob(job, () => process.call(this, job, ...rest));
    };
  };
}
