/**
 * When the outbox relay starts its next batch (issue 7, intake benchmark).
 *
 * Each batch costs the same whatever it carries: a transaction of four statements, a Redis
 * round trip for BullMQ's addBulk, and one review fan-out job per batch. Relayed one by one as
 * each commit nudges it, a steady stream of submissions paid that for every submission or two.
 *
 * - After a full batch (a backlog), the next starts at once, in every loop.
 * - After a batch that was not full (the relay has caught up), the next one — in any loop — starts
 *   no sooner than `gatherMs` after the previous one started: the rows committed meanwhile travel
 *   together. A nudge does not shorten that wait.
 * - After `gatherMs` without a batch, a nudge starts one at once: a lone submission is relayed as
 *   soon as it is committed, as before.
 */
export class RelayPacer {
  /** No batch starts before this time (ms since the epoch) unless the last one was full. */
  private notBefore = 0;
  private caughtUp = true;

  constructor(
    private readonly gatherMs: number,
    private readonly batchSize: number,
  ) {}

  /** How long to wait before starting a batch at `now`; 0: start it, the slot is taken. */
  claim(now: number): number {
    if (this.caughtUp && now < this.notBefore) return this.notBefore - now;
    this.notBefore = now + this.gatherMs;
    return 0;
  }

  /** A batch moved `moved` rows. */
  done(moved: number): void {
    this.caughtUp = moved < this.batchSize;
  }
}
