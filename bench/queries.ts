import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { type Context, reserve } from './lib/context';
import { count } from './lib/db';
import { ROOT } from './lib/env';
import { type LatencySummary, sequentialLatency } from './lib/http';
import { seedMovements } from './lib/seed';

const TARGET_P99_MS = 20;
const CHUNK = 100_000;

/**
 * Queries at scale: the database grows to N movements (default 1,000,000) over ~3 years and the
 * next 60 days, spread over 200 organisations (the focal point's own has one in 20); past ones
 * closed, future ones in review (four pending review tasks each), acknowledged (approved tasks),
 * flagged, escalated or just submitted. Then each read is timed through the API, one request at
 * a time on a kept-alive connection: a seat's review queue, an organisation's list, and the
 * cell's list filtered by dates (and by region where movements record one), first page each.
 */
export async function queries(ctx: Context): Promise<void> {
  const n = ctx.sizes.queryMovements;
  ctx.log(
    `queries: ${n.toLocaleString('en-GB')} movements stored, p99 of the first page of each read`,
  );

  const existing = await count(ctx.pool, `SELECT count(*) AS n FROM movement_notifications`);
  const toSeed = Math.max(0, n - existing);
  const { rows: orgRows } = await ctx.pool.query<{ id: string }>(
    `INSERT INTO organisations (name, acronym, email)
     SELECT 'Benchmark organisation ' || k, 'BQ' || k, 'ops@bq' || k || '.bench.test'
     FROM generate_series(1, 199) AS k RETURNING id`,
  );
  const others = orgRows.map((r) => r.id);
  const from = reserve(ctx, toSeed);
  const started = performance.now();
  let done = 0;
  // Two statements at a time: this machine has two cores and nothing else runs meanwhile.
  const chunks: [number, number][] = [];
  for (let offset = 0; offset < toSeed; offset += CHUNK) {
    chunks.push([from + offset, from + Math.min(toSeed, offset + CHUNK) - 1]);
  }
  const seedChunk = async ([first, last]: [number, number]) => {
    const seeded = await seedMovements(ctx.pool, {
      from: first,
      to: last,
      prefix: 'Q',
      template: ctx.template,
      createdBy: ctx.accounts.ngo.userId,
      organisations: {
        featured: ctx.accounts.ngo.organisationId ?? others[0],
        featuredEvery: 20,
        others,
      },
      departureSql: `date_trunc('hour', now()) - interval '1095 days'
                     + ((hashint4(i * 13) & 2147483647) % ((1095 + 60) * 24)) * interval '1 hour'`,
      statusSql: `CASE
        WHEN departure_at < now() - interval '2 days'
          THEN (ARRAY['completed', 'completed', 'completed', 'completed', 'completed', 'completed',
                      'completed', 'completed', 'cancelled', 'expired'])[1 + i % 10]
        WHEN departure_at < now() THEN 'in_progress'
        ELSE (ARRAY['in_review', 'in_review', 'in_review', 'in_review', 'acknowledged', 'acknowledged',
                    'acknowledged', 'flagged', 'escalated', 'submitted'])[1 + i % 10] END`,
      tasks: { approvedStatuses: ['acknowledged', 'flagged', 'escalated', 'in_progress'] },
      features: ctx.features,
    });
    done += seeded;
    ctx.log(`  seeded ${done.toLocaleString('en-GB')} of ${toSeed.toLocaleString('en-GB')}`);
  };
  const lanes = [0, 1].map(async (lane) => {
    for (let i = lane; i < chunks.length; i += 2) await seedChunk(chunks[i]);
  });
  await Promise.all(lanes);
  await ctx.pool.query(
    `VACUUM ANALYZE organisations, movement_notifications, movement_versions, review_tasks`,
  );
  // Flush what the seeding dirtied now, so that the checkpointer does not write gigabytes while
  // the reads are timed (needs superuser or pg_checkpoint; skipped otherwise).
  await ctx.pool.query('CHECKPOINT').catch(() => undefined);
  const seedSeconds = (performance.now() - started) / 1000;
  const total = await count(ctx.pool, `SELECT count(*) AS n FROM movement_notifications`);
  ctx.log(
    `  ${total.toLocaleString('en-GB')} movements stored (seeding, VACUUM ANALYZE and CHECKPOINT: ${seedSeconds.toFixed(0)} s)`,
  );

  const region = ctx.features.regions ? await busiestRegion(ctx.pool) : undefined;
  const fromDate = new Date();
  const toDate = new Date(fromDate.getTime() + 14 * 24 * 3600_000);
  const dates = `from=${encodeURIComponent(fromDate.toISOString())}&to=${encodeURIComponent(toDate.toISOString())}`;
  const reads = [
    {
      name: 'seat review queue',
      detail: 'GET /reviews (wfp_logistics, 100 per page)',
      path: '/reviews',
      token: ctx.accounts.wfp.token,
    },
    {
      name: "organisation's list",
      detail: 'GET /movements (NGO, 50 per page)',
      path: '/movements',
      token: ctx.accounts.ngo.token,
    },
    {
      name: region ? "cell's list by region + dates" : "cell's list by dates",
      detail: `GET /movements?${region ? `region=${region}&` : ''}from=now&to=+14 d (OCHA seat)`,
      path: `/movements?${region ? `region=${region}&` : ''}${dates}`,
      token: ctx.accounts.ocha.token,
    },
  ];
  const measured: Record<string, LatencySummary & { detail: string }> = {};
  for (const read of reads) {
    const summary = await sequentialLatency(
      `${ctx.apiBase}${read.path}`,
      { authorization: `Bearer ${read.token}` },
      { count: ctx.sizes.queryRequests, warmup: 20, maxMs: 30_000 },
    );
    measured[read.name] = { ...summary, detail: read.detail };
    ctx.log(
      `  ${read.name}: p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms, ` +
        `max ${summary.max.toFixed(1)} ms over ${summary.requests} requests (${summary.items ?? '?'} items, ` +
        `${Math.round(summary.bytes / 1024)} KiB)`,
    );
    ctx.rows.push({
      benchmark: 'queries',
      metric: `${read.name} p99`,
      unit: 'ms',
      figure: summary.p99,
      target: `p99 < ${TARGET_P99_MS} ms`,
      pass: summary.p99 < TARGET_P99_MS && summary.errors === 0,
      note: `p50 ${summary.p50.toFixed(1)} ms`,
    });
  }

  let plans: Record<string, { executionMs: number; plan: string }> | undefined;
  const slow = Object.values(measured).some((m) => m.p99 >= TARGET_P99_MS);
  if (ctx.options.explain || slow) {
    plans = await explainReads(ctx, region, fromDate, toDate);
    for (const [name, { executionMs, plan }] of Object.entries(plans)) {
      ctx.log(`  EXPLAIN ANALYZE ${name}: ${executionMs.toFixed(1)} ms in PostgreSQL`);
      if (ctx.options.explain) ctx.log(plan.replace(/^/gm, '    '));
    }
  }
  ctx.results.queries = {
    movements: total,
    seeded: toSeed,
    seedSeconds,
    region: region ?? null,
    reads: measured,
    plans,
  };
}

async function busiestRegion(pool: Pool): Promise<string | undefined> {
  const { rows } = await pool.query<{ code: string }>(
    `SELECT departure_admin1 AS code FROM movement_notifications
     WHERE departure_admin1 IS NOT NULL AND departure_at > now()
     GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
  );
  return rows[0]?.code;
}

/**
 * EXPLAIN ANALYZE of the statements behind the three reads: the queue's is the API's own
 * (REVIEW_QUEUE_SQL, from dist/), the lists' a copy of libs/movements/src/movements.service.ts,
 * for diagnosis; the latencies above come from the real API.
 */
/** The seat queue's statement as the API runs it (libs/reviews review-queue.ts, built in dist/). */
function reviewQueueSql(): string {
  const loadDist = createRequire(join(ROOT, 'dist', 'index.js'));
  return (loadDist('./libs/reviews/src') as { REVIEW_QUEUE_SQL: string }).REVIEW_QUEUE_SQL;
}

async function explainReads(
  ctx: Context,
  region: string | undefined,
  from: Date,
  to: Date,
): Promise<Record<string, { executionMs: number; plan: string }>> {
  const columns = `m.id, m.reference, m.status, m.current_version, m.type, m.priority,
    m.departure_place, m.arrival_place, m.departure_at, m.arrival_at,
    m.cancellation_reason, m.created_at, m.updated_at,
    m.organisation_id, o.acronym AS organisation_acronym, o.name AS organisation_name`;
  const statements: Record<string, { sql: string; params: unknown[] }> = {
    'seat review queue': {
      sql: reviewQueueSql(),
      params: ['wfp_logistics', 100],
    },
    "organisation's list": {
      sql: `SELECT ${columns}
       FROM movement_notifications m JOIN organisations o ON o.id = m.organisation_id
       WHERE m.organisation_id = $1
       ORDER BY m.departure_at DESC, m.id DESC LIMIT $2`,
      params: [ctx.accounts.ngo.organisationId, 51],
    },
    "cell's list": {
      sql: `SELECT ${columns}
       FROM movement_notifications m JOIN organisations o ON o.id = m.organisation_id
       WHERE ${region ? '(m.departure_admin1 = $4 OR m.arrival_admin1 = $4) AND' : ''}
             m.arrival_at > $1 AND m.departure_at < $2
       ORDER BY m.departure_at DESC, m.id DESC LIMIT $3`,
      params: region ? [from, to, 51, region] : [from, to, 51],
    },
  };
  const plans: Record<string, { executionMs: number; plan: string }> = {};
  for (const [name, { sql, params }] of Object.entries(statements)) {
    const { rows } = await ctx.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`,
      params,
    );
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
    plans[name] = { executionMs, plan };
  }
  return plans;
}
