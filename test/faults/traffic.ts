import { setTimeout as sleep } from 'node:timers/promises';
import { HOUR, convoyNoticeAt } from '../support/fixtures';
import { Seat } from './hns';
import { HttpClient, NetworkError, backoff } from './http';

export interface AcceptedMovement {
  index: number;
  id: string;
  reference: string;
}

/**
 * A complete routine convoy notice, Mopti → Douentza → Gao (as test/support/harness.ts builds
 * it), tagged in `purpose` so the database can tell which scenario wrote each movement.
 */
export function convoyNotice(tag: string, index: number) {
  return convoyNoticeAt(new Date(Date.now() + 72 * HOUR + index * 60_000), {
    purpose: `${tag} #${index}: distribution de vivres / food distribution, Gao`,
  });
}

/**
 * An NGO notifying `count` movements, `concurrency` at a time, optionally paced. Each movement
 * has its own Idempotency-Key and body, reused on every retry (network error, 5xx), so a retry
 * after an answer that never arrived cannot create a second movement.
 */
export class Submissions {
  readonly accepted = new Map<string, AcceptedMovement>();
  /** Answers that are neither 201 nor a retryable outage, e.g. "422 on #12". */
  readonly problems: string[] = [];
  readonly finished: Promise<void>;
  private next = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly client: HttpClient,
    private readonly token: string,
    readonly tag: string,
    readonly count: number,
    private readonly options: { concurrency: number; perSecond?: number; deadlineMs: number },
  ) {
    const lanes = Array.from({ length: options.concurrency }, () => this.lane());
    this.finished = Promise.all(lanes).then(() => undefined);
  }

  get ids(): Set<string> {
    return new Set(this.accepted.keys());
  }

  get references(): string[] {
    return [...this.accepted.values()].map((m) => m.reference);
  }

  private async lane(): Promise<void> {
    while (this.next < this.count) {
      const index = this.next++;
      if (this.options.perSecond) {
        const due = this.startedAt + (index * 1000) / this.options.perSecond;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      await this.submit(index);
    }
  }

  private async submit(index: number): Promise<void> {
    const body = convoyNotice(this.tag, index);
    const idempotencyKey = `${this.tag}-${index}`;
    const headers = { 'idempotency-key': idempotencyKey };
    const deadline = this.startedAt + this.options.deadlineMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const answer = await this.client.request('POST', '/movements', {
          token: this.token,
          body,
          headers,
          effect: { kind: 'submission', idempotencyKey },
        });
        if (answer.status === 201) {
          const { id, reference } = answer.body as { id: string; reference: string };
          this.accepted.set(id, { index, id, reference });
          return;
        }
        if (answer.status < 500 && answer.status !== 429) {
          this.problems.push(`#${index}: ${answer.status} ${JSON.stringify(answer.body)}`);
          return;
        }
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
      }
      if (Date.now() > deadline) {
        this.problems.push(`#${index}: no 201 within ${this.options.deadlineMs} ms`);
        return;
      }
      await sleep(backoff(attempt));
    }
  }
}

interface ReviewItem {
  movementId: string;
  version: number;
  status: string;
}

/**
 * The four seats of the cell, each approving from its own queue (GET /reviews) every movement
 * of the scenario once it is in review. A 409 (already decided, e.g. an answer lost in a
 * shutdown) counts as done: the next queue read shows what is still pending.
 */
export class ReviewCrew {
  decisions = 0;
  readonly problems: string[] = [];
  private running = true;
  private readonly lanes: Promise<void>[];

  constructor(
    private readonly client: HttpClient,
    tokens: Record<Seat, string>,
    private readonly isOurs: (movementId: string) => boolean,
  ) {
    this.lanes = Object.entries(tokens).map(([seat, token]) => this.seat(seat, token));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.lanes);
  }

  private async seat(seat: string, token: string): Promise<void> {
    let failures = 0;
    while (this.running) {
      let items: ReviewItem[];
      try {
        const answer = await this.client.request('GET', '/reviews?limit=100', { token });
        if (answer.status !== 200) throw new NetworkError(String(answer.status));
        items = (answer.body as { items: ReviewItem[] }).items.filter(
          (item) => item.status === 'in_review' && this.isOurs(item.movementId),
        );
        failures = 0;
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        await sleep(backoff(++failures));
        continue;
      }
      if (items.length === 0) {
        await sleep(250);
        continue;
      }
      await inParallel(items, 4, (item) => this.approve(seat, token, item));
    }
  }

  private async approve(seat: string, token: string, item: ReviewItem): Promise<void> {
    try {
      const answer = await this.client.request('POST', `/movements/${item.movementId}/reviews`, {
        token,
        body: { version: item.version, decision: 'approve' },
        effect: { kind: 'review', movementId: item.movementId, seat },
      });
      if (answer.status === 200) this.decisions += 1;
      else if (answer.status !== 409 && answer.status < 500)
        this.problems.push(`review ${item.movementId}: ${answer.status}`);
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      // Not decided, or decided with the answer lost: the queue says which on the next read.
    }
  }
}

export async function inParallel<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}
