import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import {
  SMTPServer,
  type SMTPServerDataStream,
  type SMTPServerEnvelope,
  type SMTPServerSession,
} from 'smtp-server';

/** One message as the mail server received it. */
export interface ReceivedMail {
  mail: ParsedMail;
  /** The message exactly as sent (RFC 5322), e.g. to check headers mailparser normalises. */
  raw: Buffer;
  /** SMTP envelope: who the client said it was sending to, Bcc included. */
  envelope: { from: string | undefined; to: string[] };
}

export type MailPredicate = (mail: ParsedMail, received: ReceivedMail) => boolean;

/** SMTP reply a real server sends when it cannot take mail for a while (RFC 5321 §4.2.3). */
const UNAVAILABLE = 421;

/**
 * A real SMTP server on 127.0.0.1 for end-to-end tests: accepts any mail without
 * authentication or TLS, keeps every message parsed, and can simulate an outage.
 */
export class SmtpTestServer {
  /** Every message received since start() or the last clear(), oldest first. */
  readonly received: ReceivedMail[] = [];
  /** How many connections were refused while refuseConnections(true) was on. */
  refusedConnections = 0;

  private readonly server: SMTPServer;
  private readonly arrivals = new EventEmitter();
  private refusing = false;
  /** Recipients whose messages to answer "try again later" (451), and how many more times. */
  private readonly deferred = new Map<string, number>();
  /** Recipients to refuse at RCPT TO with 450 (the others of the message are accepted). */
  private readonly deferredRecipients = new Map<string, number>();
  private port: number | undefined;
  /** How long the server takes to answer each message after its data, ms. */
  private slowness = 0;

  constructor() {
    this.arrivals.setMaxListeners(0);
    this.server = new SMTPServer({
      // Plain SMTP only: no STARTTLS to negotiate with a self-signed certificate.
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      disableReverseLookup: true,
      logger: false,
      closeTimeout: 500,
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'test' }),
      onConnect: (_session, callback) => callback(this.refusing ? this.outage(true) : null),
      onMailFrom: (_address, _session, callback) => callback(this.refusing ? this.outage() : null),
      onRcptTo: (address, _session, callback) => callback(this.recipientDeferral(address.address)),
      onData: (stream, session, done) => {
        // Every answer after the data comes `slowness` ms late (see slowDown).
        const callback = (error?: Error | null) =>
          this.slowness > 0 ? setTimeout(() => done(error), this.slowness) : done(error);
        const deferral = this.deferral(envelopeOf(session.envelope).to);
        if (deferral) {
          stream.on('end', () => callback(deferral)).resume();
          return;
        }
        this.receive(stream, session).then(() => callback(), callback);
      },
    });
  }

  get messages(): ParsedMail[] {
    return this.received.map((received) => received.mail);
  }

  /** smtp://127.0.0.1:PORT, to use as SMTP_URL. */
  get url(): string {
    if (this.port === undefined) throw new Error('SmtpTestServer: call start() first');
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      this.server.server.once('error', fail);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.server.off('error', fail);
        resolve();
      });
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.arrivals.emit('stop');
    if (this.port === undefined) return;
    this.port = undefined;
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  clear(): void {
    this.received.length = 0;
    this.refusedConnections = 0;
  }

  /**
   * While on, the server answers every new connection with 421 and drops the open ones,
   * as a mail server that is down would; mail sent meanwhile must be retried by the sender.
   */
  refuseConnections(on: boolean): void {
    this.refusing = on;
    if (on) this.dropConnections();
  }

  /**
   * Answers each message `ms` after its data has arrived (0: at once), as a loaded relay or a
   * slow link does: a connection sends one message at a time.
   */
  slowDown(ms: number): void {
    this.slowness = ms;
  }

  /**
   * The next `times` messages with `address` among their recipients are refused after their
   * data with 451 (a temporary failure, RFC 5321 §4.2.2): nothing of them is received.
   */
  deferMessagesTo(address: string, times = 1): void {
    this.deferred.set(address.toLowerCase(), times);
  }

  /**
   * Resolves with the first message (already received or still to come) that matches,
   * as soon as it arrives. On timeout, the error lists the subjects received so far.
   */
  waitFor(
    predicate: MailPredicate,
    { timeoutMs = 10_000, description }: { timeoutMs?: number; description?: string } = {},
  ): Promise<ParsedMail> {
    const existing = this.received.find((received) => predicate(received.mail, received));
    if (existing) return Promise.resolve(existing.mail);
    return new Promise<ParsedMail>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.arrivals.off('mail', onMail);
        this.arrivals.off('stop', onStop);
      };
      const onMail = (received: ReceivedMail) => {
        if (!predicate(received.mail, received)) return;
        finish();
        resolve(received.mail);
      };
      const onStop = () => {
        finish();
        reject(new Error(`SmtpTestServer stopped while waiting for ${expectation(description)}`));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(this.timeoutMessage(expectation(description), timeoutMs)));
      }, timeoutMs);
      this.arrivals.on('mail', onMail);
      this.arrivals.on('stop', onStop);
    });
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const mail = await simpleParser(raw);
    const received: ReceivedMail = { mail, raw, envelope: envelopeOf(session.envelope) };
    // Recorded before the client gets its 250, so a sender that saw success finds it here.
    this.received.push(received);
    this.arrivals.emit('mail', received);
  }

  /**
   * The next `times` messages to `address` are refused for that recipient alone at RCPT TO
   * with 450 (a greylisting or full mailbox, RFC 5321 §4.2.2); their other recipients get them.
   */
  deferRecipient(address: string, times = 1): void {
    this.deferredRecipients.set(address.toLowerCase(), times);
  }

  private recipientDeferral(address: string): (Error & { responseCode: number }) | null {
    return takeDeferral(this.deferredRecipients, [address], 450, 'Mailbox unavailable');
  }

  private deferral(recipients: string[]): (Error & { responseCode: number }) | null {
    return takeDeferral(this.deferred, recipients, 451, 'Local error');
  }

  private outage(counted = false): Error & { responseCode: number } {
    if (counted) this.refusedConnections += 1;
    return Object.assign(new Error('Service not available (simulated outage)'), {
      responseCode: UNAVAILABLE,
    });
  }

  private dropConnections(): void {
    for (const connection of this.server.connections) {
      connection.send(UNAVAILABLE, 'Service not available, closing transmission channel');
      connection.close();
    }
  }

  private timeoutMessage(what: string, timeoutMs: number): string {
    const subjects = this.received.map(
      ({ mail, envelope }) =>
        `  - "${mail.subject ?? '(no subject)'}" to ${envelope.to.join(', ')}`,
    );
    return (
      `Timed out after ${timeoutMs} ms waiting for ${what}; ` +
      (subjects.length === 0
        ? 'no message was received.'
        : `received ${subjects.length}:\n${subjects.join('\n')}`)
    );
  }
}

function expectation(description: string | undefined): string {
  return description ? `an email: ${description}` : 'a matching email';
}

/**
 * The first of `addresses` still to be refused in `left` (address → times), counted down: the
 * SMTP error to answer with, or null.
 */
function takeDeferral(
  left: Map<string, number>,
  addresses: string[],
  responseCode: number,
  text: string,
): (Error & { responseCode: number }) | null {
  const address = addresses
    .map((candidate) => candidate.toLowerCase())
    .find((candidate) => (left.get(candidate) ?? 0) > 0);
  if (!address) return null;
  left.set(address, (left.get(address) ?? 0) - 1);
  return Object.assign(new Error(`${text}, try again later (simulated)`), { responseCode });
}

function envelopeOf(envelope: SMTPServerEnvelope): ReceivedMail['envelope'] {
  return {
    from: envelope.mailFrom ? envelope.mailFrom.address : undefined,
    to: envelope.rcptTo.map((recipient) => recipient.address),
  };
}
