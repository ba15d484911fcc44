import type { Harness } from '../../support/harness';
import { waitFor } from '../../support/wait-for';
import { OUTBOX_READY_SQL } from '@hns/queue';

/**
 * Waits until this test file's worker has relayed every outbox row due now (timers due later
 * wait in the outbox), so that no follow-up of
 * its movements (receipts, review fan-outs, zone re-checks) is left for the worker of a later
 * test file to pick up: the test files share one database and run one after the other.
 */
export async function drainOutbox(h: Harness): Promise<void> {
  await waitFor(
    async () => {
      const [{ n }]: { n: number }[] = await h.db.query(
        `SELECT count(*)::int AS n FROM outbox WHERE ${OUTBOX_READY_SQL}`,
      );
      return n === 0;
    },
    { description: 'every outbox row to be relayed', timeoutMs: 30_000 },
  );
}
