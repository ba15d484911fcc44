import { Queue } from 'bullmq';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { QUEUE_PREFIX, ROOT, waitFor } from './lib/env';
import { type Context, reserve, withDbProfile } from './lib/context';
import { count, databaseName } from './lib/db';
import { jsonRequest } from './lib/http';
import { CpuMeter, cpuPer } from './lib/processes';
import { ratio } from './lib/report';
import { PLACES, createOrganisation, seedInChunks } from './lib/seed';

/** Movement statuses a zone re-check looks at (libs/deconfliction PLANNED_STATUSES). */
const PLANNED = ['submitted', 'in_review', 'flagged', 'escalated', 'acknowledged', 'in_progress'];

/** The compiled libraries the processes run, loaded from dist/ (never compiled with bench/). */
interface DetectorLib {
  ConflictDetector: new (
    db: unknown,
    settings: { corridorWidthKm: number; zoneRecheckBatchSize: number },
  ) => {
    detectForZone(
      zoneId: string,
    ): Promise<{ conflicts: { newlyConflicting: boolean }[]; batches: number }>;
    readonly corridorWidthMetres: number;
  };
  PLANNED_STATUSES: readonly string[];
  zoneBatchParameters(
    zoneId: string,
    corridorWidthMetres: number,
    after: string,
    upto: string,
    zone: unknown,
  ): unknown[];
  ZONE_BATCH_KEYS_SQL: string;
  ZONE_BATCH_OPENING_SQL: string;
  ZONE_BATCH_SQL: string;
}
interface DataSourceLike {
  initialize(): Promise<unknown>;
  destroy(): Promise<void>;
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
  createQueryRunner(): {
    startTransaction(): Promise<void>;
    rollbackTransaction(): Promise<void>;
    release(): Promise<void>;
    query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
  };
}
interface DatabaseLib {
  createDataSource(options: {
    url: string;
    poolSize?: number;
    applicationName?: string;
  }): DataSourceLike;
}
const loadDist = createRequire(join(ROOT, 'dist', 'index.js'));

interface EngineFigures {
  ms: number;
  conflicts: number;
  batches: number;
  /** The same zone again: finds the same conflicts, rewrites nothing. */
  rerunMs: number;
  rerunNew: number;
  firstBatchPlan?: string;
}

/**
 * The conflict engine alone (ConflictDetector.detectForZone, no consequences, in this process),
 * as libs/deconfliction/bench/zone-recheck.bench.ts measured it before it was folded in here:
 * first run, idempotent re-run, and with --explain the plan of the first batch.
 */
async function bareDetector(ctx: Context, zoneId: string): Promise<EngineFigures> {
  const { createDataSource } = loadDist('./libs/database/src') as DatabaseLib;
  const lib = loadDist('./libs/deconfliction/src') as DetectorLib;
  const db = createDataSource({ url: ctx.databaseUrl, poolSize: 4, applicationName: 'hns-bench' });
  await db.initialize();
  try {
    const batchSize = Number(ctx.env.ZONE_RECHECK_BATCH_SIZE || 5000);
    const detector = new lib.ConflictDetector(db, {
      corridorWidthKm: Number(ctx.env.CORRIDOR_WIDTH_KM || 5),
      zoneRecheckBatchSize: batchSize,
    });
    let started = performance.now();
    const first = await detector.detectForZone(zoneId);
    const ms = performance.now() - started;
    started = performance.now();
    const again = await detector.detectForZone(zoneId);
    const rerunMs = performance.now() - started;
    const figures: EngineFigures = {
      ms,
      conflicts: first.conflicts.length,
      batches: first.batches,
      rerunMs,
      rerunNew: again.conflicts.filter((c) => c.newlyConflicting).length,
    };
    if (ctx.options.explain) {
      const runner = db.createQueryRunner();
      try {
        await runner.startTransaction();
        const start = '00000000-0000-0000-0000-000000000000';
        const [zone] = await runner.query<unknown[]>(lib.ZONE_BATCH_OPENING_SQL, [zoneId]);
        const keys = await runner.query<{ upto: string }[]>(lib.ZONE_BATCH_KEYS_SQL, [
          lib.PLANNED_STATUSES,
          batchSize,
        ]);
        const upto = keys[0]?.upto ?? 'ffffffff-ffff-ffff-ffff-ffffffffffff';
        const plan = await runner.query<{ 'QUERY PLAN': string }[]>(
          `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${lib.ZONE_BATCH_SQL}`,
          lib.zoneBatchParameters(zoneId, detector.corridorWidthMetres, start, upto, zone),
        );
        figures.firstBatchPlan = plan.map((row) => row['QUERY PLAN']).join('\n');
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    }
    return figures;
  } finally {
    await db.destroy();
  }
}

/**
 * Zone re-check: N planned movements along Mali's corridors; a no-go zone of 15 km around
 * Hombori (on RN16, about 5 % of the traffic in its window) is declared through the API; the
 * time from the POST until the worker's re-check job has stored every conflict, with the
 * consequences it commits batch by batch (flag, UNDSS escalation, notices through the outbox).
 */
export async function zones(ctx: Context): Promise<void> {
  const n = ctx.sizes.zoneMovements;
  ctx.log(
    `zone re-check: ${n.toLocaleString('en-GB')} planned movements, a no-go zone declared through the API`,
  );

  const planned = await count(
    ctx.pool,
    `SELECT count(*) AS n FROM movement_notifications WHERE status = ANY($1::text[])`,
    [PLANNED],
  );
  const toSeed = Math.max(0, n - planned);
  const organisation = await createOrganisation(ctx.pool, 'BZONE');
  const seedStarted = performance.now();
  await seedInChunks(
    ctx.pool,
    {
      from: reserve(ctx, toSeed),
      prefix: 'Z',
      template: ctx.template,
      createdBy: ctx.accounts.ngo.userId,
      organisations: { featured: organisation, featuredEvery: 1, others: [organisation] },
      // Departures over 40 days from the day after tomorrow, as in the original zone benchmark.
      departureSql: `date_trunc('hour', now()) + interval '2 days' + ((i * 7919) % 960) * interval '1 hour'`,
      statusSql: `(ARRAY['in_review', 'in_review', 'acknowledged', 'acknowledged', 'submitted',
                         'flagged', 'escalated', 'in_progress'])[1 + i % 8]`,
      features: ctx.features,
    },
    toSeed,
    50_000,
  );
  await ctx.pool.query(
    `VACUUM ANALYZE movement_notifications, movement_versions, movement_conflicts`,
  );
  const total = await count(
    ctx.pool,
    `SELECT count(*) AS n FROM movement_notifications WHERE status = ANY($1::text[])`,
    [PLANNED],
  );
  ctx.log(
    `  ${toSeed} seeded (+${planned} already planned) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
  );

  const now = Date.now();
  const declaration = {
    name: 'Benchmark operation',
    publicLabel: 'RN16 around Hombori',
    level: 'no_go',
    center: { lat: PLACES.Hombori[1], lon: PLACES.Hombori[0] },
    radiusKm: 15,
    activeFrom: new Date(now).toISOString(),
    activeTo: new Date(now + 30 * 24 * 3600_000).toISOString(),
    shareGeometry: false,
  };
  const queue = new Queue('deconfliction', {
    connection: { url: ctx.redisUrl, maxRetriesPerRequest: null },
    prefix: QUEUE_PREFIX,
  });
  try {
    const meter = new CpuMeter([ctx.api, ctx.worker], databaseName(ctx.databaseUrl)).begin();
    const started = Date.now();
    const { zone, answeredMs, job, consequencesMs } = await withDbProfile(
      ctx,
      'zone re-check',
      async () => {
        const { body: zone } = await jsonRequest<{ id: string }>(
          ctx.apiBase,
          'POST',
          '/zones',
          declaration,
          ctx.accounts.liaison.token,
        );
        const answeredMs = Date.now() - started;
        // The job id is the id of the outbox row the declaration wrote.
        const jobId = await waitFor(
          'the zone re-check outbox row',
          async () => {
            const { rows } = await ctx.pool.query<{ id: string }>(
              `SELECT id FROM outbox WHERE queue = 'deconfliction' AND correlation_id = $1`,
              [zone.id],
            );
            return rows[0]?.id;
          },
          { timeoutMs: 10_000, everyMs: 20 },
        );
        const job = await waitFor(
          'the zone re-check job to finish',
          async () => {
            const found = await queue.getJob(jobId);
            if (!found) return undefined;
            const state = await found.getState();
            if (state === 'failed')
              throw new Error(`zone re-check job failed: ${found.failedReason}`);
            if (state !== 'completed') return undefined;
            // Read before it completed, the job lacks its finishedOn: read it again.
            return found.finishedOn ? found : await queue.getJob(jobId);
          },
          { timeoutMs: 300_000, everyMs: 20 },
        );
        // The flags, escalations and notices of what the job found, when a later job applies them
        // (as an outbox row per batch): until nothing is left to relay or to run on the queue.
        const consequencesMs = await waitFor(
          'the consequences of the zone re-check',
          async () => {
            const { rows } = await ctx.pool.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM outbox WHERE queue = 'deconfliction' AND relayed_at IS NULL`,
            );
            if (rows[0].n > 0) return undefined;
            const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
            return Object.values(counts).every((n) => n === 0) ? Date.now() - started : undefined;
          },
          { timeoutMs: 300_000, everyMs: 20 },
        );
        return { zone, answeredMs, job, consequencesMs };
      },
    );
    const cpu = meter.end();
    // From the job's own record: Date.now() here would be after the consequences.
    if (!job.finishedOn || !job.processedOn) {
      throw new Error(`zone re-check job ${job.id} completed without its times`);
    }
    const finishedMs = job.finishedOn - started;
    const pickedUpMs = job.processedOn - started;
    const conflicts = await count(
      ctx.pool,
      `SELECT count(*) AS n FROM movement_conflicts WHERE zone_id = $1`,
      [zone.id],
    );
    const flagged = await count(
      ctx.pool,
      `SELECT count(*) AS n FROM security_escalations WHERE $1 = ANY(reason_codes) AND comment LIKE '%' || $2 || '%'`,
      ['route_through_restricted_area', zone.id],
    );
    ctx.log(
      `  system: ${conflicts} conflicts (${((100 * conflicts) / total).toFixed(1)} % of ${total}) stored ` +
        `${finishedMs} ms after the POST (answered in ${answeredMs} ms, job started at ${pickedUpMs} ms); ` +
        `${flagged} escalations raised; every consequence committed ${consequencesMs} ms after the POST`,
    );

    // The notices the consequences queued are still being sent: let them go, so that the engine
    // alone runs on a machine at rest, like the baselines of the other benchmarks.
    const noticesDiscarded = await ctx.queues.quiesce(ctx.pool);
    // The same outline and window as a second zone the worker never hears of, for the engine alone.
    const { rows } = await ctx.pool.query<{ id: string }>(
      `INSERT INTO restricted_zones (name, public_label, level, geom, active, declared_by, declared_by_seat)
       SELECT name || ' (engine only)', public_label, level, geom, active, declared_by, declared_by_seat
       FROM restricted_zones WHERE id = $1 RETURNING id`,
      [zone.id],
    );
    const bare = await bareDetector(ctx, rows[0].id);
    ctx.log(
      `  baseline (conflict engine alone, no consequences): ${bare.conflicts} conflicts in ` +
        `${bare.ms.toFixed(0)} ms, ${bare.batches} batches; same zone again: ${bare.rerunNew} new ` +
        `in ${bare.rerunMs.toFixed(0)} ms`,
    );
    if (bare.firstBatchPlan) ctx.log(bare.firstBatchPlan.replace(/^/gm, '    '));

    ctx.results.zones = {
      plannedMovements: total,
      seeded: toSeed,
      conflicts,
      crossingShare: conflicts / total,
      escalationsRaised: flagged,
      postAnsweredMs: answeredMs,
      jobStartedMs: pickedUpMs,
      conflictsStoredMs: finishedMs,
      consequencesCommittedMs: consequencesMs,
      cpuSeconds: cpuPer(cpu, 1000),
      noticesDiscardedBeforeBaseline: noticesDiscarded,
      baseline: bare,
    };
    ctx.rows.push({
      benchmark: 'zone re-check',
      metric: `${total.toLocaleString('en-GB')} planned, ${((100 * conflicts) / total).toFixed(1)} % crossing`,
      unit: 'ms',
      figure: finishedMs,
      baseline: bare.ms,
      baselineLabel: 'engine alone',
      ratio: ratio(finishedMs, bare.ms),
      target: '< 2 s',
      pass: finishedMs < 2000,
    });
    ctx.rows.push({
      benchmark: 'zone re-check',
      metric: 'same, every consequence committed',
      unit: 'ms',
      figure: consequencesMs,
      baseline: bare.ms,
      baselineLabel: 'engine alone',
      ratio: ratio(consequencesMs, bare.ms),
      target: '(diagnostic)',
      pass: null,
    });
  } finally {
    await queue.close();
  }
}
