import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder up whose package.json is this project's. */
export const ROOT = findRoot(__dirname);

function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).name === 'cmcoord-hns')
      return dir;
  }
  throw new Error(`cannot find the repository root above ${from}`);
}
/** Logs and CPU profiles of a run: var/ is ignored by git. */
export const VAR_DIR = join(ROOT, 'var', 'bench');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

export const BENCHMARKS = ['intake', 'pipeline', 'mail', 'zones', 'queries'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

function int(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name}: must be an integer ≥ ${min}, got "${raw}"`);
  }
  return value;
}

/** Sizes, all overridable for quick runs (e.g. BENCH_QUERY_MOVEMENTS=100000). */
export const SIZES = {
  intakeSeconds: int('BENCH_INTAKE_SECONDS', 15),
  intakeConnections: int('BENCH_INTAKE_CONNECTIONS', 32),
  /** Unmeasured load before each server's measured run, then ANALYZE (bench/intake.ts). */
  intakeWarmupSeconds: int('BENCH_INTAKE_WARMUP_SECONDS', 3, 0),
  pipelineMovements: int('BENCH_PIPELINE_MOVEMENTS', 10_000),
  mailMessages: int('BENCH_MAIL_MESSAGES', 5_000),
  zoneMovements: int('BENCH_ZONE_MOVEMENTS', 100_000),
  queryMovements: int('BENCH_QUERY_MOVEMENTS', 1_000_000),
  queryRequests: int('BENCH_QUERY_REQUESTS', 1_000),
};

export type Sizes = typeof SIZES;

export interface Options {
  only: BenchmarkName[];
  cpuProfile: boolean;
  explain: boolean;
  skipBuild: boolean;
  /** Intake: also load both servers with wrk (bench/WRK.md). */
  wrk: boolean;
  /** Remove the movement data before each benchmark (bench/lib/reset.ts); --no-reset keeps it. */
  reset: boolean;
}

const ALIASES: Record<string, BenchmarkName> = { zone: 'zones', 'zone-recheck': 'zones' };

export function parseOptions(argv: string[]): Options {
  const options: Options = {
    only: [...BENCHMARKS],
    cpuProfile: false,
    explain: process.env.BENCH_EXPLAIN === '1',
    skipBuild: false,
    wrk: false,
    reset: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.split('=', 2);
    if (flag === '--only') {
      const list = inline ?? argv[++i] ?? '';
      const names = list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      options.only = names.map((name) => {
        const known = ALIASES[name] ?? name;
        if (!(BENCHMARKS as readonly string[]).includes(known)) {
          throw new Error(`--only: unknown benchmark "${name}" (known: ${BENCHMARKS.join(', ')})`);
        }
        return known as BenchmarkName;
      });
    } else if (flag === '--cpu-prof') options.cpuProfile = true;
    else if (flag === '--explain') options.explain = true;
    else if (flag === '--skip-build') options.skipBuild = true;
    else if (flag === '--wrk') options.wrk = true;
    else if (flag === '--no-reset') options.reset = false;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument "${arg}"\n${USAGE}`);
  }
  return options;
}

export const USAGE = `npm run bench [-- --only intake,pipeline,mail,zones,queries] [--cpu-prof] [--explain] [--skip-build] [--wrk] [--no-reset]

  --only      run only these benchmarks (memory is measured during intake and pipeline)
  --no-reset  do not remove the movement data (movements and what hangs off them, zones, outbox,
              delayed jobs) before each benchmark: each then runs on what the previous ones left
  --cpu-prof  start the API and the worker with node --cpu-prof; profiles in var/bench/profiles
  --explain   print EXPLAIN ANALYZE of the query benchmarks
  --wrk       intake: then the same load with wrk (bench/wrk/intake.lua) against the baseline and
              the API, with both figures and their ratio (bench/WRK.md; needs wrk installed)
Sizes: BENCH_INTAKE_SECONDS (15), BENCH_INTAKE_CONNECTIONS (32), BENCH_PIPELINE_MOVEMENTS (10000),
BENCH_MAIL_MESSAGES (5000), BENCH_ZONE_MOVEMENTS (100000), BENCH_QUERY_MOVEMENTS (1000000),
BENCH_QUERY_REQUESTS (1000). Where: BENCH_DATABASE_URL (postgres://127.0.0.1:5432/hns_bench,
dropped and recreated), BENCH_REDIS_URL (redis://127.0.0.1:6379/8). Diagnostics:
BENCH_API_NODE_OPTIONS, BENCH_WORKER_NODE_OPTIONS (extra node flags for that process only),
BENCH_WHATIF=no-notify,admin1-planar,async-commit (changes to the bench database only; results
in bench/results/whatif-latest.json).`;

/** Whether a database name is one the benchmark may drop or empty: it must contain "bench". */
export function isBenchDatabaseName(name: string): boolean {
  return /bench/i.test(name);
}

/** The benchmark's own database: dropped and recreated, so its name must contain "bench". */
export function benchDatabaseUrl(): string {
  const url = new URL(process.env.BENCH_DATABASE_URL || 'postgres://127.0.0.1:5432/hns_bench');
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!isBenchDatabaseName(name)) {
    throw new Error(
      `BENCH_DATABASE_URL names "${name}": it is dropped, so it must contain "bench"`,
    );
  }
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error('BENCH_DATABASE_URL: the benchmark only talks to loopback addresses');
  }
  if (!url.username) url.username = encodeURIComponent(process.env.USER || userInfo().username);
  return url.toString();
}

export function benchRedisUrl(): string {
  const url = new URL(process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/8');
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error('BENCH_REDIS_URL: the benchmark only talks to loopback addresses');
  }
  return url.toString();
}

/** BullMQ key prefixes of the system under test and of the bare BullMQ baseline. */
export const QUEUE_PREFIX = 'hnsbench';
export const BASELINE_QUEUE_PREFIX = 'hnsbench-base';

export const JWT_SECRET = randomBytes(36).toString('base64url');

export function ensureDirs(): void {
  mkdirSync(VAR_DIR, { recursive: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
}

export const say = (line = '') => process.stdout.write(`${line}\n`);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  { timeoutMs, everyMs = 100 }: { timeoutMs: number; everyMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
