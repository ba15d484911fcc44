import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What every log line written while handling one HTTP request or one job carries: the request id
 * (from the `X-Request-Id` header, or generated) and, in a job, the movement (or zone) the work is
 * about and the job's identity. Set by the HTTP hooks and by @LoggedJob; read by the logger's
 * mixin and by enqueueInOutbox, which stores the request id with the work it asks for.
 */
export interface LogContext {
  requestId?: string;
  /** The movement (or zone) id the outbox row was written for. */
  correlationId?: string;
  queue?: string;
  jobName?: string;
  jobId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `work` (and everything it starts asynchronously) with `context`. */
export function runWithLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

/** The context of the request or job being handled, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** The id of the HTTP request that caused the current work, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
