import { MAIL_SENDS_IN_FLIGHT } from '../../libs/mail/src/limits';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../support/wait-for';
import { Attempt, NetworkError } from './http';
import { ScenarioResult, ScenarioRun, SuiteContext, ensureRunning } from './scenario';

export interface OutageOptions {
  movements: number;
  outageMs: number;
}

/** Waits until the scenario's NGO has had `n` movements accepted, so the fault hits live traffic. */
function acceptedAtLeast(run: ScenarioRun, n: number): Promise<boolean> {
  return waitFor(() => run.submissions.accepted.size >= n, {
    description: `${n} movements accepted`,
    timeoutMs: 60_000,
  });
}

/** The processes must ride out an outage of a backing service, not crash or be restarted. */
function pidsOf(ctx: SuiteContext) {
  return { api: ctx.hns.api.pid, worker: ctx.hns.worker.pid };
}
function expectSamePids(run: ScenarioRun, ctx: SuiteContext, before: ReturnType<typeof pidsOf>) {
  for (const name of ['api', 'worker'] as const) {
    const service = ctx.hns[name];
    run.expect(
      service.running && service.pid === before[name],
      `the ${name} process did not survive the outage (see its log)`,
    );
  }
}

function describeStatuses(attempts: Attempt[]): string {
  const counts: Record<string, number> = {};
  for (const a of attempts) {
    const key = a.error ?? String(a.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

/**
 * (b) Redis stopped for 30 s during submissions: the API writes to PostgreSQL only, so it keeps
 * answering 201; the outbox holds the work until Redis is back.
 */
export async function redisOutage(ctx: SuiteContext, o: OutageOptions): Promise<ScenarioResult> {
  const run = new ScenarioRun(ctx, 'b Redis down 30 s', o.movements, {
    concurrency: 4,
    perSecond: o.movements / ((o.outageMs + 10_000) / 1000),
  });
  await run.step('Redis outage', async () => {
    await acceptedAtLeast(run, Math.ceil(o.movements / 8));
    const pids = pidsOf(ctx);
    // Timers due within the relay's horizon are BullMQ delayed jobs, in Redis only (their outbox
    // rows are marked relayed); later ones wait in the outbox. Both must survive the outage.
    const timers = await ctx.queues.scheduledTimers();
    const waiting = await ctx.db.waitingTimers();
    await ctx.redis.stop();
    const from = Date.now();
    await sleep(o.outageMs);
    const to = Date.now();
    await ctx.redis.start();
    const lostTimers =
      (await ctx.queues.missingTimers(timers)) + (await ctx.db.missingOutboxTimers(waiting));
    const scheduled = timers.length + waiting.length;
    run.expect(scheduled > 0, 'no timer was scheduled before the outage: nothing to check');
    run.expect(
      lostTimers === 0,
      `${lostTimers}/${scheduled} scheduled timers (reminders, expiry) lost across the restart`,
    );
    const during = ctx.client.between(from, to, 'POST /movements');
    const refused = during.filter((a) => a.status !== 201);
    const slowest = Math.max(0, ...during.map((a) => (a.settledAt ?? to) - a.startedAt));
    run.expect(during.length > 0, 'no submission was made while Redis was down');
    run.expect(
      refused.length === 0,
      `${refused.length}/${during.length} submissions not answered 201 while Redis was down: ` +
        describeStatuses(refused),
    );
    run.note(
      `${during.length} submissions while Redis was down, slowest answer ${slowest} ms; ` +
        `${scheduled} scheduled timers checked (${timers.length} in Redis, ${waiting.length} waiting in the outbox)`,
    );
    expectSamePids(run, ctx, pids);
  });
  await run.step('restart', () => ensureRunning(ctx));
  return run.settle(150_000);
}

/**
 * (c) The SMTP server refuses connections for 30 s (421, as a mail server that is down): the
 * emails are retried with backoff and each arrives exactly once after it returns.
 */
export async function smtpOutage(ctx: SuiteContext, o: OutageOptions): Promise<ScenarioResult> {
  const run = new ScenarioRun(ctx, 'c SMTP refuses 30 s', o.movements, {
    concurrency: 4,
    perSecond: o.movements / ((o.outageMs + 5_000) / 1000),
    // The outage drops the open connections: a message the server had just stored, whose 250
    // the client never got, is sent again with its Message-ID (at most one per mail job).
    resendAllowance: MAIL_SENDS_IN_FLIGHT,
  });
  const refusedBefore = ctx.smtp.refusedConnections;
  await run.step('SMTP outage', async () => {
    await acceptedAtLeast(run, Math.ceil(o.movements / 8));
    ctx.smtp.refuseConnections(true);
    try {
      await sleep(o.outageMs);
    } finally {
      ctx.smtp.refuseConnections(false);
    }
  });
  const refused = ctx.smtp.refusedConnections - refusedBefore;
  run.expect(refused > 0, 'the worker never tried to send while the SMTP server refused');
  const result = await run.settle(150_000);
  const deliveries = await ctx.db.deliveries(run.submissions.ids);
  run.expect(deliveries.retried > 0, 'no email needed a retry: the outage hit nothing');
  // 2 s doubling over a 30 s outage is about 6 attempts; many more would be a retry storm.
  run.expect(
    deliveries.max_attempts <= 8,
    `an email was attempted ${deliveries.max_attempts} times: no backoff?`,
  );
  run.expect(deliveries.unsent === 0, `${deliveries.unsent} deliveries not recorded as sent`);
  result.notes.push(
    `${refused} connections refused, ${deliveries.retried} emails retried, ` +
      `at most ${deliveries.max_attempts} attempts each`,
  );
  return result;
}

/**
 * (d) PostgreSQL stops and starts again while emails are being sent: meanwhile the API answers
 * 503 with Retry-After (never 500, never a reset), and both processes recover by themselves.
 */
export async function postgresRestart(
  ctx: SuiteContext,
  o: OutageOptions,
): Promise<ScenarioResult> {
  const run = new ScenarioRun(ctx, 'd PostgreSQL restart', o.movements, {
    concurrency: 4,
    perSecond: o.movements / ((o.outageMs + 10_000) / 1000),
  });
  // A relay taking a second per message: emails are being sent as PostgreSQL goes down, so
  // their deliveries must be recorded once it is back, not sent again.
  ctx.smtp.slowDown(1000);
  await run.step('PostgreSQL restart', async () => {
    await acceptedAtLeast(run, Math.ceil(o.movements / 4));
    await waitFor(async () => (await ctx.queues.mailLoad()).active >= 5, {
      description: 'emails being sent',
      timeoutMs: 60_000,
    });
    const pids = pidsOf(ctx);
    await ctx.postgres.stop();
    const from = Date.now();
    const reads = readProbe(ctx);
    await sleep(o.outageMs);
    const to = Date.now();
    await ctx.postgres.start();
    ctx.smtp.slowDown(0);
    const restartedAt = Date.now();
    await waitFor(() => reads.recovered, {
      description: 'the API to answer reads again after PostgreSQL restarted',
      timeoutMs: 60_000,
    }).finally(() => reads.stop());
    const during = ctx.client.between(from, to);
    const answered = during.filter((a) => a.status !== undefined);
    const unavailable = answered.filter((a) => a.status === 503);
    const wrong = during.filter(
      (a) => a.error || ((a.status ?? 0) >= 500 && (a.status !== 503 || !a.retryAfter)),
    );
    run.expect(unavailable.length > 0, 'no 503 while PostgreSQL was down');
    run.expect(
      wrong.length === 0,
      `${wrong.length}/${during.length} answers while PostgreSQL was down were not 503 with ` +
        `Retry-After: ${describeStatuses(wrong)}`,
    );
    run.note(
      `while down: ${describeStatuses(during)} (503s with Retry-After: ${unavailable.length}); ` +
        `reads back ${Date.now() - restartedAt} ms after the restart`,
    );
    expectSamePids(run, ctx, pids);
  });
  ctx.smtp.slowDown(0);
  await run.step('restart', () => ensureRunning(ctx));
  return run.settle(150_000);
}

/** An NGO reading its movements every 200 ms; `recovered` once a read answers 200 again. */
function readProbe(ctx: SuiteContext) {
  const state = { recovered: false, running: true, stop: () => (state.running = false) };
  void (async () => {
    let sawOutage = false;
    while (state.running) {
      try {
        const answer = await ctx.client.request('GET', '/movements?limit=1', {
          token: ctx.ngoToken,
        });
        if (answer.status !== 200) sawOutage = true;
        else if (sawOutage) state.recovered = true;
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        sawOutage = true;
      }
      await sleep(200);
    }
  })();
  return state;
}
