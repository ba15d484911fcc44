import { Processor, WorkerHost } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { ConflictDetector, DECONFLICTION_JOBS, DetectionResult } from '@hns/deconfliction';
import { LoggedJob } from '@hns/logging';
import { QUEUES } from '@hns/queue';
import { ZoneConsequences } from '@hns/reviews';
import { WorkPriority } from './work-priority';

/**
 * Re-checks every planned movement against a zone declared, changed or lifted, in batches. Each
 * batch stores its conflicts and, in the same statement, an outbox row for their consequences
 * (flags, escalations, notices), which a later job applies: the conflicts of 100,000 movements
 * are stored in about the time the engine takes, and nothing found is lost in between. A
 * re-check is urgent work and its consequences deferrable (see WorkPriority): they wait while
 * re-checks and review fan-outs run, at most a few seconds.
 */
@Processor(QUEUES.deconfliction, { concurrency: 2 })
export class DeconflictionProcessor extends WorkerHost {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly detector: ConflictDetector,
    private readonly consequences: ZoneConsequences,
    private readonly priority: WorkPriority,
  ) {
    super();
  }

  @LoggedJob()
  async process(job: Job): Promise<void> {
    switch (job.name) {
      case DECONFLICTION_JOBS.zoneRecheck:
        // Each batch writes, with its conflicts, the outbox row of those with consequences (the
        // ones ZoneConsequences.relevant keeps), for the job below.
        await this.priority.urgent(() =>
          this.detector.detectForZone(job.data.zoneId, {
            consequences: {
              queue: QUEUES.deconfliction,
              jobName: DECONFLICTION_JOBS.zoneConsequences,
              correlationId: job.data.zoneId,
            },
          }),
        );
        return;
      case DECONFLICTION_JOBS.zoneConsequences:
        await this.priority.deferrable();
        await this.db.transaction((manager) =>
          this.consequences.apply(manager, job.data as DetectionResult),
        );
        return;
      default:
        throw new Error(`no handler for deconfliction job "${job.name}"`);
    }
  }
}
