import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Pool } from 'pg';
import { ROOT } from './env';

const run = promisify(execFile);

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/** Drops and recreates the benchmark's database (the caller checked that it is a bench one). */
export async function recreateDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = new Client({
    connectionString: maintenance.toString(),
    connectionTimeoutMillis: 5000,
    application_name: 'hns-bench',
  });
  await admin.connect();
  try {
    const quoted = `"${name.replace(/"/g, '""')}"`;
    await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoted}`);
  } finally {
    await admin.end();
  }
}

/** A small pool for the benchmark's own statements (seeding, polling, EXPLAIN). */
export function benchPool(url: string, max = 4): Pool {
  const pool = new Pool({ connectionString: url, max, application_name: 'hns-bench' });
  pool.on('error', () => undefined);
  return pool;
}

/** `npm run cli -- <args>` against the benchmark's environment, from dist/. */
export async function cli(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(
      process.execPath,
      [join(ROOT, 'dist/apps/cli/src/main.js'), ...args],
      {
        cwd: ROOT,
        env,
        timeout: 60_000,
      },
    );
    return stdout;
  } catch (error) {
    const failure = error as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `cli ${args[0]} failed: ${failure.stderr || failure.stdout || failure.message}`,
      { cause: error },
    );
  }
}

/** Whether a column exists (the schema grows while the benchmark stays the same). */
export async function hasColumn(pool: Pool, table: string, column: string): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2`,
    [table, column],
  );
  return rows.length > 0;
}

export async function hasFunction(pool: Pool, name: string): Promise<boolean> {
  const { rows } = await pool.query(`SELECT 1 FROM pg_proc WHERE proname = $1`, [name]);
  return rows.length > 0;
}

export async function count(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: string | number }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}
