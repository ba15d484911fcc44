import type { DataSource } from 'typeorm';

/** One dependency as the health and readiness endpoints report it. */
export interface Check {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

/** Runs `probe` with a time limit; never throws: a failure is reported as `down`. */
export async function check(probe: () => Promise<unknown>, timeoutMs = 3000): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'down',
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message.split('\n')[0].slice(0, 200) : 'unknown error',
    };
  } finally {
    clearTimeout(timer);
  }
}

export interface Readiness {
  status: 'ready' | 'not_ready' | 'shutting_down';
  checks: { postgres: Check; redis: Check; migrations: Check };
}

/**
 * Whether this process should receive work: PostgreSQL and Redis answer, and every migration
 * this code knows is applied (a process started before `migrate` ran must not take traffic).
 * Once true, the migration check is not repeated: migrations only change with a new release.
 */
export class ReadinessProbe {
  private migrationsApplied = false;

  constructor(
    private readonly db: DataSource,
    /** A round trip to Redis, e.g. INFO on a BullMQ queue's client. */
    private readonly redis: () => Promise<unknown>,
  ) {}

  async probe(shuttingDown: boolean): Promise<Readiness> {
    const [postgres, redis, migrations] = await Promise.all([
      check(() => this.db.query('SELECT 1')),
      check(() => this.redis()),
      check(() => this.checkMigrations()),
    ]);
    const up = [postgres, redis, migrations].every((c) => c.status === 'up');
    return {
      status: shuttingDown ? 'shutting_down' : up ? 'ready' : 'not_ready',
      checks: { postgres, redis, migrations },
    };
  }

  private async checkMigrations(): Promise<void> {
    if (this.migrationsApplied) return;
    const expected = this.db.migrations.map((m) => m.name ?? m.constructor.name);
    const rows: { name: string }[] = await this.db.query(
      `SELECT name FROM migrations WHERE name = ANY($1::text[])`,
      [expected],
    );
    const applied = new Set(rows.map((row) => row.name));
    const pending = expected.filter((name) => !applied.has(name));
    if (pending.length > 0) {
      throw new Error(`${pending.length} migration(s) not applied: ${pending.join(', ')}`);
    }
    this.migrationsApplied = true;
  }
}
