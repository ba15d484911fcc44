import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { SealResult, sealAuditLog } from '@hns/audit';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { AUDIT_SEAL_QUEUE } from '@hns/queue';
import { scheduleRepeatingJob } from './repeating-job';

export const AUDIT_SEAL_JOB = 'audit.seal';

/**
 * Seals the audit log every AUDIT_SEAL_INTERVAL_MS: appends the events written since to the hash
 * chain (libs/audit sealAuditLog). One BullMQ job scheduler for every worker process (upserted at
 * start, so several workers still run one job per interval; the sealing itself is serialised in
 * PostgreSQL too). A run that fails or finds writers still busy changes nothing: the next one
 * seals what it left.
 */
@Processor(AUDIT_SEAL_QUEUE, { concurrency: 1 })
export class AuditSealProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditSealProcessor.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(AUDIT_SEAL_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await scheduleRepeatingJob(this.queue, AUDIT_SEAL_JOB, this.config.AUDIT_SEAL_INTERVAL_MS);
  }

  async process(): Promise<SealResult> {
    const result = await sealAuditLog(this.db, {
      waitMs: Math.min(2000, this.config.AUDIT_SEAL_INTERVAL_MS),
    });
    if (result.waitingFor > 0) {
      this.logger.warn(
        `audit sealing postponed: ${result.waitingFor} transaction(s) still writing events`,
      );
    }
    return result;
  }
}
