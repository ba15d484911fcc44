import { ChildProcess, spawn } from 'node:child_process';
import { WriteStream, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A port the kernel just handed out on 127.0.0.1, so the suite never touches shared ones. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Every child the suite starts, so that an exit for whatever reason (failure, Ctrl-C, a bug in
 * the suite) leaves no process behind. Cleanups run synchronously from process 'exit'.
 */
const exitCleanups: (() => void)[] = [];
export function onExit(cleanup: () => void): void {
  exitCleanups.unshift(cleanup);
}
export function runExitCleanups(): void {
  while (exitCleanups.length > 0) {
    try {
      exitCleanups.shift()?.();
    } catch {
      // Best effort: the next cleanup must still run.
    }
  }
}

/**
 * One long-running child process with its output in a log file. `exited` settles when it ends;
 * `waitForOutput` resolves on the first line matching, which is how readiness is detected.
 */
export class ChildService {
  private child?: ChildProcess;
  private log?: WriteStream;
  private exitPromise: Promise<Exit> = Promise.resolve({ code: 0, signal: null });
  private outputWaiters: { pattern: RegExp; resolve: () => void }[] = [];
  private buffered = '';
  /** How many times it was started, for the log. */
  starts = 0;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
  ) {
    onExit(() => this.child?.exitCode === null && this.child.kill('SIGKILL'));
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.signalCode;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get exited(): Promise<Exit> {
    return this.exitPromise;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.starts += 1;
    this.log ??= createWriteStream(this.options.logFile, { flags: 'a' });
    this.log.write(`\n===== ${new Date().toISOString()} start #${this.starts} =====\n`);
    this.buffered = '';
    const child = spawn(this.command, this.args, {
      cwd: this.options.cwd,
      env: this.options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitPromise = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        this.log?.write(`===== exit code=${code} signal=${signal} =====\n`);
        resolve({ code, signal });
      });
      child.once('error', (error) => {
        this.log?.write(`===== spawn error: ${error.message} =====\n`);
        resolve({ code: -1, signal: null });
      });
    });
    const onData = (chunk: Buffer) => {
      this.log?.write(chunk);
      this.buffered = (this.buffered + chunk.toString('utf8')).slice(-8192);
      this.outputWaiters = this.outputWaiters.filter((waiter) => {
        if (!waiter.pattern.test(this.buffered)) return true;
        waiter.resolve();
        return false;
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  }

  /** Resolves when the output since the last start matches; rejects if the process ends first. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    if (pattern.test(this.buffered)) return;
    let timer: NodeJS.Timeout | undefined;
    const seen = new Promise<void>((resolve) => this.outputWaiters.push({ pattern, resolve }));
    const ended = this.exitPromise.then((exit) => {
      throw new Error(`${this.name} exited (${exit.code ?? exit.signal}) before it was ready`);
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([seen, ended, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child?.kill(signal);
  }

  /** Sends `signal` and waits for the exit; null when it did not end within the time. */
  async stop(signal: NodeJS.Signals, timeoutMs: number): Promise<Exit | null> {
    if (!this.running) return this.exitPromise;
    this.signal(signal);
    return withTimeout(this.exitPromise, timeoutMs);
  }

  async close(): Promise<void> {
    if ((await this.stop('SIGTERM', 10_000)) === null) {
      this.signal('SIGKILL');
      await this.exitPromise;
    }
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = undefined;
  }
}

/** Runs a command to completion; rejects with its output when it fails or takes too long. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else
        reject(
          new Error(`${command} ${args.join(' ')} failed (${code ?? signal}):\n${output.trim()}`),
        );
    });
  });
}

export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
