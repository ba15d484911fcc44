import { SEATS, type Seat } from './support/fixtures';
import { LifecycleLogListener, ReviewMailer, reviewQueueSchema } from '@hns/reviews';
import {
  Harness,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
  submitNotice,
} from './support/harness';
import { waitFor } from './support/wait-for';
import { QUEUE_LINE_BACKFILL_SQL } from '../libs/database/src/migrations/1765740000000-review-task-queue-line';

describe("the cell's review workflow", () => {
  let h: Harness;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;
  const cell = {} as Record<Seat, { token: string }>;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    ngo = await ngoAccount(h);
    for (const seat of SEATS) cell[seat] = await cellAccount(h, seat);
  });
  afterAll(() => h.close());

  const submit = (hoursAhead: number, overrides: Record<string, unknown> = {}) =>
    submitNotice(h, ngo.token, hoursAhead, overrides);
  const statusOf = async (id: string) =>
    (await h.db.query(`SELECT status FROM movement_notifications WHERE id = $1`, [id]))[0].status;
  const inReview = (id: string) =>
    waitFor(async () => (await statusOf(id)) === 'in_review', {
      description: `movement ${id} to be in review`,
    });
  const decide = (seat: Seat, id: string, body: Record<string, unknown>) =>
    h.api.inject({
      method: 'POST',
      url: `/movements/${id}/reviews`,
      headers: bearer(cell[seat].token),
      payload: body,
    });

  it('gives every seat a review task, soonest departure first in its queue', async () => {
    const later = await submit(300);
    const sooner = await submit(250);
    await inReview(later.id);
    await inReview(sooner.id);
    for (const seat of SEATS) {
      const queue = await h.api.inject({
        method: 'GET',
        url: '/reviews?limit=500',
        headers: bearer(cell[seat].token),
      });
      expect(queue.statusCode).toBe(200);
      const ids = queue.json().items.map((i: { movementId: string }) => i.movementId);
      expect(ids.indexOf(sooner.id)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(sooner.id)).toBeLessThan(ids.indexOf(later.id));
    }
    const ngoQueue = await h.api.inject({
      method: 'GET',
      url: '/reviews',
      headers: bearer(ngo.token),
    });
    expect(ngoQueue.statusCode).toBe(403);
  });

  it("lists each pending task as a queue line, not the notice; the notice is in the movement's detail", async () => {
    const notice = convoyNotice(320, {
      waypoints: [
        { place: 'Douentza', lat: 15.0019, lon: -2.9497, overnight: true },
        { place: 'Hombori', lat: 15.2833, lon: -1.7, overnight: false },
      ],
      vehicles: [
        { type: 'Toyota Land Cruiser', plate: 'AB-1234-MD' },
        { type: 'Truck 10 t', plate: 'AB-5678-MD' },
        { type: 'Truck 20 t', plate: 'AB-9012-MD' },
      ],
      personnel: { national: 4, international: 2 },
      escort: {
        status: 'requested',
        provider: 'MINUSMA',
        justification: 'Attaques répétées sur l’axe Douentza–Hombori',
      },
    });
    const m = await submit(320, notice);
    const line = await waitFor(
      async () => {
        const queue = await h.api.inject({
          method: 'GET',
          url: '/reviews?limit=500',
          headers: bearer(cell.undss.token),
        });
        expect(queue.headers['content-type']).toBe('application/json; charset=utf-8');
        // PostgreSQL writes this JSON: it must be what the OpenAPI schema declares, no more.
        const parsed = reviewQueueSchema.safeParse(queue.json());
        expect(parsed.error?.issues ?? []).toEqual([]);
        return parsed.data!.items.find((i) => i.movementId === m.id);
      },
      { description: 'the UNDSS review task of the movement' },
    );
    // Exactly these fields: nothing of the notice beyond what the queue shows.
    expect(line).toEqual({
      taskId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      movementId: m.id,
      reference: m.reference,
      version: 1,
      status: 'escalated', // an escort request is escalated to UNDSS automatically
      organisation: ngo.org.acronym,
      type: 'convoy',
      priority: 'routine',
      route: ['Mopti', 'Douentza', 'Hombori', 'Gao'],
      departureAt: notice.departure.at,
      arrivalAt: notice.arrival.at,
      escortStatus: 'requested',
      vehicleCount: 3,
      personnelCount: 6,
      conflicts: { noGo: 0, caution: 0 },
      queuedAt: expect.any(String),
    });
    expect(Date.parse(line.queuedAt)).toBeGreaterThan(Date.now() - 60_000);
    const body = JSON.stringify(line);
    for (const secret of ['AB-1234-MD', 'Attaques répétées', 'aminata@acf.test', 'Moussa Diarra'])
      expect(body).not.toContain(secret);

    // The full notice, as submitted, from the movement's detail.
    const detail = await h.api.inject({
      method: 'GET',
      url: `/movements/${line.movementId}`,
      headers: bearer(cell.undss.token),
    });
    expect(detail.statusCode).toBe(200);
    const current = detail
      .json()
      .versions.find((v: { version: number }) => v.version === line.version);
    expect(current.notification).toMatchObject({
      vehicles: notice.vehicles,
      personnel: notice.personnel,
      escort: notice.escort,
      focalPoint: notice.focalPoint,
      waypoints: notice.waypoints,
    });

    // The queue is the cell's: an organisation's focal point gets 403, not another seat's work.
    const asNgo = await h.api.inject({
      method: 'GET',
      url: '/reviews?limit=500',
      headers: bearer(ngo.token),
    });
    expect(asNgo.statusCode).toBe(403);
    expect(asNgo.body).not.toContain(m.reference);
  });

  it("fills a pending task's queue line in the migration as the fan-out writes it", async () => {
    const m = await submit(330, {
      waypoints: [
        { place: 'Douentza', lat: 15.0019, lon: -2.9497, overnight: true },
        { place: 'Boni', lat: 15.0833, lon: -1.95 },
      ],
      personnel: { national: 12, international: 0 },
    });
    await inReview(m.id);
    const line = `SELECT seat, route_places, escort_status, vehicle_count, personnel_count
                  FROM review_tasks WHERE movement_id = $1 ORDER BY seat`;
    const written = await h.db.query(line, [m.id]);
    expect(written).toHaveLength(SEATS.length);
    expect(written[0]).toMatchObject({
      route_places: ['Mopti', 'Douentza', 'Boni', 'Gao'],
      escort_status: 'none',
      vehicle_count: 2,
      personnel_count: 12,
    });
    // As on a database migrated with this task pending: the line empty, then filled from the notice.
    const runner = h.db.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(`ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_queue_line`);
      await runner.query(
        `UPDATE review_tasks SET route_places = NULL, escort_status = NULL, vehicle_count = NULL,
                personnel_count = NULL WHERE movement_id = $1`,
        [m.id],
      );
      expect((await runner.query(line, [m.id]))[0].route_places).toBeNull();
      await runner.query(QUEUE_LINE_BACKFILL_SQL);
      expect(await runner.query(line, [m.id])).toEqual(written);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    // And a pending task cannot be left without it.
    await expect(
      h.db.query(`UPDATE review_tasks SET route_places = NULL WHERE movement_id = $1`, [m.id]),
    ).rejects.toThrow(/review_tasks_queue_line/);
  });

  it('documents the queue line in the OpenAPI description', async () => {
    const spec = (await h.api.inject({ method: 'GET', url: '/docs-json' })).json();
    const ok = spec.paths['/reviews'].get.responses['200'].content['application/json'].schema;
    expect(ok.$ref).toBe('#/components/schemas/ReviewQueue');
    const item = spec.components.schemas.ReviewQueueItem;
    expect(Object.keys(item.properties).sort()).toEqual(
      [
        'taskId',
        'movementId',
        'reference',
        'version',
        'status',
        'organisation',
        'type',
        'priority',
        'route',
        'departureAt',
        'arrivalAt',
        'escortStatus',
        'vehicleCount',
        'personnelCount',
        'conflicts',
        'queuedAt',
      ].sort(),
    );
    expect(item.properties.movementId.description).toContain('GET /movements/{movementId}');
  });

  it('acknowledges a movement once every required seat has approved; the NGO then reports departure and arrival', async () => {
    const m = await submit(260);
    await inReview(m.id);
    for (const seat of SEATS.slice(0, 3)) {
      const answer = await decide(seat, m.id, { version: 1, decision: 'approve' });
      expect(answer.statusCode).toBe(200);
      expect(answer.json().status).toBe('in_review');
    }
    const last = await decide('ocha', m.id, { version: 1, decision: 'approve' });
    expect(last.json().status).toBe('acknowledged');
    expect(await statusOf(m.id)).toBe('acknowledged');
    // The in-process event follows the commit (logs and metrics).
    expect(
      h.api.get(LifecycleLogListener).transitions.get('in_review->acknowledged'),
    ).toBeGreaterThanOrEqual(1);

    const mail = await h.smtp.waitFor(
      (p) =>
        (p.subject ?? '').includes(m.reference) &&
        !!p.attachments?.some((a) => a.filename?.endsWith('.ics')),
      { timeoutMs: 15_000 },
    );
    expect(JSON.stringify(mail.to)).toContain('aminata@acf.test');
    expect(JSON.stringify(mail.cc)).toContain('cell@ocha.test');
    expect(`${mail.subject} ${mail.text}`).not.toMatch(/approv|approuv/i);
    expect(mail.text).toMatch(/neither a permission nor a security guarantee/);
    const early = await h.api.inject({
      method: 'POST',
      url: `/movements/${m.id}/arrive`,
      headers: bearer(ngo.token),
    });
    expect(early.statusCode).toBe(409);
    const other = await ngoAccount(h);
    const foreign = await h.api.inject({
      method: 'POST',
      url: `/movements/${m.id}/depart`,
      headers: bearer(other.token),
    });
    expect(foreign.statusCode).toBe(404);
    const departed = await h.api.inject({
      method: 'POST',
      url: `/movements/${m.id}/depart`,
      headers: bearer(ngo.token),
    });
    expect(departed.json().status).toBe('in_progress');
    const arrived = await h.api.inject({
      method: 'POST',
      url: `/movements/${m.id}/arrive`,
      headers: bearer(ngo.token),
    });
    expect(arrived.json().status).toBe('completed');

    // A job run again (a worker killed after sending) sends nothing twice.
    await h.worker!.get(ReviewMailer).sendAcknowledgement(m.id, 1);
    const acknowledgements = h.smtp.messages.filter(
      (p) =>
        (p.subject ?? '').includes(m.reference) &&
        !!p.attachments?.some((a) => a.filename?.endsWith('.ics')),
    );
    expect(acknowledgements).toHaveLength(1);

    const ics = mail.attachments.find((a) => a.filename?.endsWith('.ics'))!;
    expect(ics.filename).toBe(`${m.reference}-v1.ics`);
    const calendar = ics.content.toString('utf8');
    expect(calendar.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(calendar).toContain(`UID:${m.reference}-v1@hns`);
  });

  it('lets a seat decide once per version, and refuses a stale version with 409', async () => {
    const m = await submit(265);
    await inReview(m.id);
    expect((await decide('ocha', m.id, { version: 1, decision: 'approve' })).statusCode).toBe(200);
    expect((await decide('ocha', m.id, { version: 1, decision: 'approve' })).statusCode).toBe(409);
    expect((await decide('undss', m.id, { version: 2, decision: 'approve' })).statusCode).toBe(409);
  });

  it('flags a movement with reasons, and an amendment restarts review by every seat', async () => {
    const m = await submit(270);
    await inReview(m.id);
    const noReason = await decide('wfp_logistics', m.id, { version: 1, decision: 'flag' });
    expect(noReason.statusCode).toBe(400);
    const flagged = await decide('wfp_logistics', m.id, {
      version: 1,
      decision: 'flag',
      reasonCodes: ['missing_vehicle_markings'],
      comment: 'Roof markings missing on the truck',
    });
    expect(flagged.statusCode).toBe(200);
    expect(flagged.json().status).toBe('flagged');
    const notice = await h.smtp.waitFor(
      (p) => (p.subject ?? '').includes(m.reference) && /PATCH/.test(p.text ?? ''),
      { timeoutMs: 15_000 },
    );
    expect(notice.text).toContain('Roof markings missing on the truck');

    const amended = await h.api.inject({
      method: 'PATCH',
      url: `/movements/${m.id}`,
      headers: bearer(ngo.token),
      payload: {
        version: 1,
        vehicles: [{ type: 'Truck 10 t', plate: 'AB-5678-MD', markings: 'ACF roof marking' }],
      },
    });
    expect(amended.statusCode).toBe(200);
    await inReview(m.id);
    const tasks = await h.db.query(
      `SELECT version, status FROM review_tasks WHERE movement_id = $1 AND version = 2`,
      [m.id],
    );
    expect(tasks).toHaveLength(4);
    expect(tasks.every((t: { status: string }) => t.status === 'pending')).toBe(true);
  });

  it('escalates to UNDSS with an acknowledgement deadline', async () => {
    const m = await submit(280);
    await inReview(m.id);
    const answer = await decide('armed_forces_liaison', m.id, {
      version: 1,
      decision: 'escalate',
      reasonCodes: ['security_threat_on_route'],
      comment: 'Armed group reported near Boni',
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().status).toBe('escalated');
    const [escalation] = await h.db.query(
      `SELECT severity, status, acknowledge_by - created_at AS window FROM security_escalations WHERE movement_id = $1`,
      [m.id],
    );
    expect(escalation).toMatchObject({ severity: 'critical', status: 'open' });
    const alert = await h.smtp.waitFor(
      (p) => (p.subject ?? '').includes(m.reference) && /CRITICAL/.test(p.subject ?? ''),
      { timeoutMs: 15_000 },
    );
    expect(JSON.stringify(alert.to)).toContain('duty@undss.test');
    expect(alert.headers.get('priority')).toBe('high');
    expect(alert.text).toContain('Armed group reported near Boni');
    expect(alert.text).toContain('ACF-1');

    // UNDSS sees it on its board, acknowledges it, then clears it: review goes on.
    const board = await h.api.inject({
      method: 'GET',
      url: '/escalations',
      headers: bearer(cell.undss.token),
    });
    const item = board.json().items.find((i: { movementId: string }) => i.movementId === m.id);
    expect(item).toMatchObject({ severity: 'critical', status: 'open', reference: m.reference });
    const byWfp = await h.api.inject({
      method: 'POST',
      url: `/escalations/${item.id}/acknowledge`,
      headers: bearer(cell.wfp_logistics.token),
    });
    expect(byWfp.statusCode).toBe(403);
    const ack = await h.api.inject({
      method: 'POST',
      url: `/escalations/${item.id}/acknowledge`,
      headers: bearer(cell.undss.token),
    });
    expect(ack.json().status).toBe('acknowledged');
    const resolved = await h.api.inject({
      method: 'POST',
      url: `/escalations/${item.id}/resolve`,
      headers: bearer(cell.undss.token),
      payload: { outcome: 'cleared', note: 'Checked with FAMa: road open' },
    });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().movementStatus).toBe('in_review');
    const again = await h.api.inject({
      method: 'POST',
      url: `/escalations/${item.id}/resolve`,
      headers: bearer(cell.undss.token),
      payload: { outcome: 'cleared' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('refuses a decision by a seat the policy does not require, and by non-cell users', async () => {
    const m = await submit(285);
    await inReview(m.id);
    const byNgo = await h.api.inject({
      method: 'POST',
      url: `/movements/${m.id}/reviews`,
      headers: bearer(ngo.token),
      payload: { version: 1, decision: 'approve' },
    });
    expect(byNgo.statusCode).toBe(403);
  });
});
