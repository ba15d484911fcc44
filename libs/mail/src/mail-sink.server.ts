import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { SMTPServer, SMTPServerDataStream } from 'smtp-server';
import { APP_CONFIG, AppConfig } from '@hns/config';

/** Largest message the sink stores; acknowledgements with an .ics are a few kilobytes. */
export const MAIL_SINK_MAX_BYTES = 10 * 1024 * 1024;
const SINK_HOST = '127.0.0.1';
/** Stop waits this long for open SMTP sessions (e.g. an idle pooled connection) to end. */
const CLOSE_TIMEOUT_MS = 2000;

export class MailSinkPortInUseError extends Error {
  readonly code = 'EADDRINUSE';
}

/**
 * The development SMTP server used when no SMTP_URL is set: it accepts every message on
 * 127.0.0.1 without authentication and stores it as `<timestamp>-<random>.eml` in
 * mailSinkDir, where MailSinkStore and GET /dev/mail read it. Nothing is delivered.
 */
@Injectable()
export class MailSinkServer implements OnModuleDestroy {
  private readonly logger = new Logger(MailSinkServer.name);
  private server?: SMTPServer;
  private boundPort?: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'mailSinkDir' | 'MAIL_SINK_PORT'>,
  ) {}

  /** The port it listens on once started (useful with port 0), otherwise undefined. */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** Starts listening on 127.0.0.1 (MAIL_SINK_PORT by default; 0 picks a free port). */
  async start(port: number = this.config.MAIL_SINK_PORT): Promise<number> {
    if (this.server && this.boundPort !== undefined) return this.boundPort;
    await mkdir(this.config.mailSinkDir, { recursive: true });
    const server = new SMTPServer({
      banner: 'CMCoord HNS development mail sink: messages are stored, never delivered',
      authOptional: true,
      // No TLS either: the sink listens on the loopback interface only.
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: MAIL_SINK_MAX_BYTES,
      rejectOversized: true,
      closeTimeout: CLOSE_TIMEOUT_MS,
      logger: false,
      onData: (stream, _session, callback) => {
        this.store(stream).then(
          (id) => callback(null, `stored as ${id}`),
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      },
    });
    this.boundPort = await listen(server, port);
    // Session errors (a client hanging up) must not crash the process.
    server.on('error', (error) => this.logger.warn(`SMTP session error: ${error.message}`));
    this.server = server;
    this.logger.debug(
      `Development mail sink on smtp://${SINK_HOST}:${this.boundPort}, storing in ${this.config.mailSinkDir}`,
    );
    return this.boundPort;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.boundPort = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  private async store(stream: SMTPServerDataStream): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      // Keep reading an oversized message to the end, but not into memory: the server answers 552.
      if (!stream.sizeExceeded) chunks.push(chunk as Buffer);
    }
    if (stream.sizeExceeded) return 'nothing (too large)';
    const id = `${Date.now()}-${randomBytes(8).toString('hex')}`;
    const file = join(this.config.mailSinkDir, `${id}.eml`);
    // Written under a hidden temporary name, then renamed: a reader never sees half a message.
    const temporary = join(this.config.mailSinkDir, `.${id}.tmp`);
    await mkdir(this.config.mailSinkDir, { recursive: true });
    try {
      await writeFile(temporary, Buffer.concat(chunks), { flag: 'wx' });
      await rename(temporary, file);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    return id;
  }
}

function listen(server: SMTPServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.close();
      reject(
        error.code === 'EADDRINUSE'
          ? new MailSinkPortInUseError(
              `MAIL_SINK_PORT ${port} is already in use on ${SINK_HOST}: another worker may already run ` +
                'the development mail sink, or choose another port with MAIL_SINK_PORT',
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, SINK_HOST, () => {
      server.off('error', onError);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
}
