import { MAIL_SENDS_IN_FLIGHT } from '../../libs/mail/src/limits';
import { waitFor } from '../support/wait-for';
import { ScenarioResult, ScenarioRun, SuiteContext, ensureRunning } from './scenario';

/**
 * (a) The worker is killed with SIGKILL several times while movements go through submission,
 * review and acknowledgement. Each kill lands at a share of the expected emails delivered, so it
 * hits the middle of the work; the worker is restarted at once, as a supervisor would.
 */
export async function workerCrashes(
  ctx: SuiteContext,
  options: { movements: number; kills: number },
): Promise<ScenarioResult> {
  const run = new ScenarioRun(ctx, `a worker SIGKILL x${options.kills}`, options.movements, {
    concurrency: 12,
    // Each kill can cut at most MAIL_SENDS_IN_FLIGHT emails between the SMTP server's acceptance
    // and the "sent" record; those are sent again, with the same Message-ID.
    resendAllowance: options.kills * MAIL_SENDS_IN_FLIGHT,
  });
  const expectedEmails = options.movements * 2;
  for (let kill = 1; kill <= options.kills; kill += 1) {
    // Spread over the first 60 % of the emails: jobs a kill leaves locked are taken up again
    // after their lock expires (30 s), which then overlaps with the rest of the work.
    const threshold = Math.floor((expectedEmails * 0.6 * kill) / options.kills);
    await run.step(`kill ${kill}`, async () => {
      await waitFor(() => run.progress().delivered >= threshold, {
        description: `${threshold} emails delivered before kill ${kill}`,
        timeoutMs: 180_000,
        intervalMs: 100,
      });
      const exit = await ctx.hns.worker.stop('SIGKILL', 10_000);
      run.expect(exit?.signal === 'SIGKILL', `kill ${kill}: the worker did not die`);
      await ctx.hns.startWorker();
    });
  }
  await run.step('restart', () => ensureRunning(ctx));
  return run.settle(240_000);
}
