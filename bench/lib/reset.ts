import type { Pool } from 'pg';
import { isBenchDatabaseName } from './env';

/**
 * What a benchmark leaves behind that the next one must not inherit: movements and everything
 * hanging off them (versions, review tasks, conflicts, escalations, emails, the outbox's jobs
 * and timers), the zones, and replayable request keys. Emptied in one TRUNCATE without CASCADE:
 * if a table added later references one of these, the reset fails instead of reaching further.
 *
 * Kept: accounts and sessions, organisations, the gazetteer and regions, the migrations, and
 * the audit log (audit_events and audit_chain refuse DELETE and TRUNCATE by design; its rows do
 * not take part in any benchmark's work once the sealer has chained them).
 */
export const MOVEMENT_DATA_TABLES = [
  'movement_conflicts',
  'security_escalations',
  'review_tasks',
  'email_deliveries',
  'movement_versions',
  'movement_notifications',
  'restricted_zones',
  'outbox',
  'idempotency_keys',
] as const;

export interface ResetReport {
  /** Rows removed per table. */
  removed: Record<string, number>;
  /** Audit events kept (append-only). */
  auditEventsKept: number;
  /** Time of the TRUNCATE and of VACUUM ANALYZE, ms. */
  truncateMs: number;
  vacuumMs: number;
}

/**
 * Empties the movement data of the benchmark's database, then VACUUM ANALYZE. Refuses unless
 * the connection it holds is to a database whose name contains "bench" and is the one the
 * benchmark created (`expectedDatabase`), on the loopback interface or a local socket: the
 * checks run on the very session that truncates, inside its transaction.
 */
export async function resetMovementData(
  pool: Pool,
  expectedDatabase: string,
): Promise<ResetReport> {
  if (!isBenchDatabaseName(expectedDatabase)) {
    throw new Error(`reset: "${expectedDatabase}" is not a benchmark database (no "bench")`);
  }
  const client = await pool.connect();
  const removed: Record<string, number> = {};
  let auditEventsKept: number;
  const truncateStarted = Date.now();
  try {
    await client.query('BEGIN');
    // At rest nothing holds these tables for long; never wait forever for a lock.
    await client.query(`SET LOCAL lock_timeout = '30s'`);
    const {
      rows: [where],
    } = await client.query<{ database: string; address: string | null }>(
      `SELECT current_database() AS database, host(inet_server_addr()) AS address`,
    );
    if (where.database !== expectedDatabase || !isBenchDatabaseName(where.database)) {
      throw new Error(
        `reset: connected to "${where.database}", not the benchmark's "${expectedDatabase}"`,
      );
    }
    if (where.address !== null && !['127.0.0.1', '::1'].includes(where.address)) {
      throw new Error(`reset: the database server is at ${where.address}, not on loopback`);
    }
    for (const table of MOVEMENT_DATA_TABLES) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      removed[table] = Number(rows[0].n);
    }
    auditEventsKept = Number(
      (await client.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events`)).rows[0].n,
    );
    await client.query(`TRUNCATE ${MOVEMENT_DATA_TABLES.join(', ')} RESTRICT`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  const truncateMs = Date.now() - truncateStarted;
  const vacuumStarted = Date.now();
  // The emptied tables (their statistics say empty, as in a new database) and the ones the
  // benchmarks add to and keep.
  await pool.query(
    `VACUUM ANALYZE ${[...MOVEMENT_DATA_TABLES, 'organisations', 'audit_events', 'audit_chain'].join(', ')}`,
  );
  return { removed, auditEventsKept, truncateMs, vacuumMs: Date.now() - vacuumStarted };
}

/** One line for the log: what was removed, what was kept. */
export function describeReset(report: ResetReport, delayedJobs: Record<string, number>): string {
  const n = (value: number) => value.toLocaleString('en-GB');
  const r = report.removed;
  const jobs = Object.entries(delayedJobs).filter(([, count]) => count > 0);
  return (
    `reset: removed ${n(r.movement_notifications)} movements (${n(r.movement_versions)} versions, ` +
    `${n(r.review_tasks)} review tasks, ${n(r.movement_conflicts)} conflicts, ` +
    `${n(r.security_escalations)} escalations, ${n(r.email_deliveries)} email deliveries), ` +
    `${n(r.restricted_zones)} zones, ${n(r.outbox)} outbox rows (timers included), ` +
    `${n(r.idempotency_keys)} idempotency keys` +
    (jobs.length ? `, delayed jobs ${jobs.map(([q, c]) => `${q} ${n(c)}`).join(', ')}` : '') +
    `; kept accounts, organisations, gazetteer, regions and the audit log ` +
    `(${n(report.auditEventsKept)} events, append-only); ` +
    `TRUNCATE ${report.truncateMs} ms, VACUUM ANALYZE ${report.vacuumMs} ms`
  );
}
