import { Processor, WorkerHost } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { ConflictDetector, DECONFLICTION_JOBS, DetectionResult } from '@hns/deconfliction';
import { LoggedJob } from '@hns/logging';
import { QUEUES, enqueueInOutbox } from '@hns/queue';
import { ZoneConsequences } from '@hns/reviews';

/**
 * Re-checks every planned movement against a zone declared, changed or lifted, in batches. Each
 * batch stores its conflicts and, in the same transaction, an outbox row for their consequences
 * (flags, escalations, notices), which a later job applies: the conflicts of 100,000 movements
 * are stored in about the time the engine takes, and nothing found is lost in between.
 */
@Processor(QUEUES.deconfliction, { concurrency: 2 })
export class DeconflictionProcessor extends WorkerHost {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly detector: ConflictDetector,
    private readonly consequences: ZoneConsequences,
  ) {
    super();
  }

  @LoggedJob()
  async process(job: Job): Promise<void> {
    switch (job.name) {
      case DECONFLICTION_JOBS.zoneRecheck:
        await this.detector.detectForZone(job.data.zoneId, {
          onBatch: async (manager, batch) => {
            const relevant = ZoneConsequences.relevant(batch);
            if (relevant.conflicts.length === 0 && relevant.cleared.length === 0) return;
            await enqueueInOutbox(manager, [
              {
                queue: QUEUES.deconfliction,
                jobName: DECONFLICTION_JOBS.zoneConsequences,
                payload: { ...relevant },
                correlationId: job.data.zoneId,
              },
            ]);
          },
        });
        return;
      case DECONFLICTION_JOBS.zoneConsequences:
        await this.db.transaction((manager) =>
          this.consequences.apply(manager, job.data as DetectionResult),
        );
        return;
      default:
        throw new Error(`no handler for deconfliction job "${job.name}"`);
    }
  }
}
