import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { LoggedJob, isSafeRequestId } from '@hns/logging';
import { MOVEMENT_JOBS } from '@hns/movements';
import { BATCHED_JOBS, QUEUES } from '@hns/queue';
import { FanOutItem, ReviewsService } from '@hns/reviews';
import { WorkPriority } from './work-priority';

interface FanOutData {
  movementId: string;
  version: number;
  requestId?: unknown;
}

type ReviewJob = Job<FanOutData | { items: FanOutData[] }>;

const FAN_OUT_BATCH = BATCHED_JOBS[MOVEMENT_JOBS.reviewFanOut].as;

/**
 * Creates the review tasks of each new version: one job per version, or a batch of them as the
 * outbox relay groups them. Idempotent: a task is unique per seat and version. Urgent work (see
 * WorkPriority): receipts and notices wait while fan-outs run.
 */
@Processor(QUEUES.review, { concurrency: 8 })
export class ReviewProcessor extends WorkerHost {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly priority: WorkPriority,
  ) {
    super();
  }

  @LoggedJob()
  async process(job: ReviewJob): Promise<void> {
    const { data } = job;
    if (job.name === MOVEMENT_JOBS.reviewFanOut && 'movementId' in data)
      return this.priority.urgent(() => this.reviews.fanOut(data.movementId, data.version));
    if (job.name === FAN_OUT_BATCH && 'items' in data)
      return this.priority.urgent(() => this.reviews.fanOutMany(data.items.map(toItem)));
    throw new Error(`no handler for review job "${job.name}"`);
  }
}

function toItem(data: FanOutData): FanOutItem {
  return {
    movementId: data.movementId,
    version: data.version,
    requestId: isSafeRequestId(data.requestId) ? data.requestId : undefined,
  };
}
