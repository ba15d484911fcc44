import { Client } from 'pg';

export interface ActivityEntry {
  statement: string;
  wait: string;
  samples: number;
  share: number;
}

/**
 * A sampling profile of PostgreSQL (pg_stat_activity every few milliseconds, like Oracle's
 * ASH): which statements of the benchmark's database are running, or waiting on what. No
 * extension needed; the shares approximate where the database's time goes.
 */
export class PgActivitySampler {
  private readonly client: Client;
  private readonly counts = new Map<string, { statement: string; wait: string; samples: number }>();
  private timer?: NodeJS.Timeout;
  private busy = false;
  samples = 0;

  constructor(
    url: string,
    private readonly database: string,
    private readonly everyMs = 10,
  ) {
    this.client = new Client({ connectionString: url, application_name: 'hns-bench-sampler' });
    this.client.on('error', () => undefined);
  }

  async start(): Promise<this> {
    await this.client.connect();
    this.timer = setInterval(() => void this.sample(), this.everyMs);
    return this;
  }

  async stop(top = 15): Promise<ActivityEntry[]> {
    clearInterval(this.timer);
    await this.client.end().catch(() => undefined);
    const total = [...this.counts.values()].reduce((sum, e) => sum + e.samples, 0);
    return [...this.counts.values()]
      .sort((a, b) => b.samples - a.samples)
      .slice(0, top)
      .map((e) => ({ ...e, share: Number(((100 * e.samples) / Math.max(1, total)).toFixed(1)) }));
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { rows } = await this.client.query<{ query: string; wait: string }>(
        `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query,
                coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait
         FROM pg_stat_activity
         WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()
           AND application_name <> 'hns-bench-sampler'`,
        [this.database],
      );
      this.samples += 1;
      for (const row of rows) {
        const key = `${row.wait}|${row.query}`;
        const entry = this.counts.get(key) ?? { statement: row.query, wait: row.wait, samples: 0 };
        entry.samples += 1;
        this.counts.set(key, entry);
      }
    } catch {
      // a sample lost does not matter
    } finally {
      this.busy = false;
    }
  }
}

export function formatActivity(entries: ActivityEntry[]): string {
  return entries
    .map((e) => `    ${String(e.share).padStart(5)} %  ${e.wait.padEnd(24)} ${e.statement}`)
    .join('\n');
}
