import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, QUEUE_NAMES } from '../../libs/queue/src/queues';

// Every queue of the application, so that a queue added later is watched too; timers hold
// far-future jobs (reminders before departure) by design, so only their failures count.
const WATCHED_QUEUES = QUEUE_NAMES.filter((name) => name !== QUEUES.timers);

/** BullMQ job counts of the queues the movement flow uses (timers hold far-future jobs). */
export class QueueProbe {
  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
  ) {}

  async counts(): Promise<Record<string, number>> {
    const totals: Record<string, number> = {};
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, {
        prefix: this.prefix,
        connection: { url: this.redisUrl, maxRetriesPerRequest: 1, connectTimeout: 2000 },
      });
      queue.on('error', () => undefined);
      try {
        const counts = await queue.getJobCounts(
          'active',
          'waiting',
          'delayed',
          'prioritized',
          'waiting-children',
          'failed',
        );
        for (const [state, n] of Object.entries(counts)) {
          // Timers are delayed by design (reminders before departure); only their failures count.
          if (name === QUEUES.timers && state !== 'failed') continue;
          totals[state] = (totals[state] ?? 0) + n;
        }
      } finally {
        await queue.close();
      }
    }
    return totals;
  }

  /** Why the jobs awaiting a retry or failed for good failed, e.g. "mail x3: Connection pool was closed". */
  async failureReasons(): Promise<string[]> {
    const reasons = new Map<string, number>();
    for (const name of WATCHED_QUEUES) {
      const queue = new Queue(name, {
        prefix: this.prefix,
        connection: { url: this.redisUrl, maxRetriesPerRequest: 1, connectTimeout: 2000 },
      });
      queue.on('error', () => undefined);
      try {
        for (const job of await queue.getJobs(['delayed', 'failed'], 0, 200)) {
          const key = `${name}: ${job.failedReason ?? 'no reason recorded'}`;
          reasons.set(key, (reasons.get(key) ?? 0) + 1);
        }
      } finally {
        await queue.close();
      }
    }
    return [...reasons].map(([reason, n]) => `${n} x ${reason}`);
  }

  /** Ids of the timers (reminders, overdue alerts, expiry) scheduled as delayed jobs. */
  async scheduledTimers(): Promise<string[]> {
    return this.withRedis((redis) => redis.zrange(`${this.prefix}:timers:delayed`, 0, -1));
  }

  /** How many of these timer jobs no longer exist (neither scheduled, run nor failed). */
  async missingTimers(ids: string[]): Promise<number> {
    return this.withRedis(async (redis) => {
      let missing = 0;
      for (let i = 0; i < ids.length; i += 500) {
        const keys = ids.slice(i, i + 500).map((id) => `${this.prefix}:timers:${id}`);
        const present = await redis.exists(...keys);
        missing += keys.length - present;
      }
      return missing;
    });
  }

  private async withRedis<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis(this.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
    redis.on('error', () => undefined);
    try {
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  }

  /** Mail jobs being sent and waiting for a free slot of the worker. */
  async mailLoad(): Promise<{ active: number; waiting: number }> {
    const queue = new Queue(QUEUES.mail, {
      prefix: this.prefix,
      connection: { url: this.redisUrl, maxRetriesPerRequest: 1, connectTimeout: 2000 },
    });
    queue.on('error', () => undefined);
    try {
      // Mail jobs but escalations wait with a priority (URGENT_JOBS): 'prioritized', not 'waiting'.
      const counts = await queue.getJobCounts('active', 'waiting', 'prioritized');
      return {
        active: counts.active ?? 0,
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      };
    } finally {
      await queue.close();
    }
  }
}

/** Nothing waiting, running or scheduled for retry in the movement flow's queues. */
export function idle(counts: Record<string, number>): boolean {
  return ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'].every(
    (state) => (counts[state] ?? 0) === 0,
  );
}
