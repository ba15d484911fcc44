import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { QUEUE_PREFIX, sleep } from './env';
import { count } from './db';

/** The system's queues (libs/queue/src/queues.ts), as the benchmark observes them. */
export const SYSTEM_QUEUES = ['mail', 'review', 'timers', 'deconfliction'] as const;
export type SystemQueue = (typeof SYSTEM_QUEUES)[number];

export class SystemQueues {
  readonly queues: Record<SystemQueue, Queue>;

  constructor(redisUrl: string) {
    this.queues = Object.fromEntries(
      SYSTEM_QUEUES.map((name) => [
        name,
        new Queue(name, {
          connection: { url: redisUrl, maxRetriesPerRequest: null },
          prefix: QUEUE_PREFIX,
        }),
      ]),
    ) as Record<SystemQueue, Queue>;
  }

  async counts(name: SystemQueue): Promise<Record<string, number>> {
    return this.queues[name].getJobCounts(
      'waiting',
      'active',
      'delayed',
      'completed',
      'failed',
      'prioritized',
    );
  }

  /**
   * Brings the worker to rest between benchmarks: waits until the outbox is relayed, discards the
   * jobs still waiting in the mail, review and deconfliction queues (left over by the previous
   * benchmark: receipts, notices), and waits until no job is active. Returns what was discarded.
   */
  async quiesce(pool: Pool, timeoutMs = 60_000): Promise<Record<string, number>> {
    const deadline = Date.now() + timeoutMs;
    while (
      // Timers due later wait in the outbox by design (as libs/queue OUTBOX_READY_SQL).
      (await count(
        pool,
        `SELECT count(*) AS n FROM outbox
         WHERE relayed_at IS NULL AND (run_at IS NULL OR run_at <= now() + interval '600 seconds')`,
      )) > 0 &&
      Date.now() < deadline
    ) {
      await sleep(200);
    }
    const discarded: Record<string, number> = {};
    for (const name of ['mail', 'review', 'deconfliction'] as const) {
      const { waiting = 0, prioritized = 0 } = await this.counts(name);
      if (waiting + prioritized > 0) await this.queues[name].drain(false);
      discarded[name] = waiting + prioritized;
    }
    for (;;) {
      const active = await Promise.all(
        SYSTEM_QUEUES.map(async (name) => (await this.counts(name)).active ?? 0),
      );
      if (active.every((n) => n === 0)) break;
      if (Date.now() > deadline)
        throw new Error('the worker did not come to rest within the time allowed');
      await sleep(100);
    }
    return discarded;
  }

  /**
   * Discards the delayed jobs of every system queue (deadlines of movements a reset removed,
   * retries waiting for their backoff), once the worker is at rest (`quiesce`). Returns how many
   * per queue. The audit sealer's job scheduler lives in a queue of its own and is untouched.
   */
  async discardDelayed(): Promise<Record<string, number>> {
    const discarded: Record<string, number> = {};
    for (const name of SYSTEM_QUEUES) {
      const { delayed = 0, waiting = 0, prioritized = 0 } = await this.counts(name);
      if (delayed + waiting + prioritized > 0) await this.queues[name].drain(true);
      discarded[name] = delayed + waiting + prioritized;
    }
    return discarded;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((queue) => queue.close()));
  }
}

/** Deletes the keys of our own prefixes only (the Redis database may be shared). */
export async function deleteKeys(redisUrl: string, prefixes: string[]): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  let deleted = 0;
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await redis.unlink(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export async function redisVersion(redisUrl: string): Promise<string> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}
