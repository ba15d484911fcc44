import { Queue, Worker } from 'bullmq';
import { performance } from 'node:perf_hooks';
import { BASELINE_QUEUE_PREFIX, sleep } from './lib/env';
import { type Context, reserve, withDbProfile } from './lib/context';
import { count, databaseName } from './lib/db';
import { CpuMeter, MemorySampler, cpuPer, describeCpu } from './lib/processes';
import { ratio } from './lib/report';
import { PLACES, createOrganisation, insertZone, seedMovements } from './lib/seed';

const DAY = 24 * 3600;

/**
 * The bare limit of the queue: BullMQ add (addBulk in batches of 500, as the outbox relay does)
 * and a no-op processor with the review processor's concurrency, in one process.
 */
export async function bareBullmq(
  redisUrl: string,
  jobs: number,
): Promise<{ seconds: number; perSecond: number }> {
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const name = 'noop';
  const queue = new Queue(name, { connection, prefix: BASELINE_QUEUE_PREFIX });
  await queue.obliterate({ force: true });
  let completed = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const worker = new Worker(name, async () => undefined, {
    connection,
    prefix: BASELINE_QUEUE_PREFIX,
    concurrency: 8,
  });
  worker.on('completed', () => {
    completed += 1;
    if (completed === jobs) resolveDone();
  });
  await worker.waitUntilReady();
  try {
    const started = performance.now();
    for (let i = 0; i < jobs; i += 500) {
      await queue.addBulk(
        Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({
          name: 'noop',
          data: { movementId: `bench-${i + k}`, version: 1 },
          opts: {
            jobId: `noop-${i + k}`,
            attempts: 20,
            backoff: { type: 'exponential', delay: 1000 },
            removeOnComplete: { age: DAY, count: 50_000 },
            removeOnFail: { age: 7 * DAY, count: 50_000 },
          },
        })),
      );
    }
    const timeout = sleep(120_000).then(() => {
      throw new Error(`bare BullMQ: only ${completed} of ${jobs} jobs done in 120 s`);
    });
    await Promise.race([done, timeout]);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, perSecond: jobs / seconds };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

interface PipelineRun {
  movements: number;
  seedSeconds: number;
  seconds: number;
  movementsPerSecond: number;
  fanOutJobsRelayedAfterSeconds: number | null;
  reviewTasks: number;
  conflicts: number;
  escalations: number;
  receiptsSentMeanwhile: number;
  statuses: Record<string, number>;
  cpuMsPerMovement: Record<string, number>;
}

/**
 * One pass: N movements committed at once exactly as POST /movements writes them (movement,
 * version, audit event, outbox rows for the receipt and the review fan-out), then the time
 * until every one has its review tasks and its conflicts, which the fan-out computes in its own
 * transaction (so a movement out of `submitted` has both).
 */
async function runOnce(
  ctx: Context,
  acronym: string,
  zones: string[],
  label: string,
): Promise<PipelineRun> {
  const n = ctx.sizes.pipelineMovements;
  const organisation = await createOrganisation(ctx.pool, acronym);
  const from = reserve(ctx, n);
  const meter = new CpuMeter([ctx.api, ctx.worker], databaseName(ctx.databaseUrl));
  const seedStarted = performance.now();
  await seedMovements(ctx.pool, {
    from,
    to: from + n - 1,
    prefix: 'P',
    template: ctx.template,
    createdBy: ctx.accounts.ngo.userId,
    organisations: { featured: organisation, featuredEvery: 1, others: [organisation] },
    departureSql: `date_trunc('minute', now()) + interval '72 hours' + (i % 720) * interval '1 hour'`,
    statusSql: `'submitted'`,
    asSubmitted: true,
    features: ctx.features,
  });
  const committed = performance.now();
  meter.begin();

  let relayedAfter = null as number | null;
  await withDbProfile(ctx, label, async () => {
    let remaining = n;
    const deadline = committed + 300_000;
    while (remaining > 0) {
      if (performance.now() > deadline) {
        throw new Error(
          `pipeline: ${remaining} of ${n} movements still not fanned out after 300 s`,
        );
      }
      await sleep(100);
      remaining = await count(
        ctx.pool,
        `SELECT count(*) AS n FROM movement_notifications WHERE organisation_id = $1 AND status = 'submitted'`,
        [organisation],
      );
      if (relayedAfter === null) {
        const pending = await count(
          ctx.pool,
          `SELECT count(*) AS n FROM outbox WHERE relayed_at IS NULL AND job_name = 'movement.review-fanout'`,
        );
        if (pending === 0) relayedAfter = (performance.now() - committed) / 1000;
      }
    }
  });
  const seconds = (performance.now() - committed) / 1000;
  const cpu = meter.end();

  const [tasks, conflicts, escalations, receipts, statuses] = await Promise.all([
    count(
      ctx.pool,
      `SELECT count(*) AS n FROM review_tasks t JOIN movement_notifications m ON m.id = t.movement_id
       WHERE m.organisation_id = $1`,
      [organisation],
    ),
    count(
      ctx.pool,
      `SELECT count(*) AS n FROM movement_conflicts c JOIN movement_notifications m ON m.id = c.movement_id
       WHERE c.zone_id = ANY($1::uuid[]) AND m.organisation_id = $2`,
      [zones, organisation],
    ),
    count(
      ctx.pool,
      `SELECT count(*) AS n FROM security_escalations e JOIN movement_notifications m ON m.id = e.movement_id
       WHERE m.organisation_id = $1`,
      [organisation],
    ),
    count(
      ctx.pool,
      `SELECT count(*) AS n FROM email_deliveries d JOIN movement_notifications m ON m.id = d.movement_id
       WHERE m.organisation_id = $1 AND d.kind = 'movement.receipt' AND d.status = 'sent'`,
      [organisation],
    ),
    ctx.pool.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM movement_notifications WHERE organisation_id = $1 GROUP BY 1 ORDER BY 1`,
      [organisation],
    ),
  ]);
  const perSecond = n / seconds;
  ctx.log(
    `  ${label}: ${n} movements in ${seconds.toFixed(2)} s = ${perSecond.toFixed(0)} movements/s ` +
      `(fan-out jobs relayed after ${relayedAfter?.toFixed(2) ?? '?'} s); ${tasks} review tasks, ` +
      `${conflicts} conflicts, ${escalations} escalations; ${receipts} receipts sent meanwhile`,
  );
  ctx.log(`    ${describeCpu(cpu, n, 'movement')}`);
  return {
    movements: n,
    seedSeconds: (committed - seedStarted) / 1000,
    seconds,
    movementsPerSecond: perSecond,
    fanOutJobsRelayedAfterSeconds: relayedAfter,
    reviewTasks: tasks,
    conflicts,
    escalations,
    receiptsSentMeanwhile: receipts,
    statuses: Object.fromEntries(statuses.rows.map((r) => [r.status, Number(r.n)])),
    cpuMsPerMovement: cpuPer(cpu, n),
  };
}

/**
 * Pipeline, with one worker process. Two zones are active: a caution zone near Douentza and a
 * no-go zone near Gossi, so that conflicts are found and no-go consequences (flag, escalation)
 * run. First with everything live (the receipts are sent meanwhile, as they would be), then,
 * as a diagnostic, with the mail queue paused: the review path alone.
 */
export async function pipeline(ctx: Context): Promise<void> {
  const n = ctx.sizes.pipelineMovements;
  ctx.log(`pipeline: ${n} submitted movements → review tasks and conflicts, one worker`);

  const bare = await bareBullmq(ctx.redisUrl, n);
  ctx.log(`  baseline (BullMQ add + no-op, concurrency 8): ${bare.perSecond.toFixed(0)} jobs/s`);

  const zones = [
    await insertZone(ctx.pool, {
      name: 'Bench caution Douentza',
      level: 'caution',
      lon: PLACES.Douentza[0],
      lat: PLACES.Douentza[1],
      radiusKm: 15,
      days: 60,
      declaredBy: ctx.accounts.liaison.userId,
    }),
    await insertZone(ctx.pool, {
      name: 'Bench no-go Gossi',
      level: 'no_go',
      lon: PLACES.Gossi[0],
      lat: PLACES.Gossi[1],
      radiusKm: 10,
      days: 60,
      declaredBy: ctx.accounts.liaison.userId,
    }),
  ];

  const sampler = new MemorySampler([ctx.api, ctx.worker]).start();
  let live: PipelineRun;
  try {
    live = await runOnce(ctx, 'BPIPE', zones, 'system');
  } finally {
    ctx.memory.pipeline = sampler.stop();
  }
  await ctx.queues.quiesce(ctx.pool);
  await ctx.queues.queues.mail.pause();
  let reviewOnly: PipelineRun;
  try {
    reviewOnly = await runOnce(ctx, 'BPIPE2', zones, 'system, mail queue paused');
  } finally {
    await ctx.queues.queues.mail.resume();
  }

  ctx.results.pipeline = { ...live, mailPaused: reviewOnly, baseline: { jobs: n, ...bare } };
  ctx.rows.push(
    {
      benchmark: 'pipeline',
      metric: `${n.toLocaleString('en-GB')} movements → tasks + conflicts`,
      unit: '/s',
      figure: live.movementsPerSecond,
      baseline: bare.perSecond,
      baselineLabel: 'BullMQ no-op jobs',
      ratio: ratio(live.movementsPerSecond, bare.perSecond),
      target: '≥ 1,500 movements/s',
      pass: live.movementsPerSecond >= 1500 && live.reviewTasks >= n,
    },
    {
      benchmark: 'pipeline',
      metric: 'same, mail queue paused',
      unit: '/s',
      figure: reviewOnly.movementsPerSecond,
      baseline: bare.perSecond,
      ratio: ratio(reviewOnly.movementsPerSecond, bare.perSecond),
      target: '(diagnostic)',
      pass: null,
    },
  );
}
