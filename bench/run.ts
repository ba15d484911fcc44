/*
 * `npm run bench`: the benchmarks of issue 7, each next to its bare baseline measured in the
 * same run. Builds the code if needed, recreates its own database (hns_bench) and uses its own
 * Redis database (/8) and queue prefix, starts a loopback SMTP sink and the real API and worker
 * from dist/ as child processes, runs the benchmarks, prints the table and writes
 * bench/results/latest.json. Everything stays on 127.0.0.1. See `npm run bench -- --help`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  BASELINE_QUEUE_PREFIX,
  BenchmarkName,
  JWT_SECRET,
  QUEUE_PREFIX,
  ROOT,
  SIZES,
  VAR_DIR,
  benchDatabaseUrl,
  benchRedisUrl,
  ensureDirs,
  parseOptions,
  say,
  waitFor,
} from './lib/env';
import type { Account, Context } from './lib/context';
import { benchPool, cli, databaseName, hasColumn, hasFunction, recreateDatabase } from './lib/db';
import { jsonRequest } from './lib/http';
import { formatProfile, summariseProfile } from './lib/profile';
import {
  CpuMeter,
  FOREIGN_LOAD_LIMIT,
  foreignShare,
  freePort,
  killAllSync,
  memoryOf,
  startService,
  stopAll,
} from './lib/processes';
import { SystemQueues, deleteKeys, redisVersion } from './lib/queues';
import { type ResetReport, describeReset, resetMovementData } from './lib/reset';
import { Row, formatTable, gitInfo, machineInfo, markdownTable, writeResults } from './lib/report';
import { SmtpSink } from './lib/smtp-sink';
import { WHAT_IFS, applyWhatIfs, parseWhatIfs } from './lib/what-if';
import { convoyNotice, intake } from './intake';
import { mail } from './mail';
import { pipeline } from './pipeline';
import { queries } from './queries';
import { zones } from './zones';

const RUNNERS: Record<BenchmarkName, (ctx: Context) => Promise<void>> = {
  intake,
  pipeline,
  mail,
  zones,
  queries,
};

const MEMORY_TARGET_MB = 300;

/** Newest modification time under a folder, for the files that make up dist/ (.ts, .cjs). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|cjs)$/.test(entry.name) && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function buildIfNeeded(skip: boolean): void {
  const outputs = [
    'dist/apps/api/src/main.js',
    'dist/apps/worker/src/main.js',
    'dist/apps/cli/src/main.js',
  ].map((file) => join(ROOT, file));
  const built = outputs.every(existsSync)
    ? Math.min(...outputs.map((file) => statSync(file).mtimeMs))
    : 0;
  const sources = Math.max(newestSource(join(ROOT, 'apps')), newestSource(join(ROOT, 'libs')));
  if (built >= sources) return;
  if (skip && built > 0) {
    say('dist/ is older than the sources, but --skip-build: benchmarking the existing build');
    return;
  }
  say('building (npm run build)…');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** Extra node flags for one child only (e.g. BENCH_WORKER_NODE_OPTIONS=--max-old-space-size=128). */
function nodeFlags(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter(Boolean);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  ensureDirs();
  const runStarted = performance.now();
  const startedAt = new Date();
  buildIfNeeded(options.skipBuild);

  const whatIfs = parseWhatIfs(process.env.BENCH_WHATIF);
  const databaseUrl = benchDatabaseUrl();
  const redisUrl = benchRedisUrl();
  say(
    `CMCoord HNS benchmarks: ${options.only.join(', ')}  (database ${new URL(databaseUrl).pathname.slice(1)}, Redis ${redisUrl}, prefix ${QUEUE_PREFIX})`,
  );
  await recreateDatabase(databaseUrl);
  await deleteKeys(redisUrl, [QUEUE_PREFIX, BASELINE_QUEUE_PREFIX]);
  const sink = await new SmtpSink().start();
  const pool = benchPool(databaseUrl);

  const port = await freePort();
  const apiBase = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    APP_URL: apiBase,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX,
    SMTP_URL: sink.url,
    JWT_SECRET,
    OCHA_CELL_EMAILS: 'cell@ocha.bench.test',
    UNDSS_ESCALATION_EMAILS: 'duty@undss.bench.test',
    DEMO_SEED: 'false',
    // One token and one address drive the whole load: the abuse limits would answer 429
    // (they are measured by the security tests, not here); tokens outlive the run.
    API_RATE_LIMIT_PER_USER: '0',
    API_RATE_LIMIT_PER_ADDRESS: '0',
    JWT_TTL_SECONDS: '86400',
  };
  delete env.DATABASE_POOL_SIZE;

  say('preparing: migrations, accounts (CLI), API and worker…');
  await cli(env, ['migrate']);
  if (whatIfs.length > 0) {
    await applyWhatIfs(pool, databaseName(databaseUrl), whatIfs);
    for (const name of whatIfs) say(`WHAT-IF ${name}: ${WHAT_IFS[name].description}`);
  }
  await cli(env, [
    'org:create',
    '--name',
    'Benchmark NGO',
    '--acronym',
    'BENCH',
    '--email',
    'ops@bench.test',
  ]);
  const password = randomBytes(18).toString('base64url');
  const users = {
    ngo: ['focal@bench.test', '--role', 'ngo', '--org', 'BENCH'],
    liaison: ['liaison@bench.test', '--role', 'cell', '--seat', 'armed_forces_liaison'],
    wfp: ['wfp@bench.test', '--role', 'cell', '--seat', 'wfp_logistics'],
    ocha: ['ocha@bench.test', '--role', 'cell', '--seat', 'ocha'],
  };
  for (const [email, ...rest] of Object.values(users)) {
    // `--password=…`: a random password may start with "-", which parseArgs would take for an option.
    await cli(env, ['user:create', '--email', email, `--password=${password}`, ...rest]);
  }

  const [worker, api] = await Promise.all([
    startService({
      name: 'worker',
      script: 'dist/apps/worker/src/main.js',
      env,
      // as `npm start` and start:worker run it, unless told otherwise
      nodeFlags: nodeFlags(process.env.BENCH_WORKER_NODE_OPTIONS ?? '--max-old-space-size=192'),
      ready: /worker started/,
      cpuProfile: options.cpuProfile,
    }),
    startService({
      name: 'api',
      script: 'dist/apps/api/src/main.js',
      env,
      // as `npm start` and start:api run it, unless told otherwise
      nodeFlags: nodeFlags(process.env.BENCH_API_NODE_OPTIONS ?? '--max-old-space-size=256'),
      ready: /API listening/,
      cpuProfile: options.cpuProfile,
    }),
  ]);
  const queues = new SystemQueues(redisUrl);
  let exitCode = 0;
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  /** Benchmarks whose figures other programs disturbed (see foreignShare). */
  const warnings: string[] = [];
  const memory: Context['memory'] = {};
  let profiles: ReturnType<typeof summariseProfile>[] = [];
  try {
    await waitFor(
      'GET /health',
      async () => (await fetch(`${apiBase}/health`).catch(() => undefined))?.ok,
      { timeoutMs: 120_000, everyMs: 250 },
    );
    const accounts = {} as Context['accounts'];
    for (const [key, [email]] of Object.entries(users)) {
      const { body } = await jsonRequest<{
        accessToken: string;
        user: { id: string; organisationId: string | null };
      }>(apiBase, 'POST', '/auth/login', { email, password });
      const account: Account = {
        email,
        userId: body.user.id,
        token: body.accessToken,
        organisationId: body.user.organisationId ?? undefined,
      };
      accounts[key as keyof Context['accounts']] = account;
    }

    // One notice through the API: what it stores is the template of every seeded movement.
    const { body: first } = await jsonRequest<{ id: string }>(
      apiBase,
      'POST',
      '/movements',
      convoyNotice(new Date(Date.now() + 96 * 3600_000)),
      accounts.ngo.token,
    );
    const { rows: stored } = await pool.query<{ notification: Record<string, unknown> }>(
      `SELECT notification FROM movement_versions WHERE movement_id = $1`,
      [first.id],
    );
    const features = {
      regions:
        (await hasColumn(pool, 'movement_notifications', 'departure_admin1')) &&
        (await hasFunction(pool, 'admin1_of')),
      queueLine: await hasColumn(pool, 'review_tasks', 'route_places'),
    };
    const ctx: Context = {
      options,
      sizes: SIZES,
      databaseUrl,
      redisUrl,
      env,
      pool,
      apiBase,
      api,
      worker,
      sink,
      queues,
      accounts,
      template: stored[0].notification,
      features,
      nextIndex: 1,
      rows,
      results,
      memory,
      log: say,
    };
    await queues.quiesce(pool);

    const resets: Record<string, ResetReport & { delayedJobs: Record<string, number> }> = {};
    results.resets = resets;
    const foreignLoad: Record<string, number> = {};
    results.foreignLoad = foreignLoad;
    for (const name of options.only) {
      say('');
      const started = performance.now();
      const machineMeter = new CpuMeter([api, worker], databaseName(databaseUrl)).begin();
      try {
        if (options.reset) {
          // Each benchmark on its own data, as issue 7 defines it: the worker is at rest (the
          // queues were quiesced after the previous one), the movement data is removed.
          const delayedJobs = await queues.discardDelayed();
          const report = await resetMovementData(pool, databaseName(databaseUrl));
          resets[name] = { ...report, delayedJobs };
          say(`${name}: ${describeReset(report, delayedJobs)}`);
        } else {
          say(`${name}: --no-reset, on what the previous benchmarks left`);
        }
        await RUNNERS[name](ctx);
      } catch (error) {
        exitCode = 1;
        errors[name] = error instanceof Error ? error.message : String(error);
        say(`  ${name} FAILED: ${errors[name]}`);
        rows.push({
          benchmark: name,
          metric: 'error',
          unit: '',
          figure: null,
          target: '—',
          pass: false,
          note: errors[name],
        });
      }
      const discarded = await queues
        .quiesce(pool)
        .catch((error: Error) => ({ error: error.message }));
      const left = Object.entries(discarded).filter(([, v]) => v !== 0);
      const share = foreignShare(machineMeter.end(), machineMeter.wallSeconds);
      foreignLoad[name] = Number(share.toFixed(3));
      say(
        `  (${name}: ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
          `other processes: ${(100 * share).toFixed(1)} % of the machine's CPU` +
          `${left.length ? `; left-over jobs discarded before the next benchmark: ${left.map(([k, v]) => `${k} ${v}`).join(', ')}` : ''})`,
      );
      if (share > FOREIGN_LOAD_LIMIT) warnings.push(foreignLoadWarning(name, share));
    }

    const final = { api: memoryOf(api.pid), worker: memoryOf(worker.pid) };
    if (memory.intake || memory.pipeline) {
      for (const service of ['api', 'worker'] as const) {
        const phases = Object.entries(memory).map(
          ([phase, peaks]) => [phase, peaks[service]] as const,
        );
        const peak = Math.max(...phases.map(([, mb]) => mb ?? 0));
        rows.push({
          benchmark: 'memory',
          metric: `${service} peak RSS (${phases.map(([phase]) => phase).join(' + ')})`,
          unit: 'MB',
          figure: peak,
          target: `< ${MEMORY_TARGET_MB} MB`,
          pass: peak < MEMORY_TARGET_MB,
          note: `VmHWM over the whole run ${final[service]?.hwmMb.toFixed(0) ?? '?'} MB`,
        });
      }
    }
    results.memory = { peaksByPhase: memory, final };
  } finally {
    await queues.close().catch(() => undefined);
    const profileStart = Date.now();
    await stopAll();
    await sink.stop();
    await pool.end();
    if (options.cpuProfile) {
      const dir = join(VAR_DIR, 'profiles');
      profiles = readdirSync(dir)
        .filter(
          (file) =>
            file.endsWith('.cpuprofile') &&
            statSync(join(dir, file)).mtimeMs >= profileStart - 60_000,
        )
        .map((file) => summariseProfile(join(dir, file)));
    }
  }

  for (const profile of profiles) say(`\n${formatProfile(profile)}`);
  const git = gitInfo();
  const machine = machineInfo();
  const versions = {
    node: process.version,
    redis: await redisVersion(redisUrl).catch(() => 'unknown'),
  };
  say('');
  say(
    `${startedAt.toISOString()} · ${machine.cpus} × ${machine.model} · ${machine.memoryMb} MB · Node ${versions.node} · ` +
      `commit ${git.commit.slice(0, 10)}${git.dirty ? ' (with uncommitted changes)' : ''}`,
  );
  say(formatTable(rows));
  for (const warning of warnings) say(warning);
  const data = {
    date: startedAt.toISOString(),
    durationSeconds: Math.round((performance.now() - runStarted) / 1000),
    git,
    machine,
    versions,
    options: { only: options.only, cpuProfile: options.cpuProfile, reset: options.reset },
    sizes: SIZES,
    whatIf: whatIfs.map((name) => ({ name, description: WHAT_IFS[name].description })),
    rows,
    markdown: markdownTable(rows),
    warnings,
    results,
    errors,
    profiles,
  };
  const stem = whatIfs.length > 0 ? 'whatif-' : '';
  const file = writeResults(`${stem}latest.json`, data);
  writeResults(`${stem}${startedAt.toISOString().replace(/[:.]/g, '-')}.json`, data);
  if (whatIfs.length > 0) say(`WHAT-IF run (${whatIfs.join(', ')}): not the system as it is`);
  say(`\nresults: ${file} (and a dated copy); logs: ${VAR_DIR}; ${data.durationSeconds} s in all`);
  if (rows.some((row) => row.pass === false))
    say('some targets are missed (see the README, "Performance")');
  return exitCode;
}

/** Printed under the table, and kept in latest.json, when other programs loaded the machine. */
function foreignLoadWarning(name: string, share: number): string {
  return (
    `WARNING: other processes used ${(100 * share).toFixed(1)} % of the machine's CPU during ` +
    `${name} (limit ${100 * FOREIGN_LOAD_LIMIT} %): its figures are not comparable with their ` +
    `baselines nor with other runs; run it again on an otherwise idle machine`
  );
}

process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllSync();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    killAllSync();
    process.exit(1);
  },
);
