import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { SMTPPoolOptions } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { describeMailError, urlSecrets } from './mail-errors';
import { MailMessage, MailSendResult } from './mail-message';
import { MailSinkServer } from './mail-sink.server';
import { CompiledMessage, compileMessage } from './mime-message';
import { SmtpThread } from './smtp-thread';

export type MailTransportConfig = Pick<AppConfig, 'SMTP_URL' | 'MAIL_FROM' | 'MAIL_SINK_PORT'>;

/** Bounds on every SMTP exchange, so that a stalled server fails a job instead of hanging it. */
const POOL_OPTIONS = {
  pool: true as const,
  maxConnections: 5,
  maxMessages: 100,
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 60_000,
  dnsTimeout: 10_000,
} satisfies SMTPPoolOptions;
const SEND_DEADLINE_MS = 120_000;
const VERIFY_TIMEOUT_MS = 3_000;

const HEADER_NAME = /^[A-Za-z0-9-]{1,76}$/;

/** The SMTP server could not be reached or refused the login (verify). */
export class MailTransportError extends Error {}

/** The message itself is wrong: sending it again cannot succeed. */
export class InvalidMailMessageError extends Error {
  readonly permanent = true;
}

/**
 * The only way out for email: one pooled SMTP transporter, to SMTP_URL when it is set and
 * otherwise to the embedded development sink on 127.0.0.1. Messages are built here and sent
 * by nodemailer's pool in a worker thread of its own (SmtpThread), started on first use, so a
 * process that never sends opens no pool.
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private thread?: SmtpThread;

  constructor(
    @Inject(APP_CONFIG) private readonly config: MailTransportConfig,
    // When the sink runs in this process, its bound port wins (MAIL_SINK_PORT may be 0).
    @Optional() private readonly sink?: MailSinkServer,
  ) {}

  /** Where mail goes, without credentials, for logs and health answers. */
  get target(): string {
    if (!this.config.SMTP_URL) return `smtp://127.0.0.1:${this.sinkPort()} (development sink)`;
    const url = new URL(this.config.SMTP_URL);
    return `${url.protocol}//${url.host}`;
  }

  /**
   * Sends the message; `except` names envelope recipients that already have it (an earlier
   * attempt they accepted): the same message goes to the others only. With none left, nothing
   * is sent.
   */
  async send(message: MailMessage, options: { except?: string[] } = {}): Promise<MailSendResult> {
    checkMessage(message);
    let compiled: CompiledMessage;
    try {
      compiled = compileMessage(message, {
        from: this.config.MAIL_FROM,
        // The random part of the multipart boundaries, drawn once per message.
        boundaryBase: boundaryBase(),
      });
    } catch (error) {
      // An address or header nodemailer cannot encode: sending it again cannot succeed.
      throw new InvalidMailMessageError(
        `the message could not be built: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    // The message built in one pass (see compileMessage) and handed to the pool as it is: no
    // MIME tree of streams, one socket write.
    const except = new Set((options.except ?? []).map((address) => address.toLowerCase()));
    const to = compiled.envelope.to.filter((address) => !except.has(address.toLowerCase()));
    if (to.length === 0) {
      return { messageId: compiled.messageId, accepted: [], rejected: [], deferred: [] };
    }
    return this.smtp().send({
      envelope: { ...compiled.envelope, to },
      raw: compiled.raw,
      messageId: compiled.messageId,
      deadlineMs: SEND_DEADLINE_MS,
    });
  }

  /** For health checks: resolves when the SMTP server answers and accepts the login. */
  async verify(timeoutMs = VERIFY_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new MailTransportError(`${this.target} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.smtp().verify(), timeout]);
    } catch (error) {
      if (error instanceof MailTransportError) throw error;
      throw new MailTransportError(
        `${this.target}: ${describeMailError(error, urlSecrets(this.config.SMTP_URL))}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Last of the shutdown phases: the worker's queues close before (beforeApplicationShutdown),
   * so a message still waiting for a pooled connection is sent, not rejected (fault suite, e).
   */
  onApplicationShutdown(): void {
    this.thread?.close();
    this.thread = undefined;
  }

  private smtp(): SmtpThread {
    if (this.thread) return this.thread;
    this.thread = new SmtpThread(
      this.config.SMTP_URL
        ? { ...POOL_OPTIONS, url: this.config.SMTP_URL }
        : {
            ...POOL_OPTIONS,
            host: '127.0.0.1',
            port: this.sinkPort(),
            secure: false,
            ignoreTLS: true,
          },
      // Messages carry their content inline; never let one read a local file or fetch a URL.
      { from: this.config.MAIL_FROM, disableFileAccess: true, disableUrlAccess: true },
    );
    return this.thread;
  }

  private sinkPort(): number {
    return this.sink?.port ?? this.config.MAIL_SINK_PORT;
  }
}

/**
 * 16 hex digits for a message's multipart boundaries. randomUUID draws from Node's cached pool of
 * random bytes (one system call per 128 UUIDs, where randomBytes makes one per call); 15 of the
 * 16 digits are random (the UUID's version digit is fixed), plenty for a boundary.
 */
export function boundaryBase(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16);
}

function checkMessage(message: MailMessage): void {
  if (message.to.length === 0)
    throw new InvalidMailMessageError('to: at least one recipient is required');
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!HEADER_NAME.test(name) || /[\r\n]/.test(value)) {
      throw new InvalidMailMessageError(
        `headers.${name}: must be a header name without line breaks in its value`,
      );
    }
  }
}
