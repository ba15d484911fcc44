import type { JobsOptions } from 'bullmq';

/** Every queue of the system. Work reaches them only through the outbox relay. */
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
export const QUEUE_NAMES: QueueName[] = Object.values(QUEUES);

const DAY = 24 * 3600;

/**
 * Job options per queue, in one place. Finished jobs are removed by age *and* count so that
 * Redis (maxmemory-policy noeviction) never fills up; failed jobs are kept a week for inspection.
 */
export const JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  mail: {
    // About 9 hours of retries with exponential backoff: a mail server outage must not lose mail.
    attempts: 14,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: DAY, count: 50_000 },
    removeOnFail: { age: 7 * DAY, count: 50_000 },
  },
  timers: {
    attempts: 20,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: DAY, count: 50_000 },
    removeOnFail: { age: 7 * DAY, count: 50_000 },
  },
  deconfliction: {
    attempts: 20,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: DAY, count: 50_000 },
    removeOnFail: { age: 7 * DAY, count: 50_000 },
  },
  review: {
    attempts: 20,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: DAY, count: 50_000 },
    removeOnFail: { age: 7 * DAY, count: 50_000 },
  },
};
