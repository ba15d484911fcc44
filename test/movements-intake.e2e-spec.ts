import {
  Harness,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';
import { waitFor } from './support/wait-for';

const REFERENCE = /^HNS-ML-\d{4}-\d{6,}$/;

describe('movement notification intake', () => {
  let h: Harness;
  let acf: Awaited<ReturnType<typeof ngoAccount>>;
  let nrc: Awaited<ReturnType<typeof ngoAccount>>;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    acf = await ngoAccount(h);
    nrc = await ngoAccount(h);
  });
  afterAll(() => h.close());

  const countMovements = async () =>
    Number((await h.db.query(`SELECT count(*) AS n FROM movement_notifications`))[0].n);
  const submit = (token: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: { ...bearer(token), ...headers },
      payload: payload as object,
    });

  it('accepts a complete convoy notice 72 h ahead, answers a reference and emails a bilingual receipt', async () => {
    const response = await submit(acf.token, convoyNotice(72));
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.reference).toMatch(REFERENCE);
    expect(body).toMatchObject({ version: 1, status: 'submitted', type: 'convoy' });
    expect(body.waypoints[0].place).toBe('Douentza');
    expect(response.headers.location).toBe(`/movements/${body.id}`);

    // Durable before the answer: the version with its route geometry, the audit event, the outbox row.
    const [version] = await h.db.query(
      `SELECT ST_NPoints(route::geometry) AS points, upper(time_window) > lower(time_window) AS ordered
       FROM movement_versions WHERE movement_id = $1 AND version = 1`,
      [body.id],
    );
    expect(version).toEqual({ points: 3, ordered: true });
    const audit = await h.db.query(`SELECT action FROM audit_events WHERE entity_id = $1`, [
      body.id,
    ]);
    expect(audit).toEqual([{ action: 'movement.submitted' }]);

    const mail = await h.smtp.waitFor((m) => (m.subject ?? '').includes(body.reference), {
      timeoutMs: 15_000,
    });
    expect(mail.to).toBeDefined();
    expect(JSON.stringify(mail.to)).toContain('aminata@acf.test');
    expect(mail.text).toContain(body.reference);
    expect(mail.text).toContain('Mopti → Douentza → Gao');
    expect(mail.text).toMatch(/n'est ni une autorisation ni une garantie de sécurité/);
    expect(mail.text).toMatch(/neither a permission nor a security guarantee/);
    expect(mail.html).toContain(body.reference);
  });

  it('refuses a malformed notice with 400 naming each field, and writes nothing', async () => {
    const before = await countMovements();
    const notice = convoyNotice(72, {
      type: 'parade',
      personnel: { national: 'six', international: 0 },
    });
    delete (notice as Record<string, unknown>).verifiedBy;
    const response = await submit(acf.token, notice);
    expect(response.statusCode).toBe(400);
    const fields = response.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['type', 'personnel.national', 'verifiedBy']));
    expect(await countMovements()).toBe(before);
  });

  it('refuses coordinates outside the operation area', async () => {
    const notice = convoyNotice(72, {
      arrival: { place: 'Dakar', lat: 14.7167, lon: -17.4677, at: convoyNotice(100).arrival.at },
    });
    const response = await submit(acf.token, notice);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      expect.objectContaining({ field: 'arrival', rule: 'outside_area' }),
    ]);
  });

  it('refuses a routine movement notified less than 48 h ahead, and says how to notify an emergency', async () => {
    const before = await countMovements();
    const response = await submit(acf.token, convoyNotice(24));
    expect(response.statusCode).toBe(400);
    const [error] = response.json().errors;
    expect(error).toMatchObject({ field: 'departure.at', rule: 'lead_time' });
    expect(error.message).toContain('48 h');
    expect(error.message).toContain('emergency');
    expect(await countMovements()).toBe(before);

    const emergency = await submit(
      acf.token,
      convoyNotice(24, {
        priority: 'emergency',
        emergencyReason: 'Cholera outbreak in Gao, urgent medical resupply',
      }),
    );
    expect(emergency.statusCode).toBe(201);
  });

  it('answers in French when asked', async () => {
    const response = await submit(acf.token, convoyNotice(24), {
      'accept-language': 'fr-ML, fr;q=0.9',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].message).toContain('au moins 48 h');
  });

  it('refuses a departure in the past and an arrival before departure', async () => {
    const past = convoyNotice(-5);
    const response = await submit(acf.token, past);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'departure.at', rule: 'departure_in_past' }),
      ]),
    );
    const notice = convoyNotice(72);
    const backwards = { ...notice, arrival: { ...notice.arrival, at: notice.departure.at } };
    const second = await submit(acf.token, backwards);
    expect(second.json().errors).toEqual([
      expect.objectContaining({ field: 'arrival.at', rule: 'arrival_after_departure' }),
    ]);
  });

  it('requires a justification for a requested escort', async () => {
    const response = await submit(
      acf.token,
      convoyNotice(72, { escort: { status: 'requested', provider: 'FAMa' } }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      expect.objectContaining({ field: 'escort.justification' }),
    ]);
  });

  it('refuses unknown fields, unauthenticated callers and callers without the ngo role', async () => {
    const unknown = await submit(acf.token, convoyNotice(72, { approvedBy: 'nobody' }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].field).toBe('approvedBy');

    const anonymous = await h.api.inject({
      method: 'POST',
      url: '/movements',
      payload: convoyNotice(72),
    });
    expect(anonymous.statusCode).toBe(401);
    const forged = await submit('not-a-token', convoyNotice(72));
    expect(forged.statusCode).toBe(401);
    const ocha = await cellAccount(h, 'ocha');
    const cell = await submit(ocha.token, convoyNotice(72));
    expect(cell.statusCode).toBe(403);
  });

  it("never shows an organisation another organisation's movement", async () => {
    const created = (await submit(acf.token, convoyNotice(80))).json();
    const read = await h.api.inject({
      method: 'GET',
      url: `/movements/${created.id}`,
      headers: bearer(nrc.token),
    });
    expect(read.statusCode).toBe(404);
    expect(read.body).not.toContain(created.reference);
    const list = await h.api.inject({
      method: 'GET',
      url: '/movements',
      headers: bearer(nrc.token),
    });
    expect(list.json().items.map((m: { id: string }) => m.id)).not.toContain(created.id);
    const amend = await h.api.inject({
      method: 'PATCH',
      url: `/movements/${created.id}`,
      headers: bearer(nrc.token),
      payload: { purpose: 'hijack' },
    });
    expect(amend.statusCode).toBe(404);
    const cancel = await h.api.inject({
      method: 'POST',
      url: `/movements/${created.id}/cancel`,
      headers: bearer(nrc.token),
      payload: { reason: 'not ours' },
    });
    expect(cancel.statusCode).toBe(404);

    const own = await h.api.inject({
      method: 'GET',
      url: `/movements/${created.id}`,
      headers: bearer(acf.token),
    });
    expect(own.statusCode).toBe(200);
    const ocha = await cellAccount(h, 'ocha');
    const cell = await h.api.inject({
      method: 'GET',
      url: `/movements/${created.id}`,
      headers: bearer(ocha.token),
    });
    expect(cell.statusCode).toBe(200);
  });

  it('creates one notification for a repeated Idempotency-Key, and refuses the key with another body', async () => {
    const notice = convoyNotice(90);
    const key = `idem-${Date.now()}`;
    const first = await submit(acf.token, notice, { 'idempotency-key': key });
    const again = await submit(acf.token, notice, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const rows = await h.db.query(
      `SELECT count(*)::int AS n FROM movement_notifications WHERE id = $1`,
      [first.json().id],
    );
    expect(rows[0].n).toBe(1);

    // The same request sent three times at once (a retrying client on a flaky link).
    const retried = convoyNotice(91, { purpose: 'concurrent' });
    const concurrent = await Promise.all(
      [1, 2, 3].map(() => submit(acf.token, retried, { 'idempotency-key': `${key}-c` })),
    );
    expect(concurrent.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(new Set(concurrent.map((r) => r.json().id)).size).toBe(1);

    const other = await submit(
      acf.token,
      { ...notice, purpose: 'different' },
      { 'idempotency-key': key },
    );
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
  });

  it('amends a movement into a new version, keeps the earlier one readable, and emails a receipt for it', async () => {
    const created = (await submit(acf.token, convoyNotice(100))).json();
    const later = convoyNotice(120);
    const amended = await h.api.inject({
      method: 'PATCH',
      url: `/movements/${created.id}`,
      headers: bearer(acf.token),
      payload: {
        version: 1,
        changeNote: 'Departure moved by one day',
        departure: later.departure,
        arrival: later.arrival,
      },
    });
    expect(amended.statusCode).toBe(200);
    expect(amended.json()).toMatchObject({
      version: 2,
      status: 'submitted',
      reference: created.reference,
    });

    const detail = (
      await h.api.inject({
        method: 'GET',
        url: `/movements/${created.id}`,
        headers: bearer(acf.token),
      })
    ).json();
    expect(detail.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(detail.versions[1].notification.departure.at).toBe(created.departure.at);
    expect(detail.versions[0].changeNote).toBe('Departure moved by one day');

    const stale = await h.api.inject({
      method: 'PATCH',
      url: `/movements/${created.id}`,
      headers: bearer(acf.token),
      payload: { version: 1, purpose: 'stale edit' },
    });
    expect(stale.statusCode).toBe(409);

    const invalid = await h.api.inject({
      method: 'PATCH',
      url: `/movements/${created.id}`,
      headers: bearer(acf.token),
      payload: { departure: { ...later.departure, lat: 40 } },
    });
    expect(invalid.statusCode).toBe(400);

    await h.smtp.waitFor(
      (m) => (m.subject ?? '').includes(`${created.reference}] Modification reçue (version 2)`),
      {
        timeoutMs: 15_000,
      },
    );
  });

  it('cancels a movement with a reason, keeps it readable, and refuses further changes', async () => {
    const created = (await submit(acf.token, convoyNotice(110))).json();
    const noReason = await h.api.inject({
      method: 'POST',
      url: `/movements/${created.id}/cancel`,
      headers: bearer(acf.token),
      payload: {},
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('reason');
    const cancelled = await h.api.inject({
      method: 'POST',
      url: `/movements/${created.id}/cancel`,
      headers: bearer(acf.token),
      payload: { reason: 'Road closed by flooding' },
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      cancellationReason: 'Road closed by flooding',
    });
    const amend = await h.api.inject({
      method: 'PATCH',
      url: `/movements/${created.id}`,
      headers: bearer(acf.token),
      payload: { purpose: 'too late' },
    });
    expect(amend.statusCode).toBe(400);
    expect(amend.json().errors[0].rule).toBe('not_amendable');
    const actions = (
      await h.db.query(`SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`, [
        created.id,
      ])
    ).map((a: { action: string }) => a.action);
    expect(actions[0]).toBe('movement.submitted');
    expect(actions[actions.length - 1]).toBe('movement.cancelled');
  });

  it('lists own movements with status and date filters and keyset pages', async () => {
    const mine = await ngoAccount(h);
    const ids: string[] = [];
    for (const hours of [200, 210, 220])
      ids.push((await submit(mine.token, convoyNotice(hours))).json().id);
    const first = await h.api.inject({
      method: 'GET',
      url: '/movements?limit=2',
      headers: bearer(mine.token),
    });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[1]]);
    const second = await h.api.inject({
      method: 'GET',
      url: `/movements?limit=2&cursor=${page1.nextCursor}`,
      headers: bearer(mine.token),
    });
    expect(second.json()).toEqual({
      items: [expect.objectContaining({ id: ids[0] })],
      nextCursor: null,
    });

    const windowed = await h.api.inject({
      method: 'GET',
      url: `/movements?from=${encodeURIComponent(new Date(Date.now() + 235 * 3600_000).toISOString())}&status=submitted,in_review`,
      headers: bearer(mine.token),
    });
    expect(windowed.json().items.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[1]]);
    // Regions by point-in-polygon: Mopti is in ML-5 (Mopti), Gao in ML-7 (Gao).
    expect(page1.items[0].regions).toEqual({ departure: 'ML-5', arrival: 'ML-7' });
    const inGao = await h.api.inject({
      method: 'GET',
      url: '/movements?region=ML-7',
      headers: bearer(mine.token),
    });
    expect(inGao.json().items).toHaveLength(3);
    const inBamako = await h.api.inject({
      method: 'GET',
      url: '/movements?region=ML-BKO',
      headers: bearer(mine.token),
    });
    expect(inBamako.json().items).toHaveLength(0);
    const badStatus = await h.api.inject({
      method: 'GET',
      url: '/movements?status=approved',
      headers: bearer(mine.token),
    });
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().errors[0].field).toMatch(/^status/);
  });

  it('keeps the audit log append-only', async () => {
    await expect(h.db.query(`UPDATE audit_events SET action = 'tampered'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(h.db.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
  });

  it('sends each receipt exactly once', async () => {
    const created = (await submit(acf.token, convoyNotice(150))).json();
    await waitFor(
      async () =>
        (
          await h.db.query(
            `SELECT 1 FROM email_deliveries WHERE movement_id = $1 AND status = 'sent'`,
            [created.id],
          )
        ).length > 0,
      { description: 'the receipt delivery to be recorded as sent', timeoutMs: 15_000 },
    );
    const copies = h.smtp.messages.filter((m) => (m.subject ?? '').includes(created.reference));
    expect(copies).toHaveLength(1);
  });

  it('answers 413 to an oversized body and 400 to malformed JSON', async () => {
    const huge = convoyNotice(72, { purpose: 'x'.repeat(400_000) });
    expect((await submit(acf.token, huge)).statusCode).toBe(413);
    const malformed = await h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: { ...bearer(acf.token), 'content-type': 'application/json' },
      payload: '{"type": "convoy",',
    });
    expect(malformed.statusCode).toBe(400);
  });

  it('keeps references unique past the millionth movement of a year', async () => {
    await h.db.query(`SELECT setval('movement_reference_seq', 999999)`);
    const [a, b] = [
      (await submit(acf.token, convoyNotice(160))).json(),
      (await submit(acf.token, convoyNotice(161))).json(),
    ];
    expect(a.reference).toMatch(/^HNS-ML-\d{4}-1000000$/);
    expect(b.reference).toMatch(/^HNS-ML-\d{4}-1000001$/);
  });

  it('reports PostgreSQL, Redis and SMTP in /health', async () => {
    const response = await h.api.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      checks: { postgres: { status: 'up' }, redis: { status: 'up' }, smtp: { status: 'up' } },
    });
  });
});

describe('operations pages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('serves the OpenAPI documentation with the movement schema', async () => {
    const page = await h.api.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    const spec = await h.api.inject({ method: 'GET', url: '/docs-json' });
    expect(spec.statusCode).toBe(200);
    const text = spec.body;
    expect(text).toContain('/movements');
    expect(text).toContain('dataAccuracyConfirmed');
  });
});
