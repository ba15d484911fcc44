import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import {
  Coalescer,
  Semaphore,
  isDataError,
  isDatabaseUnavailable,
  preparedQuery,
} from '@hns/database';
import { MAIL_HOLD_RECHECK_MS, MAIL_SENDING_LEASE_SECONDS, MAIL_SENDS_IN_FLIGHT } from './limits';
import { MailBusyError, MailDeferredError, describeMailError, urlSecrets } from './mail-errors';
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

/** The most deliveries one claim statement or one "sent" statement covers. */
const STATEMENT_MAX_ITEMS = 100;

/**
 * The email's data read by the statement that claims it: a SELECT of at most one row whose
 * parameters ($1, $2…) have the given PostgreSQL types.
 */
export interface DeliveryLoad {
  /** Names the statement (one per kind of load). */
  label: string;
  sql: string;
  types: string[];
  parameters: unknown[];
  notFound: string;
}

interface ClaimItem {
  key: EmailDeliveryKey;
  load?: DeliveryLoad;
}
/**
 * No attempts: already sent. `accepted`: the recipients that have it from an earlier attempt.
 * `row` is the load's row, null if it found none.
 */
interface ClaimResult {
  attempts: number | null;
  accepted: string[];
  row: Record<string, unknown> | null;
}
interface SentMark {
  key: string;
  message_id: string;
  subject: string;
  recipients: string[];
  accepted: string[];
  last_error: string | null;
}

/**
 * Claims the deliveries of many emails at once, each recorded as an attempt: created, or counted
 * again unless already sent (one statement, so two runs racing cannot both skip the count), and
 * with each email's data read in the same statement when the email has a load. Committed
 * WITHOUT waiting for the WAL flush (synchronous_commit off for this statement's transaction
 * only): a crash may lose the last few ms of these claims, which only under-counts attempts or
 * forgets a 'pending' row that the retry writes again; nothing is sent on the strength of it.
 * The 'sent' mark stays synchronous: a lost 'sent' mark would let the retry send the email
 * twice. Its flush also makes the claim durable, since the WAL is flushed in order.
 *
 * A claim holds the email for MAIL_SENDING_LEASE_SECONDS (`sending_until`): until then, or until
 * the attempt records the email sent or failed, another attempt does not claim it (and is retried
 * later, MailBusyError) rather than send it at the same time. A claim of a crashed worker lapses.
 * An attempt that waited long for a sending place takes its hold again before sending (holdAgain).
 * The items come as one JSON parameter; a row per item claimed (none: already sent, or held).
 */
function claimSql(load?: Pick<DeliveryLoad, 'sql' | 'types'>): string {
  const loadColumns = (load?.types ?? []).map((type, i) => `, p${i + 1} ${type}`).join('');
  // The load's parameters become the item's columns p1, p2…
  const loadSql = load?.sql.replace(/\$(\d+)/g, (_, n: string) => `i.p${n}`);
  return `WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true)),
  input AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
      AS i(n integer, key text, kind text, movement_id uuid, movement_version integer${loadColumns})),
  claim AS (
    INSERT INTO email_deliveries
      (idempotency_key, kind, recipients, movement_id, movement_version, attempts, sending_until)
    SELECT key, kind, '{}'::text[], movement_id, movement_version, 1,
           now() + interval '${MAIL_SENDING_LEASE_SECONDS} seconds'
    FROM input, async_commit
    ON CONFLICT (idempotency_key) DO UPDATE
      SET attempts = email_deliveries.attempts + 1, sending_until = excluded.sending_until
      WHERE email_deliveries.status <> 'sent'
        AND (email_deliveries.sending_until IS NULL OR email_deliveries.sending_until <= now())
    RETURNING idempotency_key, attempts, accepted)
  SELECT i.n AS hns_n, claim.attempts AS hns_claim_attempts, claim.accepted AS hns_accepted${
    load ? ', data.*' : ''
  }
  FROM input i JOIN claim ON claim.idempotency_key = i.key${
    load
      ? `
  LEFT JOIN LATERAL (SELECT true AS hns_found, d.* FROM (${loadSql}) d) data ON true`
      : ''
  }`;
}

/** Records many sent emails in one statement (synchronous commit, see claimSql). */
const SENT_SQL = `UPDATE email_deliveries d
  SET status = 'sent', sent_at = now(), message_id = u.message_id, subject = u.subject,
      recipients = u.recipients, accepted = u.accepted, last_error = u.last_error,
      sending_until = NULL
  FROM jsonb_to_recordset($1::jsonb)
    AS u(key text, message_id text, subject text, recipients text[], accepted text[],
         last_error text)
  WHERE d.idempotency_key = u.key`;

/**
 * Thrown for an email of a mail batch that was told to stop before the email was handed to the
 * SMTP server: nothing was sent, and the batch hands the email to a job of its own.
 */
export class DeliveryNotStartedError extends Error {
  constructor() {
    super('the mail batch stopped before this email was sent');
    this.name = 'DeliveryNotStartedError';
  }
}

/** How the emails that a piece of work sends wait for one of the sending places. */
export interface MailSendOrder {
  /** Once aborted (the worker stopping), a send not started fails with DeliveryNotStartedError. */
  signal?: AbortSignal;
  /** Waits ahead of every email that is not urgent: UNDSS's security escalations. */
  urgent?: boolean;
}

const sendOrder = new AsyncLocalStorage<MailSendOrder>();

/** Runs `work` (the sending of one email) so that its send waits for a place as `order` says. */
export function withMailSendOrder<T>(order: MailSendOrder, work: () => Promise<T>): Promise<T> {
  return sendOrder.run(order, work);
}

/**
 * Sends each email once per idempotency key, recorded in email_deliveries. A job that runs
 * twice finds the row 'sent' and sends nothing; a crash between sending and recording is
 * covered by the Message-ID, derived from the key, which receivers use to drop the duplicate.
 *
 * The bookkeeping is set-based (issue 7): the claims made close together (the emails of a mail
 * batch job) are one statement, and so are the "sent" marks (see Coalescer). Each email is
 * still marked as soon as it is sent, never after the others of its batch.
 */
@Injectable()
export class EmailDeliveryService {
  private readonly logger = new Logger(EmailDeliveryService.name);
  private readonly secrets: string[];
  /** One claim coalescer per kind of load ('' for none): one statement text each. */
  private readonly claims = new Map<string, Coalescer<ClaimItem, ClaimResult>>();
  private readonly sentMarks: Coalescer<SentMark, null>;
  private readonly sending = new Semaphore(MAIL_SENDS_IN_FLIGHT);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transport: MailTransport,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'MAIL_FROM' | 'SMTP_URL'>,
  ) {
    this.secrets = urlSecrets(config.SMTP_URL);
    this.sentMarks = new Coalescer(
      async (marks) => {
        await this.rows('email-delivery-sent', SENT_SQL, [JSON.stringify(marks)]);
        return marks.map(() => null);
      },
      {
        max: STATEMENT_MAX_ITEMS,
        key: (mark) => mark.key,
        retryOneByOne: isDataError,
        // A mark need not wait for the one being committed: a send's place is free sooner.
        concurrency: 2,
      },
    );
  }

  /**
   * Builds and sends the email unless it was already sent. Rethrows any failure after
   * recording it, so the job is retried with backoff (see isPermanentMailError to stop early).
   */
  async sendOnce(
    key: EmailDeliveryKey,
    build: () => Promise<MailMessage> | MailMessage,
  ): Promise<EmailDeliveryOutcome> {
    checkKey(key);
    const claimed = await this.claim({ key });
    if (claimed.attempts === null) return this.notClaimed(key.idempotencyKey);
    return this.deliver(key, { ...claimed, attempts: claimed.attempts }, build);
  }

  /**
   * sendOnce with the email's data read by the statement that claims it: no round trip of its
   * own. `build` gets the load's row. Nothing is read when the email was already sent. No row:
   * the attempt is recorded as failed and the error thrown.
   */
  async sendOnceWith<T extends object>(
    key: EmailDeliveryKey,
    load: DeliveryLoad,
    build: (row: T) => Promise<MailMessage> | MailMessage,
  ): Promise<EmailDeliveryOutcome> {
    checkKey(key);
    if (load.types.length !== load.parameters.length)
      throw new Error(`sendOnceWith ${load.label}: a type is needed for each parameter`);
    const claimed = await this.claim({ key, load });
    if (claimed.attempts === null) return this.notClaimed(key.idempotencyKey);
    if (!claimed.row) {
      const error = new Error(load.notFound);
      await this.recordFailure(
        key.idempotencyKey,
        claimed.attempts,
        `could not build the message: ${error.message}`,
      );
      throw error;
    }
    const row = claimed.row;
    return this.deliver(key, { ...claimed, attempts: claimed.attempts }, () => build(row as T));
  }

  /**
   * Claims the delivery (see claimSql), in one statement with the claims made at that time;
   * `claimedFrom` is performance.now() before the claim: its hold cannot have begun earlier.
   */
  private async claim(item: ClaimItem): Promise<ClaimResult & { claimedFrom: number }> {
    const claimedFrom = performance.now();
    const label = item.load?.label ?? '';
    let coalescer = this.claims.get(label);
    if (!coalescer) {
      const sql = claimSql(item.load);
      coalescer = new Coalescer((items) => this.claimAll(label, sql, items), {
        max: STATEMENT_MAX_ITEMS,
        key: (claim) => claim.key.idempotencyKey,
        retryOneByOne: isDataError,
      });
      this.claims.set(label, coalescer);
    }
    return { ...(await coalescer.call(item)), claimedFrom };
  }

  private async claimAll(label: string, sql: string, items: ClaimItem[]): Promise<ClaimResult[]> {
    const input = items.map(({ key, load }, n) => ({
      n,
      key: key.idempotencyKey,
      kind: key.kind,
      movement_id: key.movementId ?? null,
      movement_version: key.movementVersion ?? null,
      ...Object.fromEntries((load?.parameters ?? []).map((value, i) => [`p${i + 1}`, value])),
    }));
    const rows = await this.rows<{
      hns_n: number;
      hns_claim_attempts: number;
      hns_accepted: string[];
    }>(label ? `email-delivery-claim-${label}` : 'email-delivery-claim', sql, [
      JSON.stringify(input),
    ]);
    const results: ClaimResult[] = items.map(() => ({ attempts: null, accepted: [], row: null }));
    for (const { hns_n: n, hns_claim_attempts: attempts, hns_accepted, ...data } of rows) {
      const { hns_found: found, ...row } = data as { hns_found?: boolean };
      results[n] = { attempts, accepted: hns_accepted, row: found ? row : null };
    }
    return results;
  }

  /**
   * Builds, sends and records an email whose attempt is claimed, to the recipients that do not
   * have it yet (`accepted`: those of earlier attempts). Recipients the server refuses for now
   * (4xx) while it accepts others: the email is recorded as failed with the ones accepted, and
   * the retry goes to the refused ones only.
   */
  private async deliver(
    key: EmailDeliveryKey,
    claim: { attempts: number; accepted: string[]; claimedFrom: number },
    build: () => Promise<MailMessage> | MailMessage,
  ): Promise<EmailDeliveryOutcome> {
    const { idempotencyKey } = key;
    const { attempts, accepted } = claim;
    let message: MailMessage;
    try {
      message = {
        ...(await build()),
        messageId: deliveryMessageId(idempotencyKey, this.config.MAIL_FROM),
      };
    } catch (error) {
      await this.recordFailure(
        idempotencyKey,
        attempts,
        `could not build the message: ${this.describe(error)}`,
      );
      throw error;
    }
    const recipients = [...message.to, ...(message.cc ?? [])];
    // A batch told to stop sends nothing more; its emails not yet sent go to jobs of their own.
    // An escalation waits ahead of the emails of every batch running (up to 400 on a slow server).
    const order = sendOrder.getStore();
    await this.sending.acquire(order?.signal, order?.urgent).catch(async () => {
      // Not sent: the job it is handed to need not wait for this claim to lapse.
      await this.releaseClaim(idempotencyKey, attempts);
      throw new DeliveryNotStartedError();
    });
    try {
      if (performance.now() - claim.claimedFrom >= MAIL_HOLD_RECHECK_MS) {
        await this.holdAgain(idempotencyKey, attempts);
      }
      let result: Awaited<ReturnType<MailTransport['send']>>;
      try {
        result = await this.transport.send(message, { except: accepted });
      } catch (error) {
        await this.recordFailure(
          idempotencyKey,
          attempts,
          this.describe(error),
          message,
          recipients,
        );
        throw error;
      }
      const acceptedNow = [...new Set([...accepted, ...result.accepted])];
      if (result.deferred.length > 0) {
        const error = new MailDeferredError(result.deferred);
        // If this record is lost, the retry sends to everyone again (same Message-ID).
        await this.recordFailure(
          idempotencyKey,
          attempts,
          error.message,
          message,
          recipients,
          acceptedNow,
        );
        throw error;
      }
      // The message is out: record it even through a database restart, or the job's retry
      // would send it a second time (found by the fault suite, scenario d).
      await whileDatabaseUnavailable(() =>
        this.sentMarks.call({
          key: idempotencyKey,
          message_id: result.messageId,
          subject: message.subject,
          recipients,
          accepted: acceptedNow,
          last_error: refusedNote(result.rejected),
        }),
      );
      return { status: 'sent', ...result, attempts };
    } finally {
      this.sending.release();
    }
  }

  /**
   * The claim returned nothing: the email was sent (nothing to do), or another attempt holds it
   * (MailBusyError: this one is retried later, see claimSql).
   */
  private async notClaimed(idempotencyKey: string): Promise<EmailDeliveryOutcome> {
    const [row] = await this.rows<DeliveryRow & { sending_until: Date | null }>(
      'email-delivery-row',
      `SELECT status, attempts, message_id, sent_at, sending_until
       FROM email_deliveries WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    if (row?.status !== 'sent') throw new MailBusyError(row?.sending_until ?? null);
    return { status: 'already_sent', messageId: row.message_id, sentAt: row.sent_at };
  }

  /**
   * Takes the hold of attempt number `attempt` again for MAIL_SENDING_LEASE_SECONDS, after a long
   * wait for a sending place (MAIL_HOLD_RECHECK_MS): throws MailBusyError, sending nothing, if
   * another attempt has claimed the email since (its hold having lapsed) or it was sent meanwhile.
   */
  private async holdAgain(idempotencyKey: string, attempt: number): Promise<void> {
    const held = await this.rows(
      'email-delivery-hold-again',
      `UPDATE email_deliveries
       SET sending_until = now() + interval '${MAIL_SENDING_LEASE_SECONDS} seconds'
       WHERE idempotency_key = $1 AND attempts = $2 AND status <> 'sent'
       RETURNING 1`,
      [idempotencyKey, attempt],
    );
    if (held.length === 0) throw new MailBusyError(null);
  }

  /**
   * Ends the hold of attempt number `attempt` on an email it did not send (see claimSql); a hold
   * another attempt has taken since (this one's having lapsed) stays.
   */
  private async releaseClaim(idempotencyKey: string, attempt: number): Promise<void> {
    try {
      await this.rows(
        'email-delivery-release',
        `UPDATE email_deliveries SET sending_until = NULL
         WHERE idempotency_key = $1 AND status <> 'sent' AND attempts = $2`,
        [idempotencyKey, attempt],
      );
    } catch (error) {
      // The hold then lapses by itself (MAIL_SENDING_LEASE_SECONDS).
      this.logger.warn(
        `Could not release the claim of email ${idempotencyKey}: ${this.describe(error)}`,
      );
    }
  }

  /**
   * Records attempt number `attempt` as failed, and ends its hold on the email unless another
   * attempt has taken the email since (this one's hold having lapsed).
   */
  private async recordFailure(
    idempotencyKey: string,
    attempt: number,
    error: string,
    message?: MailMessage,
    recipients?: string[],
    accepted?: string[],
  ): Promise<void> {
    try {
      await this.rows(
        'email-delivery-failed',
        `UPDATE email_deliveries
         SET status = 'failed', last_error = $2,
             sending_until = CASE WHEN attempts = $7 THEN NULL ELSE sending_until END,
             subject = coalesce($3, subject), message_id = coalesce($4, message_id),
             recipients = coalesce($5, recipients), accepted = coalesce($6, accepted)
         WHERE idempotency_key = $1 AND status <> 'sent'`,
        [
          idempotencyKey,
          error,
          message?.subject ?? null,
          message?.messageId ?? null,
          recipients ?? null,
          accepted ?? null,
          attempt,
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

function checkKey(key: EmailDeliveryKey): void {
  if (!key.idempotencyKey || !key.kind) throw new Error('idempotencyKey and kind are required');
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
