import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT, VAR_DIR, sleep } from './env';

/** A child process of the benchmark (API, worker, baseline server), with its log in var/bench. */
export interface Service {
  name: string;
  child: ChildProcess;
  pid: number;
  log: string;
  /** Resolves once the child has exited. */
  exited: Promise<number | null>;
}

const running = new Set<Service>();

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node <script>` from the repository root (where config/ is read), logging to
 * var/bench/<name>.log, and resolves once a line of its output matches `ready`.
 */
export async function startService(options: {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
  ready: RegExp;
  timeoutMs?: number;
  cpuProfile?: boolean;
  /** Extra flags for node, before the script. */
  nodeFlags?: string[];
}): Promise<Service> {
  const log = join(VAR_DIR, `${options.name}.log`);
  const out = createWriteStream(log);
  const flags: string[] = [...(options.nodeFlags ?? [])];
  if (options.cpuProfile) {
    const dir = join(VAR_DIR, 'profiles');
    mkdirSync(dir, { recursive: true });
    flags.push(
      '--require',
      join(__dirname, 'exit-on-sigusr2.js'),
      '--cpu-prof',
      // One token each: the SMTP thread drops every --cpu-prof flag (libs/mail/src/smtp-thread.ts),
      // else its profile, written under the same name, replaces the main thread's.
      `--cpu-prof-dir=${dir}`,
      `--cpu-prof-name=${options.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`,
    );
  }
  const child = spawn(process.execPath, [...flags, join(ROOT, options.script)], {
    cwd: ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${options.name}: could not start`);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const service: Service = { name: options.name, child, pid: child.pid, log, exited };
  running.add(service);
  exited.then(() => running.delete(service));

  let seen = '';
  let isReady = false;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `${options.name} not ready after ${options.timeoutMs ?? 120_000} ms; see ${log}`,
          ),
        ),
      options.timeoutMs ?? 120_000,
    );
    const onData = (chunk: Buffer) => {
      out.write(chunk);
      if (isReady) return;
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (options.ready.test(seen)) {
        isReady = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${code}) before it was ready; see ${log}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    await stopService(service);
    throw error;
  }
  return service;
}

/** Stops a child: SIGTERM (SIGUSR2 when profiling), then SIGKILL after a grace period. */
export async function stopService(service: Service, graceMs = 15_000): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  const profiled = service.child.spawnargs.includes('--cpu-prof');
  service.child.kill(profiled ? 'SIGUSR2' : 'SIGTERM');
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([service.exited, timer])) === 'timeout') {
    service.child.kill('SIGKILL');
    await service.exited;
  }
}

/** Last resort when the benchmark itself fails or is interrupted: only our own children. */
export function killAllSync(): void {
  for (const service of running) {
    try {
      process.kill(service.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((service) => stopService(service)));
}

/** Resident memory of a process from /proc (Linux): current and peak (high-water mark), in MB. */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Samples the RSS of some processes every `everyMs` until stopped; keeps the peak of each. */
export class MemorySampler {
  private readonly peaks = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  samples = 0;

  constructor(
    private readonly services: Service[],
    private readonly everyMs = 200,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    return this;
  }

  stop(): Record<string, number> {
    clearInterval(this.timer);
    this.sample();
    return Object.fromEntries(this.peaks);
  }

  private sample(): void {
    this.samples += 1;
    for (const service of this.services) {
      const memory = memoryOf(service.pid);
      if (!memory) continue;
      this.peaks.set(service.name, Math.max(this.peaks.get(service.name) ?? 0, memory.rssMb));
    }
  }
}

/**
 * CPU time (user + system, in clock ticks of 10 ms) of one process, with its command and parent,
 * from /proc/<pid>/stat.
 */
function cpuTicks(pid: number | string): { comm: string; ppid: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // Fields after the command: state is [0], the parent [1]; utime and stime are fields 14 and
    // 15 of stat.
    return { comm, ppid: fields[1], ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** The Linux kernel's own threads: kthreadd (pid 2) and its children. */
const KERNEL_THREADS = '2';

/**
 * CPU seconds used by each part of the system between two snapshots: the API, the worker,
 * the PostgreSQL sessions of the benchmark's database, every Redis process of the machine, and
 * the benchmark process with its own children (load generator, SMTP sink, wrk). Everything else
 * the machine ran meanwhile is `other` (another program, PostgreSQL sessions of other databases),
 * except the kernel's threads and PostgreSQL's background processes: a figure measured while
 * `other` is large is not comparable with its baseline (see foreignShare). Processes that exit
 * between the snapshots are not counted.
 */
export class CpuMeter {
  private start = new Map<string, { group: string; ticks: number }>();

  /**
   * @param database only PostgreSQL backends serving this database count (other clusters and
   *   other databases on a shared machine do not; background writers are left out)
   */
  constructor(
    private readonly services: Service[],
    private readonly database = 'hns_bench',
  ) {}

  private groupOf(pid: string, comm: string): string | undefined {
    if (comm.startsWith('redis')) return 'redis';
    if (comm !== 'postgres') return 'other';
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      // "postgres: [15/main: ]<user> <database> <client> <state>"; a background process has no
      // database ("postgres: 15/main: checkpointer")
      const words = title.replace(/^postgres: (\S+: )?/, '').split(/\s+/);
      if (words[1] === this.database) return 'postgres';
      return /^\S+\(\d+\)$|^\[local\]$/.test(words[2] ?? '') ? 'other' : undefined;
    } catch {
      return undefined;
    }
  }

  private snapshot(): Map<string, { group: string; ticks: number }> {
    const named = new Map(this.services.map((s) => [String(s.pid), s.name]));
    named.set(String(process.pid), 'bench');
    const all = new Map<string, { comm: string; ppid: string; ticks: number }>();
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const cpu = cpuTicks(pid);
      if (cpu) all.set(pid, cpu);
    }
    /** The named process this one descends from (a child of the benchmark: wrk, the CLI). */
    const ancestor = (pid: string): string | undefined => {
      for (let at = all.get(pid)?.ppid, depth = 0; at && depth < 32; depth += 1) {
        if (named.has(at)) return named.get(at);
        at = all.get(at)?.ppid;
      }
      return undefined;
    };
    const out = new Map<string, { group: string; ticks: number }>();
    // The benchmark's other services (the API during the intake baseline): not measured here.
    const unmeasured = new Set([...running].map((s) => String(s.pid)).filter((p) => !named.has(p)));
    for (const [pid, cpu] of all) {
      if (pid === KERNEL_THREADS || cpu.ppid === KERNEL_THREADS || unmeasured.has(pid)) continue;
      const group = named.get(pid) ?? ancestor(pid) ?? this.groupOf(pid, cpu.comm);
      if (group) out.set(pid, { group, ticks: cpu.ticks });
    }
    return out;
  }

  private startedAt = 0;
  /** Wall-clock seconds between begin() and the last end(). */
  wallSeconds = 0;

  begin(): this {
    this.start = this.snapshot();
    this.startedAt = performance.now();
    return this;
  }

  /** CPU seconds per group since begin(). */
  end(): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const [pid, now] of this.snapshot()) {
      const before = this.start.get(pid)?.ticks ?? 0;
      totals[now.group] = (totals[now.group] ?? 0) + (now.ticks - before) / 100;
    }
    this.wallSeconds = (performance.now() - this.startedAt) / 1000;
    return totals;
  }
}

/**
 * The share of the machine's CPU (all its cores, over the wall time measured) that processes
 * foreign to the benchmark used: above FOREIGN_LOAD_LIMIT the figures measured then are not
 * comparable with their baselines, nor with other runs.
 */
export function foreignShare(cpu: Record<string, number>, wallSeconds: number): number {
  return wallSeconds > 0 ? (cpu.other ?? 0) / (wallSeconds * cpus().length) : 0;
}
export const FOREIGN_LOAD_LIMIT = 0.05;

/** "api 4.1 ms, postgres 2.3 ms, …" per unit of work, from CpuMeter seconds. */
export function cpuPer(cpu: Record<string, number>, units: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(cpu).map(([group, seconds]) => [
      group,
      Number(((1000 * seconds) / units).toFixed(3)),
    ]),
  );
}

export function describeCpu(cpu: Record<string, number>, units: number, unit: string): string {
  return Object.entries(cpuPer(cpu, units))
    .sort((a, b) => b[1] - a[1])
    .map(([group, ms]) => `${group} ${ms.toFixed(2)} ms`)
    .join(', ')
    .concat(` of CPU per ${unit}`);
}
