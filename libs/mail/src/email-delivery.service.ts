import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { isDatabaseUnavailable, preparedQuery } from '@hns/database';
import { describeMailError, urlSecrets } from './mail-errors';
import { MailMessage } from './mail-message';
import { MailTransport } from './mail-transport';
import { deliveryMessageId } from './message-id';

/** What makes an email unique, e.g. `ack:<movementId>:v3:<recipient>`, plus how to file it. */
export interface EmailDeliveryKey {
  idempotencyKey: string;
  kind: string;
  movementId?: string;
  movementVersion?: number;
}

export type EmailDeliveryOutcome =
  | { status: 'sent'; messageId: string; accepted: string[]; rejected: string[]; attempts: number }
  | { status: 'already_sent'; messageId: string | null; sentAt: Date | null };

interface DeliveryRow {
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  message_id: string | null;
  sent_at: Date | null;
}

/**
 * Records an attempt: one statement (created, or counted again unless already sent), so two runs
 * racing here cannot both skip the count. Committed WITHOUT waiting for the WAL flush
 * (synchronous_commit off for this statement's transaction only): a crash may lose the last few
 * ms of these claims, which only under-counts attempts or forgets a 'pending' row that the job's
 * retry writes again; nothing is sent on the strength of it. The 'sent' mark stays synchronous:
 * a lost 'sent' mark would let the retry send the email twice. Its flush also makes this claim
 * durable, since the WAL is flushed in order. The CTE `claim` has the attempts; no row: sent.
 */
const CLAIM_SQL = `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true)),
  claim AS (
    INSERT INTO email_deliveries
      (idempotency_key, kind, recipients, movement_id, movement_version, attempts)
    SELECT $1::text, $2::text, '{}'::text[], $3::uuid, $4::integer, 1 FROM async_commit
    ON CONFLICT (idempotency_key) DO UPDATE SET attempts = email_deliveries.attempts + 1
      WHERE email_deliveries.status <> 'sent'
    RETURNING attempts
  )`;
const CLAIM_PARAMETERS = 4;

function claimParameters(key: EmailDeliveryKey): unknown[] {
  return [key.idempotencyKey, key.kind, key.movementId ?? null, key.movementVersion ?? null];
}

/**
 * Sends each email once per idempotency key, recorded in email_deliveries. A job that runs
 * twice finds the row 'sent' and sends nothing; a crash between sending and recording is
 * covered by the Message-ID, derived from the key, which receivers use to drop the duplicate.
 */
@Injectable()
export class EmailDeliveryService {
  private readonly logger = new Logger(EmailDeliveryService.name);
  private readonly secrets: string[];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transport: MailTransport,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'MAIL_FROM' | 'SMTP_URL'>,
  ) {
    this.secrets = urlSecrets(config.SMTP_URL);
  }

  /**
   * Builds and sends the email unless it was already sent. Rethrows any failure after
   * recording it, so the job is retried with backoff (see isPermanentMailError to stop early).
   */
  async sendOnce(
    key: EmailDeliveryKey,
    build: () => Promise<MailMessage> | MailMessage,
  ): Promise<EmailDeliveryOutcome> {
    const { idempotencyKey } = key;
    if (!idempotencyKey || !key.kind)
      throw new Error('sendOnce: idempotencyKey and kind are required');
    // Record the attempt (see CLAIM_SQL).
    const [claimed] = await this.rows<Pick<DeliveryRow, 'attempts'>>(
      'email-delivery-claim',
      `${CLAIM_SQL} SELECT attempts FROM claim`,
      claimParameters(key),
    );
    if (!claimed) return this.alreadySent(idempotencyKey);
    return this.deliver(key, claimed.attempts, build);
  }

  /**
   * sendOnce with the email's data loaded in the same statement as the claim: one round trip
   * to PostgreSQL fewer per email, for the emails sent in bulk (bench, issue 7). `load` is a
   * SELECT of at most one row, its parameters numbered from $1 as usual (they follow the
   * claim's in the statement); `build` gets that row. Nothing is loaded when the email was
   * already sent. No row: the attempt is recorded as failed and the error thrown.
   */
  async sendOnceWith<T extends object>(
    key: EmailDeliveryKey,
    load: { label: string; sql: string; parameters: unknown[]; notFound: string },
    build: (row: T) => Promise<MailMessage> | MailMessage,
  ): Promise<EmailDeliveryOutcome> {
    const { idempotencyKey } = key;
    if (!idempotencyKey || !key.kind)
      throw new Error('sendOnceWith: idempotencyKey and kind are required');
    const offset = CLAIM_PARAMETERS;
    const loadSql = load.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    const [claimed] = await this.rows<T & { hns_claim_attempts: number; hns_found: boolean }>(
      `email-delivery-claim-${load.label}`,
      `${CLAIM_SQL}
       SELECT claim.attempts AS hns_claim_attempts, data.*
       FROM claim LEFT JOIN LATERAL (SELECT true AS hns_found, d.* FROM (${loadSql}) d) data ON true`,
      [...claimParameters(key), ...load.parameters],
    );
    if (!claimed) return this.alreadySent(idempotencyKey);
    const { hns_claim_attempts: attempts, hns_found: found, ...row } = claimed;
    if (!found) {
      const error = new Error(load.notFound);
      await this.recordFailure(idempotencyKey, `could not build the message: ${error.message}`);
      throw error;
    }
    return this.deliver(key, attempts, () => build(row as unknown as T));
  }

  /** Builds, sends and records an email whose attempt is claimed. */
  private async deliver(
    key: EmailDeliveryKey,
    attempts: number,
    build: () => Promise<MailMessage> | MailMessage,
  ): Promise<EmailDeliveryOutcome> {
    const { idempotencyKey } = key;
    let message: MailMessage;
    try {
      message = {
        ...(await build()),
        messageId: deliveryMessageId(idempotencyKey, this.config.MAIL_FROM),
      };
    } catch (error) {
      await this.recordFailure(
        idempotencyKey,
        `could not build the message: ${this.describe(error)}`,
      );
      throw error;
    }
    const recipients = [...message.to, ...(message.cc ?? [])];
    let result: Awaited<ReturnType<MailTransport['send']>>;
    try {
      result = await this.transport.send(message);
    } catch (error) {
      await this.recordFailure(idempotencyKey, this.describe(error), message, recipients);
      throw error;
    }
    // The message is out: record it even through a database restart, or the job's retry would
    // send it a second time (found by the fault suite, scenario d).
    await whileDatabaseUnavailable(() =>
      this.rows(
        'email-delivery-sent',
        `UPDATE email_deliveries
         SET status = 'sent', sent_at = now(), message_id = $2, subject = $3, recipients = $4,
             last_error = $5
         WHERE idempotency_key = $1`,
        [
          idempotencyKey,
          result.messageId,
          message.subject,
          recipients,
          refusedNote(result.rejected),
        ],
      ),
    );
    return { status: 'sent', ...result, attempts };
  }

  private async alreadySent(idempotencyKey: string): Promise<EmailDeliveryOutcome> {
    const [row] = await this.rows<DeliveryRow>(
      'email-delivery-row',
      `SELECT status, attempts, message_id, sent_at FROM email_deliveries WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return {
      status: 'already_sent',
      messageId: row?.message_id ?? null,
      sentAt: row?.sent_at ?? null,
    };
  }

  private async recordFailure(
    idempotencyKey: string,
    error: string,
    message?: MailMessage,
    recipients?: string[],
  ): Promise<void> {
    try {
      await this.rows(
        'email-delivery-failed',
        `UPDATE email_deliveries
         SET status = 'failed', last_error = $2,
             subject = coalesce($3, subject), message_id = coalesce($4, message_id),
             recipients = coalesce($5, recipients)
         WHERE idempotency_key = $1 AND status <> 'sent'`,
        [
          idempotencyKey,
          error,
          message?.subject ?? null,
          message?.messageId ?? null,
          recipients ?? null,
        ],
      );
    } catch (recordError) {
      // The original failure matters more: the job is retried either way.
      this.logger.error(
        `Could not record the failure of email ${idempotencyKey}: ${this.describe(recordError)}`,
      );
    }
  }

  private describe(error: unknown): string {
    return describeMailError(error, this.secrets);
  }

  /** Parameterised SQL as a named prepared statement (see preparedQuery), returning the rows. */
  private rows<T extends object = object>(
    name: string,
    sql: string,
    parameters: unknown[],
  ): Promise<T[]> {
    return preparedQuery<T & Record<string, unknown>>(this.dataSource, name, sql, parameters);
  }
}

function refusedNote(rejected: string[]): string | null {
  return rejected.length > 0 ? `refused by the SMTP server: ${rejected.join(', ')}` : null;
}

/** Retries `work` while PostgreSQL is restarting (up to about two minutes), then gives up. */
async function whileDatabaseUnavailable<T>(work: () => Promise<T>): Promise<T> {
  let delay = 250;
  for (let waited = 0; ; waited += delay, delay = Math.min(delay * 2, 5000)) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || waited > 120_000) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
