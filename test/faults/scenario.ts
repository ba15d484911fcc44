import { waitFor } from '../support/wait-for';
import { HnsDeployment, Seat } from './hns';
import { HttpClient } from './http';
import { PostgresCluster, RedisServer } from './infrastructure';
import { DatabaseProbe } from './database-probe';
import { MailLedger, MailTally } from './mail-ledger';
import { QueueProbe, idle } from './queue-probe';
import { FaultableSmtp } from './smtp';
import { ReviewCrew, Submissions } from './traffic';

/** Everything a scenario can drive, break and observe. */
export interface SuiteContext {
  hns: HnsDeployment;
  postgres: PostgresCluster;
  redis: RedisServer;
  smtp: FaultableSmtp;
  client: HttpClient;
  db: DatabaseProbe;
  queues: QueueProbe;
  mail: MailLedger;
  ngoToken: string;
  seatTokens: Record<Seat, string>;
}

export interface ScenarioResult {
  scenario: string;
  submitted: number;
  processed: number;
  emailsExpected: number;
  delivered: number;
  duplicated: number;
  /** Same message (same Message-ID) sent again after a crash between SMTP acceptance and "sent". */
  resent: number;
  /** Movements accepted but never acknowledged, plus emails never delivered. */
  lost: number;
  seconds: number;
  failures: string[];
  notes: string[];
}

/**
 * One scenario's traffic: an NGO submitting `count` movements while the four seats approve
 * them, then a wait until everything is acknowledged, every email arrived and the queues are
 * idle, and the tally. Faults are injected by the scenario between start and settle.
 */
export class ScenarioRun {
  readonly submissions: Submissions;
  readonly reviews: ReviewCrew;
  readonly failures: string[] = [];
  readonly notes: string[] = [];
  private readonly startedAt = Date.now();
  private readonly ticker: NodeJS.Timeout;
  private readonly resendAllowance: number;

  constructor(
    private readonly ctx: SuiteContext,
    readonly name: string,
    count: number,
    options: {
      concurrency: number;
      perSecond?: number;
      /**
       * How many same-Message-ID re-sends the fault can explain: 0 unless a process is killed
       * with emails in flight (the SMTP server accepted them, "sent" was never recorded).
       */
      resendAllowance?: number;
    },
  ) {
    this.resendAllowance = options.resendAllowance ?? 0;
    const tag = `faults-${name.split(' ')[0]}-${this.startedAt.toString(36)}`;
    this.submissions = new Submissions(ctx.client, ctx.ngoToken, tag, count, {
      ...options,
      deadlineMs: 240_000,
    });
    this.reviews = new ReviewCrew(ctx.client, ctx.seatTokens, (id) =>
      this.submissions.accepted.has(id),
    );
    // A line every 15 s, so a slow or stuck run shows where it is.
    this.ticker = setInterval(() => {
      const { delivered, expected } = this.progress();
      console.log(
        `[faults] ${name}: ${this.submissions.accepted.size}/${count} accepted, ` +
          `${this.reviews.decisions} approvals, ${delivered}/${expected} emails`,
      );
    }, 15_000);
    this.ticker.unref();
  }

  expect(condition: boolean, failure: string): void {
    if (!condition) this.failures.push(failure);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** Runs one fault step; if it throws, the failure is recorded and the scenario still settles. */
  async step(description: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.failures.push(`${description}: ${(error as Error).message}`);
    }
  }

  /** Mail delivered so far for the movements accepted so far (for progress-based triggers). */
  progress(): MailTally {
    return this.ctx.mail.tally(this.submissions.references);
  }

  async settle(timeoutMs: number): Promise<ScenarioResult> {
    const { db, queues, mail } = this.ctx;
    await this.submissions.finished;
    let last = 'nothing checked yet';
    const settled = await waitFor(
      async () => {
        try {
          const ids = this.submissions.ids;
          const statuses = await db.statuses(ids);
          const tally = mail.tally(this.submissions.references);
          const outbox = await db.unrelayedOutbox();
          const counts = await queues.counts();
          last =
            `statuses ${JSON.stringify(statuses)}, emails ${tally.delivered}/${tally.expected}, ` +
            `outbox unrelayed ${outbox}, jobs ${JSON.stringify(counts)}`;
          return (
            (statuses.acknowledged ?? 0) === ids.size &&
            tally.delivered === tally.expected &&
            outbox === 0 &&
            idle(counts)
          );
        } catch (error) {
          last = `probe failed: ${(error as Error).message}`;
          return false;
        }
      },
      { description: `${this.name} to settle`, timeoutMs, intervalMs: 500 },
    ).catch(() => false);
    await this.reviews.stop();
    clearInterval(this.ticker);
    if (!settled) this.failures.push(`did not settle within ${timeoutMs / 1000} s: ${last}`);
    return this.result();
  }

  private async result(): Promise<ScenarioResult> {
    const { db, queues, mail } = this.ctx;
    const ids = this.submissions.ids;
    const statuses = await db.statuses(ids);
    const tally = mail.tally(this.submissions.references);
    const written = await db.movementsTagged(this.submissions.tag);
    const failedJobs = (await queues.counts()).failed ?? 0;
    const processed = statuses.acknowledged ?? 0;
    this.expect(
      this.submissions.problems.length === 0,
      `submissions refused: ${this.submissions.problems.slice(0, 3).join('; ')}`,
    );
    this.expect(
      this.reviews.problems.length === 0,
      `reviews refused: ${this.reviews.problems.slice(0, 3).join('; ')}`,
    );
    this.expect(
      written === ids.size,
      `${written} movements written for ${ids.size} accepted (a retried request doubled one?)`,
    );
    this.expect(failedJobs === 0, `${failedJobs} BullMQ jobs failed for good`);
    this.expect(
      tally.unexpected.length === 0,
      `unexpected emails: ${tally.unexpected.slice(0, 3).join('; ')}`,
    );
    this.expect(processed === ids.size, `movements not acknowledged: ${JSON.stringify(statuses)}`);
    this.expect(
      tally.duplicated === 0,
      `${tally.duplicated} emails delivered more than once: ${tally.duplicates.slice(0, 5).join('; ')}`,
    );
    if (tally.duplicates.length > 0) {
      const duplicated = tally.duplicates.slice(0, 3).map((d) => d.split(' ').slice(0, 2));
      const history = (await db.deliveryHistory(duplicated.map(([reference]) => reference))).filter(
        (line) => duplicated.some(([ref, kind]) => line.startsWith(`${ref} movement.${kind}:`)),
      );
      this.note(`deliveries recorded for duplicated emails: ${history.join('; ')}`);
    }
    this.expect(
      tally.sameMessageId <= this.resendAllowance,
      `${tally.sameMessageId} messages sent again with the same Message-ID, more than the ` +
        `${this.resendAllowance} this fault can explain: ${tally.duplicates.slice(0, 5).join('; ')}`,
    );
    if (tally.sameMessageId > 0) {
      this.note(
        `${tally.sameMessageId} messages sent again with their Message-ID (at most ` +
          `${this.resendAllowance} allowed): accepted by the SMTP server, the worker killed ` +
          `before recording "sent"; receivers that deduplicate by Message-ID show them once`,
      );
    }
    this.expect(tally.lost === 0, `${tally.lost} emails never delivered`);
    return {
      scenario: this.name,
      submitted: ids.size,
      processed,
      emailsExpected: tally.expected,
      delivered: tally.delivered,
      duplicated: tally.duplicated,
      resent: tally.sameMessageId,
      lost: ids.size - processed + tally.lost,
      seconds: Math.round((Date.now() - this.startedAt) / 1000),
      failures: this.failures,
      notes: this.notes,
    };
  }
}

/** The API and the worker are both up, as each scenario expects to find them. */
export async function ensureRunning(ctx: SuiteContext): Promise<void> {
  await Promise.all([
    ctx.hns.worker.running || ctx.hns.startWorker(),
    ctx.hns.api.running || ctx.hns.startApi(),
  ]);
}
