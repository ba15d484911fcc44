import { setMaxListeners } from 'node:events';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { AUTH_MAIL_JOBS, LockoutNoticeJob } from '@hns/auth';
import { LoggedJob, currentLogContext, isSafeRequestId, runWithLogContext } from '@hns/logging';
import {
  DeliveryNotStartedError,
  MailBusyError,
  describeMailError,
  isPermanentMailError,
  withMailSendOrder,
} from '@hns/mail';
import { MOVEMENT_JOBS, MovementMailer } from '@hns/movements';
import {
  JOB_OPTIONS,
  MAIL_BATCH,
  MAIL_CONCURRENCY,
  QUEUES,
  isUrgentJob,
  priorityOf,
} from '@hns/queue';
import { REVIEW_MAIL_JOBS, ReviewMailer } from '@hns/reviews';
import { AccountMailer } from './account-mail';
import { WorkPriority } from './work-priority';

interface MailJobData {
  movementId: string;
  version: number;
  seat: string;
  escalationId: string;
  alert: number;
  zoneId: string;
}
/** An email of a mail batch: its row's payload, outbox id and job name (see toJobs). */
interface MailBatchItem extends MailJobData {
  outboxId: string;
  job: string;
  requestId?: string;
  correlationId?: string | null;
}
type MailJob = Job<MailJobData | { items: MailBatchItem[] }>;

/** An email of a batch that failed waits this long before its own job tries again. */
const ITEM_RETRY_DELAY_MS = Number(
  (JOB_OPTIONS.mail.backoff as { delay?: number } | undefined)?.delay ?? 2000,
);

/**
 * Sends the emails queued through the outbox: one job per email, or a batch of them (the relay
 * groups the mail rows it moves together, see BATCHED_QUEUES). Each handler is idempotent (email
 * deliveries are keyed), so a job retried after a crash or a mail-server outage sends nothing
 * twice.
 */
@Processor(QUEUES.mail, { concurrency: MAIL_CONCURRENCY })
export class MailProcessor extends WorkerHost {
  private readonly logger = new Logger(MailProcessor.name);
  private readonly handlers: Record<string, (data: MailJobData) => Promise<void>>;
  /** Aborted when the worker stops: batches send nothing more (see stopBatches). */
  private readonly stopping = new AbortController();

  constructor(
    movements: MovementMailer,
    reviews: ReviewMailer,
    accounts: AccountMailer,
    @InjectQueue(QUEUES.mail) private readonly queue: Queue,
    private readonly priority: WorkPriority,
  ) {
    super();
    // Every email of the running batches waiting for a sending place listens to it (and stops
    // listening once it has its place): far more than Node's default of 10 listeners.
    setMaxListeners(0, this.stopping.signal);
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
    const batch = job.name === MAIL_BATCH && 'items' in job.data ? job.data.items : undefined;
    const urgent = batch
      ? batch.some((item) => isUrgentJob(QUEUES.mail, item.job))
      : isUrgentJob(QUEUES.mail, job.name);
    // A routine job waits, holding its place (MAX_DEFERRAL_MS at most): an escalation queued
    // meanwhile is the next job taken, but can wait that long for a place.
    if (!urgent) await this.priority.deferrable();
    if (batch) return this.processBatch(batch);
    const handler = this.handlers[job.name];
    if (!handler) throw new UnrecoverableError(`no handler for mail job "${job.name}"`);
    try {
      await withMailSendOrder({ urgent }, () => handler(job.data as MailJobData));
    } catch (error) {
      // The failure is logged once, by @LoggedJob (queue, job, attempt, outcome, error).
      const reason = describeMailError(error);
      // A 5xx refusal (unknown mailbox, rejected content) will not succeed on retry.
      if (isPermanentMailError(error)) throw new UnrecoverableError(reason);
      throw error;
    }
  }

  /**
   * The worker is stopping: the batches running send no more emails (those being sent finish),
   * and hand the rest to jobs of their own, so that they end as soon as single jobs do.
   */
  stopBatches(): void {
    this.stopping.abort();
  }

  /**
   * Every email of the batch at once: their claims are one statement, their sends go through
   * the process's MAIL_SENDS_IN_FLIGHT places, each is marked as sent as soon as it is. An
   * email that fails (or was not sent because the worker is stopping) becomes a job of its own,
   * the job it would have been without the batch (its id is its outbox id, so a batch run again
   * after a crash adds it once), retried with backoff as any mail job; the batch then succeeds.
   * If adding those jobs fails, the batch fails and is retried whole: the emails sent are not
   * sent again (their deliveries say 'sent').
   */
  private async processBatch(items: MailBatchItem[]): Promise<void> {
    const outcomes = await Promise.allSettled(
      items.map((item) => {
        const handler = this.handlers[item.job];
        if (!handler) return Promise.reject(new Error(`no handler for mail job "${item.job}"`));
        // Each email logs with its own request and correlation ids and job name, as alone.
        const context = {
          ...currentLogContext(),
          requestId: isSafeRequestId(item.requestId) ? item.requestId : undefined,
          correlationId: item.correlationId ?? undefined,
          jobName: item.job,
        };
        const order = { signal: this.stopping.signal, urgent: isUrgentJob(QUEUES.mail, item.job) };
        return runWithLogContext(context, () => withMailSendOrder(order, () => handler(item)));
      }),
    );
    const handedOver = items.flatMap((item, i) => {
      const outcome = outcomes[i];
      if (outcome.status === 'fulfilled') return [];
      const notStarted = outcome.reason instanceof DeliveryNotStartedError;
      if (outcome.reason instanceof MailBusyError) {
        // Another attempt holds the email (a batch run again, or the job it was handed to): an
        // expected race, not a failure. Its own job sends it if that attempt does not.
        this.logger.log(
          `mail ${item.job} (outbox ${item.outboxId}) is held by another attempt, handed to a job of its own: ${outcome.reason.message}`,
        );
      } else if (!notStarted) {
        this.logger.warn(
          `mail ${item.job} (outbox ${item.outboxId}) failed in a batch, handed to a job of its own: ${describeMailError(outcome.reason)}`,
        );
      }
      const { job, ...data } = item;
      return [
        {
          name: job,
          data,
          opts: {
            ...JOB_OPTIONS.mail,
            ...priorityOf(QUEUES.mail, [job]),
            jobId: item.outboxId,
            ...(notStarted ? {} : { delay: ITEM_RETRY_DELAY_MS }),
          },
        },
      ];
    });
    if (handedOver.length > 0) await this.queue.addBulk(handedOver);
  }
}
