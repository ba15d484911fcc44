import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { ConflictDetector, DECONFLICTION_JOBS } from '@hns/deconfliction';
import { QUEUES } from '@hns/queue';
import { ZoneConsequences } from '@hns/reviews';

/**
 * Re-checks every planned movement against a zone declared, changed or lifted, in batches; each
 * batch's flags, escalations and emails commit with the conflicts it found.
 */
@Processor(QUEUES.deconfliction, { concurrency: 2 })
export class DeconflictionProcessor extends WorkerHost {
  constructor(
    private readonly detector: ConflictDetector,
    private readonly consequences: ZoneConsequences,
  ) {
    super();
  }

  async process(job: Job<{ zoneId: string }>): Promise<void> {
    if (job.name !== DECONFLICTION_JOBS.zoneRecheck) {
      throw new Error(`no handler for deconfliction job "${job.name}"`);
    }
    await this.detector.detectForZone(job.data.zoneId, {
      onBatch: (manager, batch) => this.consequences.apply(manager, batch),
    });
  }
}
