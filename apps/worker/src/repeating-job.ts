import type { Queue } from 'bullmq';

/**
 * Runs job `name` of `queue` every `everyMs`, once across all the worker processes: a BullMQ job
 * scheduler, upserted at each start (the same name replaces the same schedule). The last 100 runs
 * are kept, and failed ones a week, for the queue dashboard.
 */
export async function scheduleRepeatingJob(
  queue: Queue,
  name: string,
  everyMs: number,
): Promise<void> {
  await queue.upsertJobScheduler(
    name,
    { every: everyMs },
    {
      name,
      opts: { removeOnComplete: { count: 100 }, removeOnFail: { age: 7 * 24 * 3600 } },
    },
  );
}
