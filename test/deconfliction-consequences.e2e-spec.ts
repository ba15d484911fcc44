import { ZoneConsequences } from '@hns/reviews';
import { SEATS, type Seat, day } from './support/fixtures';
import {
  Harness,
  TEST_PASSWORD,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';
import { WebClient } from './browser/support/web-client';
import { waitFor } from './support/wait-for';

const HOMBORI = { place: 'Hombori', lat: 15.2833, lon: -1.7 };
const DOUENTZA = { place: 'Douentza', lat: 15.0019, lon: -2.9497 };
const CONFIDENTIAL = 'Air support on call over the Boni–Hombori stretch';

/**
 * What a conflict with a restricted zone does, with the worker running (issue 4, item 5).
 * Windows lie weeks ahead so these zones meet no other test file's movements.
 */
describe('consequences of restricted zones', () => {
  let h: Harness;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;
  const cell = {} as Record<Seat, { token: string; email: string }>;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    ngo = await ngoAccount(h);
    for (const seat of SEATS) cell[seat] = await cellAccount(h, seat);
  });
  afterAll(() => h.close());

  const submit = async (hoursAhead: number) => {
    const response = await h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: bearer(ngo.token),
      payload: convoyNotice(hoursAhead, { waypoints: [{ ...DOUENTZA, overnight: true }, HOMBORI] }),
    });
    expect(response.statusCode).toBe(201);
    return response.json();
  };
  const declare = async (name: string, level: 'no_go' | 'caution', from: number, to: number) => {
    const response = await h.api.inject({
      method: 'POST',
      url: '/zones',
      headers: bearer(cell.armed_forces_liaison.token),
      payload: {
        name,
        publicLabel: `RN16 near Hombori (${name.slice(-4)})`,
        confidentialDetails: CONFIDENTIAL,
        level,
        center: { lat: HOMBORI.lat, lon: HOMBORI.lon },
        radiusKm: 10,
        activeFrom: day(from),
        activeTo: day(to),
      },
    });
    expect(response.statusCode).toBe(201);
    return response.json();
  };
  const statusOf = async (id: string) =>
    (await h.db.query(`SELECT status FROM movement_notifications WHERE id = $1`, [id]))[0].status;
  const becomes = (id: string, status: string) =>
    waitFor(async () => (await statusOf(id)) === status, {
      description: `movement ${id} to be ${status}`,
      timeoutMs: 20_000,
    });

  it('flags a convoy notified across a no-go zone, escalates to UNDSS, and tells the NGO only what it may know', async () => {
    const zone = await declare('Operation Hombori-A1', 'no_go', 30, 32);
    const m = await submit(31 * 24);
    await becomes(m.id, 'flagged');
    const [escalation] = await h.db.query(
      `SELECT severity, reason_codes FROM security_escalations WHERE movement_id = $1`,
      [m.id],
    );
    expect(escalation).toEqual({
      severity: 'high',
      reason_codes: ['route_through_restricted_area'],
    });
    await h.smtp.waitFor(
      (p) =>
        (p.subject ?? '').includes(m.reference) && JSON.stringify(p.to).includes('duty@undss.test'),
      { timeoutMs: 20_000 },
    );
    const notice = await h.smtp.waitFor(
      (p) =>
        (p.subject ?? '').includes(m.reference) &&
        JSON.stringify(p.to).includes('aminata@acf.test') &&
        (p.text ?? '').includes(zone.publicLabel),
      { timeoutMs: 20_000 },
    );
    expect(`${notice.text}${notice.html}`).not.toContain(CONFIDENTIAL);
    expect(`${notice.text}${notice.html}`).not.toContain('Operation Hombori-A1');

    // The zone's own re-check may flag the movement before its review tasks exist: wait for them.
    const item = await waitFor(
      async () =>
        (
          await h.api.inject({
            method: 'GET',
            url: '/reviews?limit=500',
            headers: bearer(cell.wfp_logistics.token),
          })
        )
          .json()
          .items.find((i: { movementId: string }) => i.movementId === m.id),
      { description: 'the review task of the flagged movement' },
    );
    expect(item.conflicts).toEqual({ noGo: 1, caution: 0 });
    // The zone itself is in the movement's conflicts, not in the queue line.
    const conflicts = await h.api.inject({
      method: 'GET',
      url: `/movements/${m.id}/conflicts`,
      headers: bearer(cell.wfp_logistics.token),
    });
    expect(conflicts.json().conflicts).toEqual([
      expect.objectContaining({ level: 'no_go', zone: expect.objectContaining({ id: zone.id }) }),
    ]);
  });

  it('tells the reviewers when a zone that explained a flag is lifted; the flag stays until the NGO amends', async () => {
    const zone = await declare('Operation Hombori-L4', 'no_go', 60, 62);
    const m = await submit(61 * 24);
    await becomes(m.id, 'flagged');
    const lifted = await h.api.inject({
      method: 'POST',
      url: `/zones/${zone.id}/lift`,
      headers: bearer(cell.armed_forces_liaison.token),
    });
    expect(lifted.statusCode).toBe(200);
    const notice = await h.smtp.waitFor(
      (p) =>
        (p.subject ?? '').includes(`[${m.reference}] Zone levée`) &&
        JSON.stringify(p.to).includes('cell@ocha.test'),
      { timeoutMs: 20_000 },
    );
    expect(notice.text).toContain('Operation Hombori-L4');
    expect(await statusOf(m.id)).toBe('flagged');
  });

  it('re-flags an acknowledged convoy when a no-go zone is declared across its route, and emails the NGO', async () => {
    const m = await submit(41 * 24);
    await becomes(m.id, 'in_review');
    for (const seat of SEATS) {
      const answer = await h.api.inject({
        method: 'POST',
        url: `/movements/${m.id}/reviews`,
        headers: bearer(cell[seat].token),
        payload: { version: 1, decision: 'approve' },
      });
      expect(answer.statusCode).toBe(200);
    }
    expect(await statusOf(m.id)).toBe('acknowledged');
    const zone = await declare('Operation Hombori-B2', 'no_go', 40, 42);
    await becomes(m.id, 'flagged');
    await h.smtp.waitFor(
      (p) =>
        (p.subject ?? '').includes(m.reference) &&
        JSON.stringify(p.to).includes('aminata@acf.test') &&
        (p.text ?? '').includes(zone.publicLabel),
      { timeoutMs: 20_000 },
    );
  });

  it('a no-go zone declared across several convoys flags each once, with one escalation, one notice and one audit event each, and a second run changes nothing', async () => {
    const convoys = [await submit(91 * 24), await submit(91 * 24 + 3), await submit(91 * 24 + 6)];
    for (const m of convoys) await becomes(m.id, 'in_review');
    const zone = await declare('Operation Hombori-M5', 'no_go', 90, 92);
    for (const m of convoys) await becomes(m.id, 'flagged');
    const ids = convoys.map((m) => m.id);

    const consequences = async () => ({
      escalations: await h.db.query(
        `SELECT movement_id, severity, reason_codes, comment, raised_by FROM security_escalations
         WHERE movement_id = ANY($1) ORDER BY movement_id`,
        [ids],
      ),
      outbox: await h.db.query(
        `SELECT correlation_id, job_name, count(*)::int AS n FROM outbox
         WHERE correlation_id = ANY($1) AND job_name = ANY($2)
         GROUP BY 1, 2 ORDER BY 1, 2`,
        [ids, ['movement.flag-notice', 'escalation.alert', 'escalation.deadline']],
      ),
      audit: await h.db.query(
        `SELECT entity_id, details->>'from' AS "from", details->>'to' AS "to", details->'zoneIds' AS zones
         FROM audit_events
         WHERE entity_type = 'movement' AND entity_id = ANY($1) AND action = 'movement.status_changed'
           AND details->>'event' = 'zone_conflict_no_go'
         ORDER BY entity_id`,
        [ids],
      ),
    });
    const sorted = [...ids].sort();
    const after = await consequences();
    expect(after.escalations).toEqual(
      sorted.map((id) => ({
        movement_id: id,
        severity: 'high',
        reason_codes: ['route_through_restricted_area'],
        comment: `restricted zones: ${zone.id}`,
        raised_by: null,
      })),
    );
    expect(after.outbox).toEqual(
      sorted.flatMap((id) =>
        ['escalation.alert', 'escalation.deadline', 'movement.flag-notice'].map((job) => ({
          correlation_id: id,
          job_name: job,
          n: 1,
        })),
      ),
    );
    expect(after.audit).toEqual(
      sorted.map((id) => ({ entity_id: id, from: 'in_review', to: 'flagged', zones: [zone.id] })),
    );

    // The same consequences applied again (a job retried after its commit): nothing new.
    const detected = {
      conflicts: ids.map((movementId) => ({
        movementId,
        version: 1,
        zoneId: zone.id,
        level: 'no_go' as const,
        newlyConflicting: true,
        previousLevel: null,
      })),
      cleared: [],
    };
    const consequencesOfZones = h.worker?.get(ZoneConsequences);
    if (!consequencesOfZones) throw new Error('this file starts the worker');
    await h.db.transaction((manager) => consequencesOfZones.apply(manager, detected));
    expect(await consequences()).toEqual(after);

    // Lifting it tells the reviewers once per flagged convoy, and puts each clearance on record.
    const lifted = await h.api.inject({
      method: 'POST',
      url: `/zones/${zone.id}/lift`,
      headers: bearer(cell.armed_forces_liaison.token),
    });
    expect(lifted.statusCode).toBe(200);
    const clearedOf = async () =>
      h.db.query(
        `SELECT entity_id, count(*)::int AS n FROM audit_events
         WHERE action = 'conflict.cleared' AND entity_id = ANY($1) AND details->>'zoneId' = $2
         GROUP BY 1 ORDER BY 1`,
        [ids, zone.id],
      );
    await waitFor(async () => (await clearedOf()).length === ids.length, {
      description: 'the clearances of the lifted zone',
      timeoutMs: 20_000,
    });
    expect(await clearedOf()).toEqual(sorted.map((id) => ({ entity_id: id, n: 1 })));
    const notices = await h.db.query(
      `SELECT correlation_id, count(*)::int AS n FROM outbox
       WHERE correlation_id = ANY($1) AND job_name = 'zone.cleared-notice' GROUP BY 1 ORDER BY 1`,
      [ids],
    );
    expect(notices).toEqual(sorted.map((id) => ({ correlation_id: id, n: 1 })));
    for (const m of convoys) expect(await statusOf(m.id)).toBe('flagged');
  });

  it('shows a caution zone to reviewers without flagging the movement', async () => {
    const zone = await declare('Caution Hombori-C3', 'caution', 50, 52);
    const m = await submit(51 * 24);
    await becomes(m.id, 'in_review');
    const queue = (
      await h.api.inject({
        method: 'GET',
        url: '/reviews?limit=500',
        headers: bearer(cell.ocha.token),
      })
    ).json();
    const item = queue.items.find((i: { movementId: string }) => i.movementId === m.id);
    expect(item.conflicts).toEqual({ noGo: 0, caution: 1 });
    const conflicts = await h.api.inject({
      method: 'GET',
      url: `/movements/${m.id}/conflicts`,
      headers: bearer(cell.ocha.token),
    });
    expect(conflicts.json().conflicts).toEqual([
      expect.objectContaining({ level: 'caution', zone: expect.objectContaining({ id: zone.id }) }),
    ]);

    // The seat's queue page shows the line, in French (the default) and in English.
    const web = new WebClient(h.api);
    await web.signIn(cell.ocha.email, TEST_PASSWORD);
    const line = async () => {
      const page = await web.get('/web/queue');
      expect(page.statusCode).toBe(200);
      const row = page.body.split('<tr>').find((r) => r.includes(`/web/movements/${m.id}"`));
      expect(row).toBeDefined();
      return row!.replace(/\s+/g, ' ');
    };
    const fr = await line();
    expect(fr).toContain(`Examiner ${m.reference}`);
    expect(fr).toContain(ngo.org.acronym);
    expect(fr).toContain('Mopti → Douentza → Hombori → Gao');
    expect(fr).toContain('aucune'); // escort
    expect(fr).toMatch(/class="badge l-caution"\s*>prudence : 1</);
    await web.post('/web/locale', { locale: 'en', next: '/web/queue' });
    const en = await line();
    expect(en).toContain(`Review ${m.reference}`);
    expect(en).toMatch(/class="badge l-caution"\s*>caution: 1</);
    expect(en).not.toContain('no-go');
  });

  it('lists convoys of different organisations on the same corridor at the same time to WFP logistics and OCHA', async () => {
    const other = await ngoAccount(h);
    const mine = await submit(70 * 24);
    const theirs = await h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: bearer(other.token),
      payload: convoyNotice(70 * 24 + 2, { waypoints: [DOUENTZA] }),
    });
    expect(theirs.statusCode).toBe(201);
    const window = `from=${encodeURIComponent(day(69))}&to=${encodeURIComponent(day(72))}`;
    const advisory = await h.api.inject({
      method: 'GET',
      url: `/advisories/co-movements?${window}`,
      headers: bearer(cell.wfp_logistics.token),
    });
    expect(advisory.statusCode).toBe(200);
    const pair = advisory
      .json()
      .items.find(
        (p: { a: { movementId: string }; b: { movementId: string } }) =>
          [p.a.movementId, p.b.movementId].sort().join() ===
          [mine.id, theirs.json().id].sort().join(),
      );
    expect(pair).toBeDefined();
    expect(pair.distanceKm).toBe(0);
    const byLiaison = await h.api.inject({
      method: 'GET',
      url: `/advisories/co-movements?${window}`,
      headers: bearer(cell.armed_forces_liaison.token),
    });
    expect(byLiaison.statusCode).toBe(403);
    const byNgo = await h.api.inject({
      method: 'GET',
      url: '/advisories/co-movements',
      headers: bearer(ngo.token),
    });
    expect(byNgo.statusCode).toBe(403);
  });
});
