import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { OUTBOX_PRUNE_QUEUE } from '@hns/queue';
import { scheduleRepeatingJob } from './repeating-job';

export const OUTBOX_PRUNE_JOB = 'outbox.prune';
/** How often the worker removes relayed outbox rows past their retention. */
export const OUTBOX_PRUNE_EVERY_MS = 3_600_000;
/** Rows removed per statement: short transactions, whatever the backlog. */
const PRUNE_BATCH = 5000;

/**
 * Removes the outbox rows relayed to BullMQ more than OUTBOX_RETENTION_DAYS ago, every hour:
 * each submission leaves five rows (its fan-out, its receipt, three deadlines), which nothing
 * reads once relayed, and the table would otherwise grow for as long as the system runs. Rows not
 * relayed yet (work still to hand over, deadlines still to come) are never removed. One BullMQ
 * job scheduler for every worker process, as the audit sealing.
 */
@Processor(OUTBOX_PRUNE_QUEUE, { concurrency: 1 })
export class OutboxPruneProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(OutboxPruneProcessor.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(OUTBOX_PRUNE_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await scheduleRepeatingJob(this.queue, OUTBOX_PRUNE_JOB, OUTBOX_PRUNE_EVERY_MS);
  }

  /** Removes the rows past retention, PRUNE_BATCH at a time; returns how many. */
  async process(): Promise<{ removed: number }> {
    let removed = 0;
    for (;;) {
      const [, count]: [unknown, number] = await this.db.query(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox
           WHERE relayed_at < now() - make_interval(days => $1)
           LIMIT $2)`,
        [this.config.OUTBOX_RETENTION_DAYS, PRUNE_BATCH],
      );
      removed += count;
      if (count < PRUNE_BATCH) break;
    }
    if (removed > 0)
      this.logger.log(
        `removed ${removed} outbox rows relayed more than ${this.config.OUTBOX_RETENTION_DAYS} days ago`,
      );
    return { removed };
  }
}
