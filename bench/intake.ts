import autocannon from 'autocannon';
import { ratio } from './lib/report';
import { type Context, withDbProfile } from './lib/context';
import { count, databaseName } from './lib/db';
import { describeReset, resetMovementData } from './lib/reset';
import {
  CpuMeter,
  MemorySampler,
  cpuPer,
  describeCpu,
  freePort,
  startService,
  stopService,
} from './lib/processes';
import { checkWrkTemplate, wrkLoad, wrkVersion } from './wrk';

const HOUR = 3600_000;

/** A complete convoy notice (test/support/harness.ts convoyNotice), leaving at `departure`. */
export function convoyNotice(departure: Date) {
  const arrival = new Date(departure.getTime() + 30 * HOUR);
  return {
    type: 'convoy',
    priority: 'routine',
    purpose: 'Distribution de vivres / food distribution, Gao',
    focalPoint: {
      name: 'Aminata Traoré',
      phone: '+223 76 00 00 01',
      satPhone: '+88 16 2100 0001',
      email: 'aminata@acf.bench.test',
    },
    convoyLeader: { name: 'Moussa Diarra', phone: '+223 76 00 00 02', callSign: 'ACF-1' },
    departure: { place: 'Mopti', lat: 14.4843, lon: -4.1827, at: departure.toISOString() },
    arrival: { place: 'Gao', lat: 16.2666, lon: -0.04, at: arrival.toISOString() },
    waypoints: [{ place: 'Douentza', lat: 15.0019, lon: -2.9497, overnight: true }],
    vehicles: [
      {
        type: 'Toyota Land Cruiser',
        plate: 'AB-1234-MD',
        markings: 'ACF logo, roof marking ACF-1',
      },
      { type: 'Truck 10 t', plate: 'AB-5678-MD', markings: 'ACF logo' },
    ],
    personnel: { national: 6, international: 1 },
    cargo: [{ category: 'food', description: 'Rice and oil', tonnes: 9.5 }],
    escort: { status: 'none' },
    communications: { vhfChannel: '12', radioRoom: 'ACF Mopti', satPhone: '+88 16 2100 0001' },
    dataAccuracyConfirmed: true,
    verifiedBy: 'Aminata Traoré',
  };
}

/**
 * Bodies that differ by their departure (one second apart, all at least 72 h ahead), so no two
 * requests are the same notice.
 */
function bodies() {
  const base = Date.now() + 72 * HOUR;
  let n = 0;
  return () => JSON.stringify(convoyNotice(new Date(base + n++ * 1000)));
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
}

export async function load(
  url: string,
  headers: Record<string, string>,
  { connections, seconds }: { connections: number; seconds: number },
): Promise<LoadResult> {
  const next = bodies();
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/movements',
        headers: { 'content-type': 'application/json', ...headers },
        setupRequest: (request) => ({ ...request, body: next() }),
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
  };
}

/**
 * An unmeasured load of `seconds`, then ANALYZE of the tables it wrote, so that the measured run
 * starts from tables with rows and statistics, as in service. Without it every connection of a
 * pool plans its statements (the foreign-key checks' included, which PostgreSQL keeps for the
 * connection's life) on the tables the reset has just emptied and analysed: a sequential scan,
 * kept while the table grows by thousands of rows, since only a new ANALYZE makes PostgreSQL plan
 * them again and autovacuum is off on the benchmark machine (in service, autovacuum analyses a
 * growing table again and again). It was 35,643 sequential scans of movement_notifications,
 * 292 million rows read, in one intake run.
 */
async function warmUp(
  ctx: Context,
  tables: readonly string[],
  run: (options: { connections: number; seconds: number }) => Promise<unknown>,
): Promise<void> {
  const { intakeConnections: connections, intakeWarmupSeconds: seconds } = ctx.sizes;
  if (seconds > 0) await run({ connections, seconds });
  await ctx.pool.query(`ANALYZE ${tables.join(', ')}`);
}

/** The tables a submission writes, at once or through its follow-up jobs. */
const INTAKE_TABLES = [
  'movement_notifications',
  'movement_versions',
  'audit_events',
  'outbox',
  'review_tasks',
  'movement_conflicts',
  'email_deliveries',
] as const;

/** Intake: POST /movements against the bare Fastify + pg baseline, then against the API. */
export async function intake(ctx: Context): Promise<void> {
  const { intakeConnections: connections, intakeSeconds: seconds } = ctx.sizes;
  ctx.log(
    `intake: ${connections} connections, ${seconds} s (after ${ctx.sizes.intakeWarmupSeconds} s ` +
      `unmeasured and ANALYZE), full convoy notice, real token`,
  );

  const port = await freePort();
  const server = await startService({
    name: 'intake-baseline',
    script: 'dist/bench/intake-baseline-server.js',
    env: { ...ctx.env, PORT: String(port) },
    ready: /baseline listening/,
  });
  let baseline: LoadResult;
  let baselineCpu: Record<string, number>;
  try {
    const url = `http://127.0.0.1:${port}`;
    await warmUp(ctx, ['bench_intake_scratch'], (options) => load(url, {}, options));
    const meter = new CpuMeter([server], databaseName(ctx.databaseUrl)).begin();
    baseline = await load(url, {}, { connections, seconds });
    baselineCpu = meter.end();
  } finally {
    await stopService(server);
  }
  ctx.log(
    `  baseline (Fastify + pg INSERT): ${baseline.requestsPerSecond.toFixed(0)} req/s, ` +
      `p50 ${baseline.p50} ms, p99 ${baseline.p99} ms, non-2xx ${baseline.non2xx}`,
  );
  ctx.log(`    ${describeCpu(baselineCpu, baseline.requests, 'request')}`);

  const token = { authorization: `Bearer ${ctx.accounts.ngo.token}` };
  await warmUp(ctx, INTAKE_TABLES, (options) => load(ctx.apiBase, token, options));
  const before = await count(ctx.pool, `SELECT count(*) AS n FROM movement_notifications`);
  const sampler = new MemorySampler([ctx.api, ctx.worker]).start();
  let meter = new CpuMeter([ctx.api, ctx.worker], databaseName(ctx.databaseUrl)).begin();
  const system = await withDbProfile(ctx, 'intake', () =>
    load(ctx.apiBase, token, { connections, seconds }),
  );
  const systemCpu = meter.end();
  const stored =
    (await count(ctx.pool, `SELECT count(*) AS n FROM movement_notifications`)) - before;
  ctx.log(
    `  API: ${system.requestsPerSecond.toFixed(0)} req/s, p50 ${system.p50} ms, p99 ${system.p99} ms, ` +
      `non-2xx ${system.non2xx}, errors ${system.errors}; ${stored} movements stored`,
  );
  ctx.log(`    ${describeCpu(systemCpu, system.requests, 'request')}`);
  if (system.non2xx > 0 || system.errors > 0) {
    ctx.log(
      `  WARNING: ${system.non2xx} non-2xx answers and ${system.errors} errors (see var/bench/api.log)`,
    );
  }

  // The same load with the worker's queues paused: what the API and PostgreSQL do alone, while
  // above the worker drains the receipts and review fan-outs of the same submissions meanwhile.
  await ctx.queues.queues.review.pause();
  await ctx.queues.queues.mail.pause();
  let alone: LoadResult;
  let aloneCpu: Record<string, number>;
  try {
    meter = new CpuMeter([ctx.api, ctx.worker], databaseName(ctx.databaseUrl)).begin();
    alone = await load(ctx.apiBase, token, { connections, seconds });
    aloneCpu = meter.end();
  } finally {
    await ctx.queues.queues.review.resume();
    await ctx.queues.queues.mail.resume();
  }
  ctx.memory.intake = sampler.stop();
  ctx.log(
    `  API with the worker's queues paused: ${alone.requestsPerSecond.toFixed(0)} req/s, ` +
      `p50 ${alone.p50} ms, p99 ${alone.p99} ms, non-2xx ${alone.non2xx}`,
  );
  ctx.log(`    ${describeCpu(aloneCpu, alone.requests, 'request')}`);

  ctx.results.intake = {
    connections,
    seconds,
    baseline: { ...baseline, cpuMsPerRequest: cpuPer(baselineCpu, baseline.requests) },
    system: { ...system, cpuMsPerRequest: cpuPer(systemCpu, system.requests) },
    systemWithWorkerPaused: { ...alone, cpuMsPerRequest: cpuPer(aloneCpu, alone.requests) },
    movementsStored: stored,
  };
  const rpsRatio = ratio(system.requestsPerSecond, baseline.requestsPerSecond);
  ctx.rows.push(
    {
      benchmark: 'intake',
      metric: 'POST /movements throughput',
      unit: 'req/s',
      figure: system.requestsPerSecond,
      baseline: baseline.requestsPerSecond,
      baselineLabel: 'Fastify + pg',
      ratio: rpsRatio,
      target: '≥ 0.5× baseline',
      pass: rpsRatio !== null && rpsRatio >= 0.5 && system.non2xx === 0,
    },
    {
      benchmark: 'intake',
      metric: 'throughput, worker paused',
      unit: 'req/s',
      figure: alone.requestsPerSecond,
      baseline: baseline.requestsPerSecond,
      ratio: ratio(alone.requestsPerSecond, baseline.requestsPerSecond),
      target: '(diagnostic)',
      pass: null,
    },
    {
      benchmark: 'intake',
      metric: 'latency p50',
      unit: 'ms',
      figure: system.p50,
      baseline: baseline.p50,
      ratio: ratio(system.p50, baseline.p50),
      target: '—',
      pass: null,
    },
    {
      benchmark: 'intake',
      metric: 'latency p99',
      unit: 'ms',
      figure: system.p99,
      baseline: baseline.p99,
      ratio: ratio(system.p99, baseline.p99),
      target: '≤ 30 ms',
      pass: system.p99 <= 30,
    },
  );
  if (ctx.options.wrk) await intakeWithWrk(ctx);
}

/**
 * The same load with wrk (bench/WRK.md), as an independent check of autocannon's ratio: the
 * baseline server, then the API with its worker running. Each starts from the state its
 * autocannon run started from — the baseline's scratch table empty; the worker at rest, its
 * left-over jobs discarded and the movement data removed as between benchmarks — and gets the
 * same warm-up (with wrk) and ANALYZE. Same connections, duration, payload
 * (bench/wrk/intake.lua) and token.
 */
async function intakeWithWrk(ctx: Context): Promise<void> {
  const version = wrkVersion();
  if (!version) throw new Error('--wrk: wrk is not installed (apt-get install -y wrk)');
  checkWrkTemplate();
  const { intakeConnections: connections, intakeSeconds: seconds } = ctx.sizes;
  await ctx.queues.quiesce(ctx.pool);
  ctx.log(`  wrk (${version}), 2 threads, ${connections} connections, ${seconds} s:`);

  const port = await freePort();
  const server = await startService({
    name: 'intake-baseline-wrk',
    script: 'dist/bench/intake-baseline-server.js',
    env: { ...ctx.env, PORT: String(port) },
    ready: /baseline listening/,
  });
  let baseline: Awaited<ReturnType<typeof wrkLoad>>;
  try {
    // The table exists: the autocannon baseline made it.
    await ctx.pool.query('TRUNCATE bench_intake_scratch');
    const url = `http://127.0.0.1:${port}`;
    await warmUp(ctx, ['bench_intake_scratch'], (options) => wrkLoad(url, undefined, options));
    baseline = await wrkLoad(url, undefined, { connections, seconds });
  } finally {
    await stopService(server);
  }
  ctx.log(`    ${baseline.command}`);
  ctx.log(
    `    baseline (Fastify + pg INSERT): ${baseline.requestsPerSecond.toFixed(0)} req/s, ` +
      `p50 ${baseline.p50} ms, p99 ${baseline.p99} ms, non-2xx ${baseline.non2xx}, errors ${baseline.errors}`,
  );
  const delayedJobs = await ctx.queues.discardDelayed();
  const reset = await resetMovementData(ctx.pool, databaseName(ctx.databaseUrl));
  ctx.log(`    before the API: ${describeReset(reset, delayedJobs)}`);
  await warmUp(ctx, INTAKE_TABLES, (options) =>
    wrkLoad(ctx.apiBase, ctx.accounts.ngo.token, options),
  );
  const system = await wrkLoad(ctx.apiBase, ctx.accounts.ngo.token, { connections, seconds });
  ctx.log(
    `    API: ${system.requestsPerSecond.toFixed(0)} req/s, p50 ${system.p50} ms, ` +
      `p99 ${system.p99} ms, non-2xx ${system.non2xx}, errors ${system.errors}, timeouts ${system.timeouts}`,
  );
  const wrkRatio = ratio(system.requestsPerSecond, baseline.requestsPerSecond);
  ctx.log(`    ratio API / baseline (wrk): ${wrkRatio?.toFixed(3) ?? '?'}×`);
  (ctx.results.intake as Record<string, unknown>).wrk = { version, baseline, system };
  ctx.rows.push({
    benchmark: 'intake',
    metric: 'throughput, wrk',
    unit: 'req/s',
    figure: system.requestsPerSecond,
    baseline: baseline.requestsPerSecond,
    baselineLabel: 'Fastify + pg, wrk',
    ratio: wrkRatio,
    target: '(cross-check)',
    pass: null,
    note: `p99 ${system.p99} ms (baseline ${baseline.p99} ms)`,
  });
}
