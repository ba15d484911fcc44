import { waitFor } from '../support/wait-for';
import type { Attempt } from './http';
import { withTimeout } from './processes';
import { ScenarioResult, ScenarioRun, SuiteContext, ensureRunning } from './scenario';

const STOP_WITHIN_MS = 30_000;
const RACE_MARGIN_MS = 500;
/** The worker's mail concurrency (apps/worker/src/mail.processor.ts). */
const MAIL_CONCURRENCY = 8;

/**
 * (e) SIGTERM to the API and the worker while requests and jobs are in flight: every request
 * the API had before the signal gets its answer (no connection reset), the worker finishes its
 * jobs before it exits (none left active or failed), and after a restart all the work completes.
 */
export async function gracefulStop(
  ctx: SuiteContext,
  options: { movements: number },
): Promise<ScenarioResult> {
  const run = new ScenarioRun(ctx, 'e SIGTERM API+worker', options.movements, {
    concurrency: 16,
  });
  // A relay that takes a second per message keeps every mail slot busy, most of them waiting
  // for one of the pool's SMTP connections: the jobs are really in flight at SIGTERM.
  ctx.smtp.slowDown(1000);
  await run.step('SIGTERM', async () => {
    // A mail backlog waiting, requests of both kinds under way.
    await waitFor(
      async () => {
        if (run.submissions.accepted.size < options.movements / 4) return false;
        if (run.reviews.decisions < options.movements / 4) return false;
        const mail = await ctx.queues.mailLoad();
        return mail.active >= MAIL_CONCURRENCY && mail.waiting >= 16;
      },
      { description: 'submissions, reviews and a mail backlog under way', timeoutMs: 120_000 },
    );
    const activeJobs = (await ctx.queues.counts()).active ?? 0;
    const signalledAt = Date.now();
    ctx.hns.api.signal('SIGTERM');
    ctx.hns.worker.signal('SIGTERM');
    const [api, worker] = await Promise.all([
      withTimeout(ctx.hns.api.exited, STOP_WITHIN_MS),
      withTimeout(
        ctx.hns.worker.exited.then(async (exit) => ({
          exit,
          jobs: await ctx.queues.counts(),
          reasons: await ctx.queues.failureReasons(),
        })),
        STOP_WITHIN_MS,
      ),
    ]);
    run.expect(api !== null, `the API did not stop within ${STOP_WITHIN_MS / 1000} s`);
    run.expect(worker !== null, `the worker did not stop within ${STOP_WITHIN_MS / 1000} s`);
    for (const service of [ctx.hns.api, ctx.hns.worker]) {
      if (service.running) await service.stop('SIGKILL', 10_000);
    }
    if (worker) {
      const { active = 0, delayed = 0, failed = 0 } = worker.jobs;
      // Nothing else fails in this scenario: a job retried (delayed) was cut off by the shutdown.
      run.expect(
        active + delayed + failed === 0,
        `after the worker stopped: ${active} jobs left active, ${delayed} awaiting a retry, ` +
          `${failed} failed (${worker.reasons.join('; ') || 'no reason recorded'})`,
      );
    }
    const inFlight = ctx.client.attempts.filter(
      (a) => a.startedAt < signalledAt && (a.settledAt === undefined || a.settledAt >= signalledAt),
    );
    await waitFor(() => inFlight.every((a) => a.settledAt !== undefined), {
      description: 'the requests in flight at SIGTERM to settle',
      timeoutMs: 35_000,
    });
    // Unanswered = a reset or a 5xx. The database tells whether the API had done the work (a
    // request it accepted) or not (one it never read: it arrived on a keep-alive connection as
    // the server closed it, and the client retries it safely with its Idempotency-Key).
    const unanswered = inFlight.filter((a) => a.error || (a.status ?? 0) >= 500);
    const describe = (a: Attempt) =>
      `${a.route} ${a.error ?? a.status} (sent ${signalledAt - a.startedAt} ms before SIGTERM)`;
    const lostAnswers: Attempt[] = [];
    const refused: Attempt[] = [];
    for (const attempt of unanswered) {
      const done = attempt.effect ? await ctx.db.processed(attempt.effect) : false;
      (done ? lostAnswers : refused).push(attempt);
    }
    run.expect(
      lostAnswers.length === 0,
      `${lostAnswers.length}/${inFlight.length} requests in flight at SIGTERM were processed ` +
        `but never answered: ${lostAnswers.map(describe).join(', ')}`,
    );
    // The close race only concerns requests sent just before it; an older one was being served.
    const old = refused.filter((a) => signalledAt - a.startedAt >= RACE_MARGIN_MS);
    run.expect(
      old.length === 0,
      `${old.length} requests sent at least ${RACE_MARGIN_MS} ms before SIGTERM got no answer: ` +
        old.map(describe).join(', '),
    );
    if (refused.length > old.length) {
      run.note(
        `${refused.length - old.length} requests sent just before SIGTERM were refused unprocessed ` +
          `and retried: ${refused.map(describe).join(', ')}`,
      );
    }
    run.note(
      `${inFlight.length} requests and ${activeJobs} jobs in flight at SIGTERM; ` +
        `API exit ${api?.signal ?? api?.code}, worker exit ${worker?.exit.signal ?? worker?.exit.code}`,
    );
  });
  ctx.smtp.slowDown(0);
  await run.step('restart', () => ensureRunning(ctx));
  return run.settle(150_000);
}
