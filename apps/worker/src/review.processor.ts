import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { LoggedJob } from '@hns/logging';
import { MOVEMENT_JOBS } from '@hns/movements';
import { QUEUES } from '@hns/queue';
import { ReviewsService } from '@hns/reviews';

type ReviewJob = Job<{ movementId: string; version: number }>;

/** Creates the review tasks of each new version. Idempotent: a task is unique per seat and version. */
@Processor(QUEUES.review, { concurrency: 8 })
export class ReviewProcessor extends WorkerHost {
  constructor(private readonly reviews: ReviewsService) {
    super();
  }

  @LoggedJob()
  async process(job: ReviewJob): Promise<void> {
    if (job.name !== MOVEMENT_JOBS.reviewFanOut)
      throw new Error(`no handler for review job "${job.name}"`);
    await this.reviews.fanOut(job.data.movementId, job.data.version);
  }
}
