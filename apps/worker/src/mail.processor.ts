import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { AUTH_MAIL_JOBS, LockoutNoticeJob } from '@hns/auth';
import { LoggedJob } from '@hns/logging';
import { describeMailError, isPermanentMailError } from '@hns/mail';
import { MOVEMENT_JOBS, MovementMailer } from '@hns/movements';
import { MAIL_CONCURRENCY, QUEUES } from '@hns/queue';
import { REVIEW_MAIL_JOBS, ReviewMailer } from '@hns/reviews';
import { AccountMailer } from './account-mail';

interface MailJobData {
  movementId: string;
  version: number;
  seat: string;
  escalationId: string;
  alert: number;
  zoneId: string;
}
type MailJob = Job<MailJobData>;

/**
 * Sends the emails queued through the outbox. Each handler is idempotent (email deliveries are
 * keyed), so a job retried after a crash or a mail-server outage sends nothing twice.
 */
@Processor(QUEUES.mail, { concurrency: MAIL_CONCURRENCY })
export class MailProcessor extends WorkerHost {
  private readonly handlers: Record<string, (data: MailJobData) => Promise<void>>;

  constructor(movements: MovementMailer, reviews: ReviewMailer, accounts: AccountMailer) {
    super();
    this.handlers = {
      [AUTH_MAIL_JOBS.lockoutNotice]: (d) =>
        accounts.sendLockoutNotice(d as unknown as LockoutNoticeJob),
      [MOVEMENT_JOBS.receipt]: (d) => movements.sendReceipt(d.movementId, d.version),
      [MOVEMENT_JOBS.cancellationNotice]: (d) =>
        reviews.sendCancellationNotice(d.movementId, d.version),
      [REVIEW_MAIL_JOBS.acknowledgement]: (d) =>
        reviews.sendAcknowledgement(d.movementId, d.version),
      [REVIEW_MAIL_JOBS.flagNotice]: (d) => reviews.sendFlagNotice(d.movementId, d.version),
      [REVIEW_MAIL_JOBS.expiryNotice]: (d) => reviews.sendExpiryNotice(d.movementId, d.version),
      [REVIEW_MAIL_JOBS.seatReminder]: (d) =>
        reviews.sendSeatReminder(d.movementId, d.version, d.seat),
      [REVIEW_MAIL_JOBS.overdueAlert]: (d) => reviews.sendOverdueAlert(d.movementId, d.version),
      [REVIEW_MAIL_JOBS.escalationAlert]: (d) => reviews.sendEscalationAlert(d.escalationId),
      [REVIEW_MAIL_JOBS.escalationOverdue]: (d) =>
        reviews.sendEscalationOverdue(d.escalationId, d.alert),
      [REVIEW_MAIL_JOBS.zoneCleared]: (d) =>
        reviews.sendZoneCleared(d.movementId, d.version, d.zoneId),
    };
  }

  @LoggedJob()
  async process(job: MailJob): Promise<void> {
    const handler = this.handlers[job.name];
    if (!handler) throw new UnrecoverableError(`no handler for mail job "${job.name}"`);
    try {
      await handler(job.data);
    } catch (error) {
      // The failure is logged once, by @LoggedJob (queue, job, attempt, outcome, error).
      const reason = describeMailError(error);
      // A 5xx refusal (unknown mailbox, rejected content) will not succeed on retry.
      if (isPermanentMailError(error)) throw new UnrecoverableError(reason);
      throw error;
    }
  }
}
