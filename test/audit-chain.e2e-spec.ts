import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AUDIT_CANONICAL_SQL, sealAuditLog, verifyAuditChain } from '@hns/audit';
import { auditVerify } from '../apps/cli/src/commands';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { Harness, bearer, convoyNotice, ngoAccount, startHarness } from './support/harness';
import { waitFor } from './support/wait-for';

/**
 * Tamper evidence of the audit log (issue 6): events written through the real API are sealed
 * into the hash chain by the worker's repeating job, and audit:verify names the first broken
 * link after a row is edited, deleted or forged with the guards switched off by a superuser.
 * Other test files share the database: every verification here starts at this file's own events
 * (--since-id), and each tampering at events written after the previous one.
 */
describe('tamper-evident audit log', () => {
  let h: Harness;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;

  const lastId = async () =>
    Number((await h.db.query(`SELECT coalesce(max(id), 0) AS id FROM audit_events`))[0].id);
  const headEventId = async () =>
    Number((await h.db.query(`SELECT coalesce(max(event_id), 0) AS id FROM audit_chain`))[0].id);
  const submit = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const response = await h.api.inject({
        method: 'POST',
        url: '/movements',
        headers: bearer(ngo.token),
        payload: convoyNotice(72 + i),
      });
      expect(response.statusCode).toBe(201);
      ids.push(response.json().id);
    }
    return ids;
  };
  /** Runs SQL as the superuser with the append-only guard off, inside one transaction. */
  const tamper = async (sql: string, params: unknown[] = [], table = 'audit_events') => {
    const guard = `${table}_no_update_delete`;
    await h.db.transaction(async (m) => {
      await m.query(`ALTER TABLE ${table} DISABLE TRIGGER ${guard}`);
      await m.query(sql, params);
      await m.query(`ALTER TABLE ${table} ENABLE TRIGGER ${guard}`);
    });
  };
  const verify = (since: number) => auditVerify(h.api, { 'since-id': String(since) });

  beforeAll(async () => {
    h = await startHarness();
    ngo = await ngoAccount(h);
  });
  afterAll(() => h.close());

  it('the worker seals movements submitted through the API; audit:verify finds the chain intact', async () => {
    process.env.AUDIT_SEAL_INTERVAL_MS = '200';
    let worker: INestApplicationContext | undefined;
    try {
      worker = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
      await worker.init();
      const since = (await lastId()) + 1;
      const movements = await submit(3);
      const written = await lastId();
      await waitFor(async () => (await headEventId()) >= written, {
        description: 'the worker to seal the events of three submissions',
      });
      const sealed = await h.db.query(
        `SELECT e.id, e.action, c.seq FROM audit_events e JOIN audit_chain c ON c.event_id = e.id
         WHERE e.id >= $1 AND e.entity_id = ANY($2) ORDER BY e.id`,
        [since, movements],
      );
      expect(sealed.length).toBeGreaterThanOrEqual(3);

      const result = await verify(since);
      expect(result.code).toBe(0);
      expect(result.lines.at(-2)).toMatch(/^Audit log verified .*hash chain intact/);
      expect(result.lines.at(-1)).toMatch(
        /^Hash chain intact \/ chaîne d’empreintes intacte: \d+ link\(s\) recomputed.* head \/ tête: link \d+, event \d+, sha256 [0-9a-f]{64}$/,
      );
    } finally {
      await worker?.close();
      delete process.env.AUDIT_SEAL_INTERVAL_MS;
    }
  });

  it('a hand-edited row is named as the first broken link, even with its content hash rewritten', async () => {
    const since = (await lastId()) + 1;
    const [movement] = await submit(2);
    await sealAuditLog(h.db);
    expect((await verify(since)).code).toBe(0);
    const [target] = await h.db.query(
      `SELECT id FROM audit_events WHERE entity_id = $1 AND action = 'movement.submitted'`,
      [movement],
    );
    await tamper(
      `UPDATE audit_events SET details = details || '{"purpose": "nothing to see"}' WHERE id = $1`,
      [target.id],
    );

    const result = await verify(since);
    expect(result.code).toBe(1);
    expect(result.lines[0]).toBe(
      `PROBLEM / PROBLÈME: hash chain broken, first broken link at event ${target.id} (link ${await seqOf(target.id)}): content changed since it was sealed / contenu modifié depuis son scellement / chaîne rompue, premier maillon rompu à l’événement ${target.id}`,
    );
    expect(result.lines.at(-1)).toMatch(
      new RegExp(`^Hash chain BROKEN .*: event ${target.id} \\(content\\)`),
    );

    // Rewriting the row's own content hash does not help: the chain kept the sealed one.
    await tamper(
      `UPDATE audit_events SET content_hash = audit_content_hash(audit_events) WHERE id = $1`,
      [target.id],
    );
    expect((await verify(since)).lines[0]).toContain(`first broken link at event ${target.id}`);
  });

  it('a deleted row, a forged row in the sealed range and an altered chain row are each named', async () => {
    // A gap in the ids (a transaction rolled back after writing an event), then sealed events.
    const since = (await lastId()) + 1;
    await h.db
      .transaction(async (m) => {
        await m.query(
          `INSERT INTO audit_events (action, entity_type, entity_id) VALUES ('test.rolled_back', 'test', 'x')`,
        );
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const gapId = since;
    await submit(3);
    await sealAuditLog(h.db);
    expect((await verify(since)).lines.join('\n')).not.toMatch(/hash chain broken/);

    // Deleted.
    const [deleted] = await h.db.query(
      `SELECT id FROM audit_events WHERE id > $1 ORDER BY id LIMIT 1`,
      [gapId],
    );
    await tamper(`DELETE FROM audit_events WHERE id = $1`, [deleted.id]);
    const afterDelete = await verify(since);
    expect(afterDelete.code).toBe(1);
    expect(afterDelete.lines[0]).toContain(
      `first broken link at event ${deleted.id} (link ${await seqOf(deleted.id)}): event missing: sealed, then deleted`,
    );

    // Forged into the gap with an explicit id: INSERT is allowed, but the chain does not hold it.
    await h.db.query(
      `INSERT INTO audit_events (id, occurred_at, action, entity_type, entity_id, details)
       SELECT $1, occurred_at, 'movement.cancelled', 'movement', entity_id, '{}' FROM audit_events WHERE id = $2`,
      [gapId, Number(deleted.id) + 1],
    );
    const afterInsert = await verify(since);
    expect(afterInsert.code).toBe(1);
    expect(afterInsert.lines[0]).toContain(
      `first broken link at event ${gapId}: inserted: inside the sealed range but not in the chain`,
    );
    expect(afterInsert.lines[1]).toMatch(
      new RegExp(`^PROBLEM / PROBLÈME: 2 broken link\\(s\\) in all .*: ${deleted.id} missing$`),
    );

    // A chain row altered (its hash rewritten): the link after it no longer follows.
    const from = (await lastId()) + 1;
    await submit(2);
    await sealAuditLog(h.db);
    const links = await h.db.query(
      `SELECT seq, event_id FROM audit_chain WHERE event_id >= $1 ORDER BY seq LIMIT 2`,
      [from],
    );
    await tamper(
      `UPDATE audit_chain SET hash = sha256(hash) WHERE seq = $1`,
      [links[0].seq],
      'audit_chain',
    );
    const afterChain = await verify(from);
    expect(afterChain.lines[0]).toContain(`first broken link at event ${links[0].event_id}`);
    expect(afterChain.lines[0]).toContain('link broken');
  });

  it('unsealed events edited or written past the trigger are reported, with the unsealed window', async () => {
    const since = (await lastId()) + 1;
    await submit(1);
    await sealAuditLog(h.db);
    // Written after sealing: not chained yet.
    await submit(1);
    const pending = await lastId();
    await tamper(`UPDATE audit_events SET actor_role = 'admin' WHERE id = $1`, [pending]);
    await h.db.transaction(async (m) => {
      await m.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_content_hash`);
      await m.query(
        `INSERT INTO audit_events (action, entity_type, entity_id) VALUES ('forged', 'test', 'y')`,
      );
      await m.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_content_hash`);
    });
    const facts = await verifyAuditChain(h.db, { sinceId: since });
    expect(facts.breaks).toEqual([]);
    expect(facts.unsealed).toBeGreaterThanOrEqual(2);
    expect(facts.oldestUnsealedSeconds).toBeGreaterThanOrEqual(0);
    expect(facts.unsealedAltered).toEqual({ count: 2, firstId: pending });

    // Once sealed they stay broken: the chain holds the hash written with them (or none).
    await sealAuditLog(h.db);
    const result = await verify(since);
    expect(result.code).toBe(1);
    expect(result.lines[0]).toContain(
      `first broken link at event ${pending} (link ${await seqOf(pending)}): content changed`,
    );
    expect(result.lines[1]).toMatch(/2 broken link\(s\) in all .*: \d+ inserted$/);
  });

  it('a redefined chain function or a disabled hash trigger is a problem', async () => {
    const since = (await lastId()) + 1;
    await submit(1);
    try {
      await h.db.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_content_hash`);
      // A canonical form that leaves out the details would hide any edit to them.
      await h.db.query(`CREATE OR REPLACE FUNCTION audit_canonical(e audit_events) RETURNS text
                        LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT e.id::text $$`);
      const result = await verify(since);
      expect(result.code).toBe(1);
      const problems = result.lines.filter((line) => line.startsWith('PROBLEM')).join('\n');
      expect(problems).toContain('chain function(s) not as the code defines them: audit_canonical');
      expect(problems).toContain('the trigger audit_events_content_hash is missing or disabled');
    } finally {
      await h.db.query(`CREATE OR REPLACE FUNCTION audit_canonical(e audit_events) RETURNS text
                        LANGUAGE sql STABLE PARALLEL SAFE AS $$${AUDIT_CANONICAL_SQL}$$`);
      await h.db.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_content_hash`);
    }
    expect((await verify(since)).code).toBe(0);
  });

  it('concurrent writers committing out of id order are all sealed, none seen as inserted', async () => {
    const since = (await lastId()) + 1;
    // 40 transactions draw ids then commit after random delays while sealing runs repeatedly.
    const writers = Array.from({ length: 40 }, (_, i) =>
      h.db.transaction(async (m) => {
        await m.query(
          `INSERT INTO audit_events (action, entity_type, entity_id, details) VALUES ('test.concurrent', 'test', $1, '{}')`,
          [String(i)],
        );
        await m.query(`SELECT pg_sleep($1)`, [((i * 37) % 11) / 100]);
      }),
    );
    let done = false;
    const all = Promise.all(writers).finally(() => (done = true));
    let rounds = 0;
    while (!done) {
      await sealAuditLog(h.db, { waitMs: 50 });
      rounds += 1;
    }
    await all;
    await sealAuditLog(h.db);
    expect(rounds).toBeGreaterThan(1);
    const facts = await verifyAuditChain(h.db, { sinceId: since });
    expect(facts.breaks).toEqual([]);
    expect(facts.unsealed).toBe(0);
    const [{ n }] = await h.db.query(
      `SELECT count(*)::int AS n FROM audit_events e JOIN audit_chain c ON c.event_id = e.id
       WHERE e.action = 'test.concurrent' AND e.id >= $1`,
      [since],
    );
    expect(n).toBe(40);
  });

  async function seqOf(eventId: number | string): Promise<number> {
    const [row] = await h.db.query(`SELECT seq FROM audit_chain WHERE event_id = $1`, [eventId]);
    return Number(row.seq);
  }
});
