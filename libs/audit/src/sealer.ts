import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';

export interface SealOptions {
  /** How long to wait for the transactions still writing events below the horizon. */
  waitMs?: number;
  /** Events chained per transaction. */
  batchSize?: number;
  /** Transactions per call (the rest is sealed by the next call). */
  maxBatches?: number;
}

export interface SealResult {
  /** Events appended to the chain by this call. */
  sealed: number;
  /** Every event with an id up to this one is final (null: no id given out yet). */
  horizon: number | null;
  /** Transactions still writing events when the wait ran out (nothing sealed then). */
  waitingFor: number;
}

/**
 * Appends the events written since the last call to the hash chain, in id order.
 *
 * Ids come from a sequence when the INSERT runs, but transactions commit in any order: event 100
 * may become visible after event 101. Chaining 101 first would leave 100 out of the chain (and
 * look inserted). So the sealer first takes a horizon: the sequence's last value L, then the
 * transactions holding a ROW EXCLUSIVE lock on audit_events (taken when an INSERT is planned,
 * before its id is drawn, and kept until commit or rollback). Any id ≤ L belongs to a transaction
 * that had finished or is in that list; once every one in the list has ended, every event with an
 * id ≤ L is visible or never will be. Waiting is done by watching pg_locks: writers are never
 * blocked (no lock is taken on audit_events), so sealing costs intake nothing.
 */
export async function sealAuditLog(db: DataSource, options: SealOptions = {}): Promise<SealResult> {
  const { waitMs = 2000, batchSize = 10_000, maxBatches = 100 } = options;
  const [{ horizon }]: { horizon: string | null }[] = await db.query(
    `SELECT pg_sequence_last_value(pg_get_serial_sequence('audit_events', 'id')::regclass) AS horizon`,
  );
  if (horizon === null) return { sealed: 0, horizon: null, waitingFor: 0 };
  const [{ writers }]: { writers: string[] }[] = await db.query(
    `SELECT coalesce(array_agg(DISTINCT l.virtualtransaction), '{}') AS writers
     FROM pg_locks l
     WHERE l.locktype = 'relation' AND l.granted AND l.mode = 'RowExclusiveLock'
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.relation = 'audit_events'::regclass
       AND (l.pid IS NULL OR l.pid <> pg_backend_pid())`,
  );
  const deadline = Date.now() + waitMs;
  let waitingFor = writers.length;
  while (waitingFor > 0) {
    const [{ running }]: { running: number }[] = await db.query(
      `SELECT count(*)::int AS running FROM pg_locks
       WHERE locktype = 'virtualxid' AND virtualxid = ANY($1::text[])`,
      [writers],
    );
    waitingFor = running;
    if (waitingFor === 0) break;
    if (Date.now() >= deadline) return { sealed: 0, horizon: Number(horizon), waitingFor };
    await sleep(5);
  }
  let sealed = 0;
  for (let i = 0; i < maxBatches; i += 1) {
    const [{ n }]: { n: number }[] = await db.query(`SELECT audit_seal($1, $2) AS n`, [
      horizon,
      batchSize,
    ]);
    sealed += n;
    if (n < batchSize) break;
  }
  return { sealed, horizon: Number(horizon), waitingFor: 0 };
}
