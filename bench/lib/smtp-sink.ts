import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A loopback SMTP server that accepts every message and only counts it (no parsing, nothing
 * stored), so that it costs the system under test and the nodemailer baseline the same.
 */
export class SmtpSink {
  messages = 0;
  bytes = 0;
  private readonly server: SMTPServer;
  private port?: number;

  constructor() {
    this.server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      disableReverseLookup: true,
      logger: false,
      closeTimeout: 500,
      maxClients: 100,
      onData: (stream, _session, callback) => {
        stream.on('data', (chunk: Buffer) => (this.bytes += chunk.length));
        stream.on('end', () => {
          this.messages += 1;
          callback();
        });
        stream.on('error', callback);
      },
    });
    this.server.on('error', () => undefined);
  }

  get url(): string {
    if (this.port === undefined) throw new Error('SmtpSink: not started');
    return `smtp://127.0.0.1:${this.port}`;
  }

  get address(): { host: string; port: number } {
    if (this.port === undefined) throw new Error('SmtpSink: not started');
    return { host: '127.0.0.1', port: this.port };
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (this.port === undefined) return;
    this.port = undefined;
    for (const connection of this.server.connections) connection.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
