import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { LoggedJob } from '@hns/logging';
import { QUEUES } from '@hns/queue';
import { DeadlinesService } from '@hns/reviews';

/** Deadlines (BullMQ delayed jobs): each re-reads the state and does nothing if its reason is gone. */
@Processor(QUEUES.timers, { concurrency: 4 })
export class TimersProcessor extends WorkerHost {
  constructor(private readonly deadlines: DeadlinesService) {
    super();
  }

  @LoggedJob()
  async process(job: Job): Promise<void> {
    await this.deadlines.run(job.name, job.data);
  }
}
