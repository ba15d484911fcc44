/**
 * How long urgent work must have stopped before deferrable work goes ahead: longer than the gap
 * between one urgent job and the next while a queue of them drains.
 */
export const QUIET_MS = 100;
/** The longest a deferrable job waits for urgent work to stop: it then runs all the same. */
export const MAX_DEFERRAL_MS = 10_000;

/**
 * The order in which the worker's jobs share its CPU, and PostgreSQL's, when both kinds have
 * work: review fan-outs and zone re-checks (what the cell's queues and the conflicts show) come
 * before receipts, notices and a zone's consequences, which go out moments later.
 *
 * A deferrable job waits, inside its job, until no urgent job of this process has run for
 * QUIET_MS, or MAX_DEFERRAL_MS at most: under a surge it goes on at a slower pace, it never
 * stops. Each worker process orders its own jobs: it is their CPU that is shared. On a two-core
 * machine a movement's receipt costs nearly three times its review fan-out in CPU (the worker's,
 * PostgreSQL's and the SMTP server's; bench, issue 7), so 10,000 movements had their tasks and
 * conflicts at about half the pace with the receipts sent alongside.
 */
export class WorkPriority {
  private active = 0;
  private quietSince = Number.NEGATIVE_INFINITY;
  private readonly waiters = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly quietMs = QUIET_MS,
    private readonly maxDeferralMs = MAX_DEFERRAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Runs urgent work: deferrable jobs wait while it runs, and for QUIET_MS after. */
  async urgent<T>(work: () => Promise<T>): Promise<T> {
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      if (this.active === 0) {
        this.quietSince = this.now();
        this.wakeWhenQuiet();
      }
    }
  }

  /**
   * Resolves when deferrable work may run: at once when no urgent work is running or has just
   * run, else once it has stopped for QUIET_MS or after MAX_DEFERRAL_MS, whichever comes first.
   * Returns how long it waited, ms.
   */
  async deferrable(): Promise<number> {
    if (this.stopped || this.isQuiet()) return 0;
    const started = this.now();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(deadline);
        this.waiters.delete(done);
        resolve();
      };
      const deadline = setTimeout(done, this.maxDeferralMs);
      this.waiters.add(done);
      this.wakeWhenQuiet();
    });
    return this.now() - started;
  }

  /**
   * The worker is stopping (GracefulShutdown, before it waits for the jobs in flight): nothing
   * waits any more, so that those jobs end as soon as they can.
   */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const done of [...this.waiters]) done();
  }

  private isQuiet(): boolean {
    return this.active === 0 && this.now() - this.quietSince >= this.quietMs;
  }

  /** Releases the waiters once the quiet time has passed with no urgent work. */
  private wakeWhenQuiet(): void {
    if (this.timer || this.waiters.size === 0 || this.active > 0) return;
    const left = Math.max(0, this.quietSince + this.quietMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.isQuiet()) for (const done of [...this.waiters]) done();
      else this.wakeWhenQuiet();
    }, left);
  }
}
