import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { OutboxRelay } from '@hns/queue';
import { DeconflictionProcessor } from './deconfliction.processor';
import { MailProcessor } from './mail.processor';
import { ReviewProcessor } from './review.processor';
import { TimersProcessor } from './timers.processor';
import { WorkPriority } from './work-priority';

/**
 * On SIGTERM, first stop taking work and let the jobs in flight finish (BullMQ's close waits
 * for them), then let the connections (SMTP pool, database) close in the later phases.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly mail: MailProcessor,
    private readonly review: ReviewProcessor,
    private readonly timers: TimersProcessor,
    private readonly deconfliction: DeconflictionProcessor,
    private readonly priority: WorkPriority,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.onApplicationShutdown();
    // Mail batches send no more: their emails not yet sent become jobs of their own.
    this.mail.stopBatches();
    // Jobs waiting for urgent work to stop (WorkPriority) go on at once.
    this.priority.stop();
    await Promise.all(
      [this.mail, this.review, this.timers, this.deconfliction].map((p) => p.worker?.close()),
    );
  }
}
