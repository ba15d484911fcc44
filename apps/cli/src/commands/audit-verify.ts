import { DataSource } from 'typeorm';
import { sealAuditLog, verifyAuditChain } from '@hns/audit';
import { AuditFacts, assessAuditChain, assessAuditLog } from './audit-assessment';
import { Command, CommandError } from './command';

const SHOWN = 10;

/**
 * audit:verify [--since-id N] [--tolerance-seconds S]: seals the events written since the
 * worker's last sealing (as the worker does), then recomputes the hash chain batch by batch and
 * names its first broken link, and walks audit_events in id order (one window-function pass) for
 * gaps and times, and checks the append-only guards. Exit 1 on any problem. Its test UPDATE and
 * DELETE run in a transaction that is always rolled back; sealing is its only write.
 */
export const auditVerify: Command = async (app, args) => {
  const db = app.get(DataSource);
  const sinceId = integer(args['since-id'] ?? '0', '--since-id');
  const toleranceSeconds = integer(args['tolerance-seconds'] ?? '60', '--tolerance-seconds');
  const seal = await sealAuditLog(db, { waitMs: 5000 });
  const chainFacts = await verifyAuditChain(db, { sinceId, shown: SHOWN });
  const facts = await readFacts(db, sinceId, toleranceSeconds);
  const log = assessAuditLog(facts);
  const chain = assessAuditChain(chainFacts, seal);
  // The chain's first broken link first: it is what this command is for.
  const problems = [...chain.problems, ...log.problems];
  const range = facts.events
    ? `${facts.events} event(s) / événement(s), ids ${facts.firstId}–${facts.lastId}`
    : 'no event / aucun événement';
  const lines = [
    ...problems.map((p) => `PROBLEM / PROBLÈME: ${p}`),
    ...[...log.notes, ...chain.notes].map((n) => `note: ${n}`),
    problems.length === 0
      ? `Audit log verified / journal d'audit vérifié: ${range}; append-only triggers in force, ids without gap, times in order, hash chain intact / déclencheurs en place, sans trou, dans l'ordre, chaîne intacte`
      : `Audit log: ${problems.length} problem(s) / journal d'audit : ${problems.length} problème(s); ${range}`,
    chain.summary,
  ];
  return { code: problems.length ? 1 : 0, lines };
};

function integer(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CommandError(`${name}: a whole number ≥ 0`);
  return n;
}

async function readFacts(
  db: DataSource,
  sinceId: number,
  toleranceSeconds: number,
): Promise<AuditFacts> {
  const triggers: {
    table: string;
    name: string;
    enabled: string;
    type: number;
    source: string;
  }[] = await db.query(
    `SELECT t.tgrelid::regclass::text AS table, t.tgname AS name, t.tgenabled AS enabled,
            t.tgtype::int AS type, p.prosrc AS source
     FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
     WHERE t.tgrelid IN ('audit_events'::regclass, 'audit_chain'::regclass) AND NOT t.tgisinternal`,
  );
  const guards = (table: string) =>
    triggers
      .filter((t) => t.table === table)
      .map((t) => ({
        name: t.name,
        enabled: t.enabled,
        type: t.type,
        raises: /raise\s+exception/i.test(t.source),
      }));
  const [walk] = await db.query(
    `WITH walk AS (
       SELECT id, occurred_at, lag(id) OVER w AS prev_id, lag(occurred_at) OVER w AS prev_at
       FROM audit_events WHERE id >= $1 WINDOW w AS (ORDER BY id))
     SELECT count(*)::int AS events, min(id)::bigint AS first_id, max(id)::bigint AS last_id,
            count(*) FILTER (WHERE id - prev_id > 1)::int AS gap_count,
            coalesce(sum(id - prev_id - 1) FILTER (WHERE id - prev_id > 1), 0)::bigint AS missing,
            count(*) FILTER (WHERE occurred_at < prev_at)::int AS regressions,
            count(*) FILTER (WHERE occurred_at < prev_at - make_interval(secs => $2))::int AS late,
            count(*) FILTER (WHERE occurred_at > now() + interval '5 minutes')::int AS future
     FROM walk`,
    [sinceId, toleranceSeconds],
  );
  const gaps: { from: string; to: string }[] = await db.query(
    `SELECT prev_id + 1 AS "from", id - 1 AS "to" FROM (
       SELECT id, lag(id) OVER (ORDER BY id) AS prev_id FROM audit_events WHERE id >= $1) s
     WHERE id - prev_id > 1 ORDER BY id LIMIT ${SHOWN}`,
    [sinceId],
  );
  const late: { id: string; seconds: number }[] = await db.query(
    `SELECT id, extract(epoch FROM prev_at - occurred_at)::float8 AS seconds FROM (
       SELECT id, occurred_at, lag(occurred_at) OVER (ORDER BY id) AS prev_at
       FROM audit_events WHERE id >= $1) s
     WHERE occurred_at < prev_at - make_interval(secs => $2) ORDER BY prev_at - occurred_at DESC
     LIMIT ${SHOWN}`,
    [sinceId, toleranceSeconds],
  );
  const [sequence]: { last_value: string | null }[] = await db.query(
    `SELECT s.last_value FROM pg_sequences s
     WHERE format('%I.%I', s.schemaname, s.sequencename) = pg_get_serial_sequence('audit_events', 'id')`,
  );
  return {
    triggers: guards('audit_events'),
    refused: await tryToChange(db, 'audit_events', 'id'),
    chainTriggers: guards('audit_chain'),
    chainRefused: await tryToChange(db, 'audit_chain', 'seq'),
    events: walk.events,
    firstId: walk.first_id === null ? null : Number(walk.first_id),
    lastId: walk.last_id === null ? null : Number(walk.last_id),
    sequenceLastValue: sequence?.last_value == null ? null : Number(sequence.last_value),
    gaps: gaps.map((g) => ({ from: Number(g.from), to: Number(g.to) })),
    gapCount: walk.gap_count,
    missingIds: Number(walk.missing),
    regressions: walk.regressions,
    lateEvents: late.map((l) => ({ id: Number(l.id), seconds: l.seconds })),
    lateCount: walk.late,
    toleranceSeconds,
    futureEvents: walk.future,
  };
}

/** Tries UPDATE and DELETE on the last row; always rolled back. null: no row to try on. */
async function tryToChange(
  db: DataSource,
  table: 'audit_events' | 'audit_chain',
  key: 'id' | 'seq',
): Promise<AuditFacts['refused']> {
  const runner = db.createQueryRunner();
  const refused: AuditFacts['refused'] = { update: null, delete: null };
  try {
    await runner.startTransaction();
    await runner.query(`SET LOCAL lock_timeout = '2s'`);
    // The table and key names are the two constants above, never input.
    const [last]: { id: string }[] = await runner.query(`SELECT max(${key}) AS id FROM ${table}`);
    if (last?.id == null) return refused;
    for (const [operation, sql] of [
      ['update', `UPDATE ${table} SET ${key} = ${key} WHERE ${key} = $1`],
      ['delete', `DELETE FROM ${table} WHERE ${key} = $1`],
    ] as const) {
      await runner.query('SAVEPOINT attempt');
      try {
        await runner.query(sql, [last.id]);
        refused[operation] = false;
      } catch (error) {
        if (!/append-only/i.test((error as Error).message)) throw error;
        refused[operation] = true;
      }
      await runner.query('ROLLBACK TO SAVEPOINT attempt');
    }
    return refused;
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    await runner.release();
  }
}
