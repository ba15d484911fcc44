import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Actor } from '@hns/auth';
import { MovementsService, notificationSchema } from '@hns/movements';
import { Harness, bearer, convoyNotice, ngoAccount, startHarness } from './support/harness';

/**
 * Group commit (issue 7): submissions without an Idempotency-Key that arrive together are written
 * by one statement and one commit, and each still gets its own movement, version, audit event,
 * outbox rows and answer; a submission the database refuses fails alone.
 */
describe('intake: submissions arriving together share one statement', () => {
  let h: Harness;
  let service: MovementsService;
  let acf: Awaited<ReturnType<typeof ngoAccount>>;
  let actor: Actor;

  beforeAll(async () => {
    h = await startHarness();
    service = h.api.get(MovementsService);
    acf = await ngoAccount(h);
    const [user] = await h.db.query(`SELECT id FROM users WHERE email = $1`, [acf.email]);
    actor = {
      userId: user.id,
      email: acf.email,
      role: 'ngo',
      seat: null,
      organisationId: acf.org.id,
      locale: 'fr',
    };
  });
  afterAll(() => h.close());

  /** Counts the submission statements sent to PostgreSQL through the API's pool. */
  function countSubmitStatements(): { count: () => number; restore: () => void } {
    const pool = (h.db.driver as unknown as { master: Pool }).master;
    const spy = jest.spyOn(pool, 'query');
    return {
      count: () =>
        spy.mock.calls.filter(([config]) =>
          String((config as { name?: string }).name ?? '').startsWith('hns-movement-submit-'),
        ).length,
      restore: () => spy.mockRestore(),
    };
  }

  const notice = (hoursAhead: number) => notificationSchema.parse(convoyNotice(hoursAhead));

  it('writes twenty submissions made at once with one statement, each whole and with its own reference', async () => {
    const notices = Array.from({ length: 20 }, (_, i) => notice(72 + i));
    const statements = countSubmitStatements();
    let results;
    try {
      results = await Promise.all(notices.map((n) => service.submit(actor, n)));
      expect(statements.count()).toBe(1);
    } finally {
      statements.restore();
    }
    const ids = results.map((r) => r.body.id);
    expect(new Set(ids).size).toBe(20);
    expect(results.every((r) => r.status === 201 && r.body.status === 'submitted')).toBe(true);
    // References in the order of the calls, none shared.
    const numbers = results.map((r) => Number(r.body.reference.split('-').pop()));
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    expect(new Set(numbers).size).toBe(20);
    // Each answer is its own movement (its departure), not a neighbour's.
    results.forEach((r, i) =>
      expect(new Date(r.body.departure.at).getTime()).toBe(
        new Date(notices[i].departure.at).getTime(),
      ),
    );

    const [rows] = await h.db.query(
      `SELECT
         (SELECT count(*)::int FROM movement_versions WHERE movement_id = ANY($1::uuid[])) AS versions,
         (SELECT count(*)::int FROM audit_events
          WHERE entity_id = ANY($2::text[]) AND action = 'movement.submitted') AS audits,
         (SELECT count(*)::int FROM outbox WHERE correlation_id = ANY($2::text[])) AS outbox,
         (SELECT count(DISTINCT departure_admin1)::int FROM movement_notifications
          WHERE id = ANY($1::uuid[]) AND departure_admin1 IS NOT NULL) AS regions`,
      [ids, ids],
    );
    expect(rows).toEqual({ versions: 20, audits: 20, outbox: 40, regions: 1 });
  });

  it('fails only the submission the database refuses; the others of its statement are stored', async () => {
    // An organisation that does not exist: the foreign key refuses that row, which fails the
    // shared statement; each submission is then written alone.
    const stranger: Actor = { ...actor, organisationId: randomUUID() };
    const calls = [
      service.submit(actor, notice(200)),
      service.submit(stranger, notice(201)),
      service.submit(actor, notice(202)),
    ];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ code: '23503' });
    const stored = settled
      .filter((s) => s.status === 'fulfilled')
      .map((s) => (s as PromiseFulfilledResult<{ body: { id: string } }>).value.body.id);
    const rows = await h.db.query(
      `SELECT m.id FROM movement_notifications m
       JOIN movement_versions v ON v.movement_id = m.id
       WHERE m.id = ANY($1::uuid[])`,
      [stored],
    );
    expect(rows).toHaveLength(2);
    const [{ strays }] = await h.db.query(
      `SELECT count(*)::int AS strays FROM movement_notifications WHERE organisation_id = $1`,
      [stranger.organisationId],
    );
    expect(strays).toBe(0);
  });

  it('answers each of many concurrent HTTP submissions with its own movement', async () => {
    const notices = Array.from({ length: 12 }, (_, i) => convoyNotice(300 + i));
    const responses = await Promise.all(
      notices.map((payload) =>
        h.api.inject({ method: 'POST', url: '/movements', headers: bearer(acf.token), payload }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(12).fill(201));
    const bodies = responses.map((r) => r.json() as { id: string; departure: { at: string } });
    expect(new Set(bodies.map((b) => b.id)).size).toBe(12);
    for (const [i, body] of bodies.entries()) {
      const [row] = await h.db.query(
        `SELECT notification->'departure'->>'at' AS at FROM movement_versions WHERE movement_id = $1`,
        [body.id],
      );
      expect(new Date(row.at).getTime()).toBe(new Date(body.departure.at).getTime());
      expect(new Date(body.departure.at).getTime()).toBe(
        new Date((notices[i].departure as { at: string }).at).getTime(),
      );
    }
  });
});
