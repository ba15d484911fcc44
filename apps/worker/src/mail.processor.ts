import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { describeMailError, isPermanentMailError } from '@hns/mail';
import { MOVEMENT_JOBS, MovementMailer } from '@hns/movements';
import { QUEUES } from '@hns/queue';
import { REVIEW_JOBS, ReviewMailer } from '@hns/reviews';

type MailJob = Job<{
  movementId: string;
  version: number;
  escalationId: string;
  correlationId?: string;
}>;

/**
 * Sends the emails queued through the outbox. Each handler is idempotent (email deliveries are
 * keyed), so a job retried after a crash or a mail-server outage sends nothing twice.
 */
@Processor(QUEUES.mail, { concurrency: 8 })
export class MailProcessor extends WorkerHost {
  private readonly logger = new Logger(MailProcessor.name);
  private readonly handlers: Record<string, (job: MailJob) => Promise<void>>;

  constructor(
    private readonly movementMailer: MovementMailer,
    private readonly reviewMailer: ReviewMailer,
  ) {
    super();
    this.handlers = {
      [MOVEMENT_JOBS.receipt]: (job) =>
        this.movementMailer.sendReceipt(job.data.movementId, job.data.version),
      [MOVEMENT_JOBS.acknowledgement]: (job) =>
        this.reviewMailer.sendAcknowledgement(job.data.movementId, job.data.version),
      [MOVEMENT_JOBS.flagNotice]: (job) =>
        this.reviewMailer.sendFlagNotice(job.data.movementId, job.data.version),
      [REVIEW_JOBS.escalationAlert]: (job) =>
        this.reviewMailer.sendEscalationAlert(job.data.escalationId),
    };
  }

  /** Names this processor handles; the worker refuses to start if a declared job has none. */
  get jobNames(): string[] {
    return Object.keys(this.handlers);
  }

  async process(job: MailJob): Promise<void> {
    const handler = this.handlers[job.name];
    if (!handler) throw new Error(`no handler for mail job "${job.name}"`);
    try {
      await handler(job);
    } catch (error) {
      const reason = describeMailError(error);
      this.logger.warn(
        `mail job ${job.name} ${job.id} attempt ${job.attemptsMade + 1} failed: ${reason}`,
      );
      // A 5xx refusal (unknown mailbox, rejected content) will not succeed on retry.
      if (isPermanentMailError(error)) throw new UnrecoverableError(reason);
      throw error;
    }
  }
}
