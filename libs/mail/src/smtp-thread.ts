import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SMTPPoolOptions } from 'nodemailer';
import type { MailSendResult } from './mail-message';

/** The thread's script: plain CommonJS next to this file (the build copies it to dist/). */
const SCRIPT = join(__dirname, 'smtp-thread.worker.cjs');

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** A message as the SMTP connection takes it: the envelope, the bytes, its deadline. */
export interface SmtpSend {
  envelope: { from: string; to: string[] };
  raw: Uint8Array;
  messageId: string;
  deadlineMs: number;
}

/**
 * nodemailer's SMTP pool in a worker thread (see smtp-thread.worker.cjs): started on first
 * use, started again after it stops. A send in flight when the thread stops fails, and its job
 * is retried. Errors come back as errors with nodemailer's fields (code, responseCode, response, command),
 * so that describeMailError and isPermanentMailError read them as before.
 */
export class SmtpThread {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly options: SMTPPoolOptions | Record<string, unknown>,
    private readonly defaults: Record<string, unknown>,
  ) {
    if (!existsSync(SCRIPT)) throw new Error(`the SMTP thread's script is missing: ${SCRIPT}`);
  }

  /**
   * Sends the message; resolves with the server's answer per recipient. Bytes with memory of
   * their own (compileMessage's) move to the thread without a copy: `raw` is empty afterwards.
   */
  send(message: SmtpSend): Promise<MailSendResult> {
    const { raw } = message;
    const own =
      raw.buffer instanceof ArrayBuffer &&
      raw.byteOffset === 0 &&
      raw.byteLength === raw.buffer.byteLength;
    return this.request(
      { type: 'send', ...message },
      own ? [raw.buffer] : [],
    ) as Promise<MailSendResult>;
  }

  /** Resolves when the SMTP server answers and accepts the login. */
  async verify(): Promise<void> {
    await this.request({ type: 'verify' });
  }

  private request(
    request: { type: 'send' | 'verify' },
    transfer: ArrayBuffer[] = [],
  ): Promise<unknown> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      // Posted first: a message that cannot be posted (bytes already moved) rejects and leaves
      // nothing pending. The reply comes in a later event, never before the next line.
      worker.postMessage({ ...request, id }, transfer);
      this.pending.set(id, { resolve, reject });
    });
  }

  /** Closes the pool's connections (QUIT) and ends the thread. */
  close(): void {
    const worker = this.worker;
    this.worker = undefined;
    worker?.postMessage({ type: 'close' });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(SCRIPT, {
      workerData: { options: this.options, defaults: this.defaults },
      name: 'hns-smtp',
      // A profiled process (node --cpu-prof, as `npm run bench -- --cpu-prof` starts it) would
      // profile this thread too, under the main thread's file name, replacing its profile. (A
      // thread refuses some of the process's flags, such as the heap cap, so none are passed.)
      execArgv: process.execArgv.some((flag) => flag.startsWith('--cpu-prof')) ? [] : undefined,
    });
    // The process does not wait for an idle thread to exit; a send in flight is awaited anyway.
    worker.unref();
    worker.on(
      'message',
      (reply: { id: number; ok: boolean; info?: unknown; error?: ThreadError }) => {
        const pending = this.pending.get(reply.id);
        if (!pending) return;
        this.pending.delete(reply.id);
        if (reply.ok) pending.resolve(reply.info);
        else pending.reject(toError(reply.error));
      },
    );
    const stopped = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        pending.reject(new Error(`the SMTP thread stopped (${reason}); the email was not sent`));
      }
    };
    worker.on('error', (error) => stopped(error.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }
}

interface ThreadError {
  name: string;
  message: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

function toError(error: ThreadError | undefined): Error {
  const { name = 'Error', message = 'the SMTP thread gave no reason', ...fields } = error ?? {};
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return Object.assign(new Error(message), { name }, defined);
}
