import type { JobsOptions } from 'bullmq';

/**
 * Mail jobs (single emails or batches) one worker process runs at once. How many emails are
 * being sent at once is bounded apart, by MAIL_SENDS_IN_FLIGHT (@hns/mail).
 */
export const MAIL_CONCURRENCY = 8;

/** The queues of the system's work. Work reaches them only through the outbox relay. */
export const QUEUES = {
  /** Outgoing email: one job per email to send, payload holds ids only. */
  mail: 'mail',
  /** The cell's review work: fan-out of review tasks per seat. */
  review: 'review',
  /** Deadlines as delayed jobs: reminders, overdue alerts, escalation deadlines, expiry. */
  timers: 'timers',
  /** Re-checking planned movements against a zone declared, changed or lifted. */
  deconfliction: 'deconfliction',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * Outbox jobs the relay hands over in groups: one BullMQ job named `as`, whose data is
 * `{ items: [...] }` (each item the row's payload with its outboxId and correlationId), for
 * work far cheaper done set-based than one job and one transaction each. Timers (rows with a
 * run_at) are never grouped. The processor of `as` must accept the single job name too
 * (jobs enqueued before grouping, and retries of a batch one by one).
 */
export const BATCHED_JOBS: Record<string, { as: string; max: number }> = {
  // The review fan-out of a submission or amendment (MOVEMENT_JOBS.reviewFanOut).
  'movement.review-fanout': { as: 'movement.review-fanout-batch', max: 100 },
};

/**
 * The mail batch job: a group of emails of any kinds, each item naming its own job (urgent
 * ones, URGENT_JOBS, in batches of their own).
 */
export const MAIL_BATCH = 'mail.batch';

/**
 * Queues whose every row (but timers) the relay groups, whatever its job name: a group's items
 * also carry their job name (`job`). Emails are sent one by one, but their bookkeeping is
 * set-based (EmailDeliveryService) and one BullMQ job carries many (issue 7); an email of a
 * batch that fails is handed to a job of its own with the usual retries.
 */
export const BATCHED_QUEUES: Partial<Record<QueueName, { as: string; max: number }>> = {
  mail: { as: MAIL_BATCH, max: 50 },
};

/**
 * Jobs that go ahead of every other job of their queue: UNDSS's security escalations
 * (REVIEW_MAIL_JOBS.escalationAlert and escalationOverdue, @hns/reviews). The other jobs of
 * such a queue are queued with ROUTINE_PRIORITY, and BullMQ hands a worker the jobs without a
 * priority first: an escalation is never queued behind a backlog of receipts and
 * acknowledgements (thousands after a surge, or hours of them behind a slow mail server). The
 * relay batches urgent rows apart from the others.
 */
export const URGENT_JOBS: Partial<Record<QueueName, ReadonlySet<string>>> = {
  mail: new Set(['escalation.alert', 'escalation.overdue']),
};

/** The BullMQ priority of the jobs of a queue with URGENT_JOBS that are not urgent. */
export const ROUTINE_PRIORITY = 10;

/** Whether a job of `queue` named `jobName` goes ahead of the others (see URGENT_JOBS). */
export function isUrgentJob(queue: QueueName, jobName: string): boolean {
  return URGENT_JOBS[queue]?.has(jobName) ?? false;
}

/**
 * The priority option of a job (or batch) of `queue` whose emails or items are `jobNames`:
 * none (first) when one of them is urgent or the queue has no urgent jobs, else
 * ROUTINE_PRIORITY.
 */
export function priorityOf(queue: QueueName, jobNames: Iterable<string>): { priority?: number } {
  if (!URGENT_JOBS[queue]) return {};
  for (const name of jobNames) if (isUrgentJob(queue, name)) return {};
  return { priority: ROUTINE_PRIORITY };
}

/**
 * The worker's repeating audit-sealing job (a BullMQ job scheduler, not fed by the outbox): kept
 * out of QUEUES, whose queues the relay serves and the fault suite expects to drain.
 */
export const AUDIT_SEAL_QUEUE = 'audit-seal';
/** The worker's repeating removal of relayed outbox rows (a job scheduler too, not in QUEUES). */
export const OUTBOX_PRUNE_QUEUE = 'outbox-prune';
export const QUEUE_NAMES: QueueName[] = Object.values(QUEUES);
/** The worker's own repeating jobs' queues (job schedulers, not fed by the outbox). */
export const SCHEDULED_QUEUE_NAMES: string[] = [AUDIT_SEAL_QUEUE, OUTBOX_PRUNE_QUEUE];
/**
 * Every queue, the scheduled ones included: registered in every process, and shown to operators
 * (the queue dashboard, the hns_queue_jobs metric), where a sealing or retention job that keeps
 * failing must be seen.
 */
export const ALL_QUEUE_NAMES: string[] = [...QUEUE_NAMES, ...SCHEDULED_QUEUE_NAMES];

/**
 * Timers (outbox rows with a run_at) stay in the outbox, in PostgreSQL, until they are due
 * within this horizon; the relay then hands them to BullMQ as delayed jobs. Redis holds only
 * the next minutes' timers, not weeks of them, and a submission's deadlines cost no Redis work.
 */
export const TIMER_RELAY_HORIZON_SECONDS = 600;

/**
 * Outbox rows the relay has still to move now: work to do at once, and timers due within the
 * horizon. What "the outbox is drained" means (health, metrics, tests); SQL on table `outbox`.
 */
export const OUTBOX_READY_SQL = `relayed_at IS NULL AND (run_at IS NULL OR run_at <= now() + interval '${TIMER_RELAY_HORIZON_SECONDS} seconds')`;

const DAY = 24 * 3600;

/**
 * Retries with exponential backoff; finished jobs removed by age *and* count so that Redis
 * (maxmemory-policy noeviction) never fills up; failed jobs kept a week for inspection.
 */
function retried(attempts: number, firstDelayMs: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: firstDelayMs },
    removeOnComplete: { age: DAY, count: 50_000 },
    removeOnFail: { age: 7 * DAY, count: 50_000 },
  };
}

/** Job options per queue, in one place. */
export const JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  // About 9 hours of retries: a mail server outage must not lose mail.
  mail: retried(14, 2000),
  review: retried(20, 1000),
  timers: retried(20, 1000),
  deconfliction: retried(20, 1000),
};
