/**
 * Calls `send` after every `trigger()`: at most one call in flight and, after the first, at most
 * one every `intervalMs`. Triggers that come meanwhile are folded into the next call, which starts
 * after all of them, so no trigger is left without a call begun after it. A trigger after a quiet
 * period sends at once.
 *
 * OutboxSignal's nudges (issue 7, intake benchmark): a Redis PUBLISH after every submission's
 * commit cost the API, Redis and the worker a round trip each per submission, while under such a
 * stream the relay is already running (RelayPacer) and needs none of them.
 */
export class NudgeThrottle {
  private inFlight = false;
  private again = false;
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    /** Must not throw: a failed send is the caller's to report. */
    private readonly send: () => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  trigger(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    void this.run();
  }

  private async run(): Promise<void> {
    this.inFlight = true;
    try {
      do {
        const wait = this.last + this.intervalMs - this.now();
        if (wait > 0) await delay(wait);
        this.again = false;
        this.last = this.now();
        await this.send();
      } while (this.again);
    } finally {
      this.inFlight = false;
    }
  }
}

function delay(ms: number): Promise<void> {
  // Unref'd: a pending nudge never keeps a process that is shutting down alive.
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
