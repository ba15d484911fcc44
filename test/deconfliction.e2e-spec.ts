import { SEATS, type Seat, HOUR, day } from './support/fixtures';
import { ConflictDetector } from '@hns/deconfliction';
import {
  Harness,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';

const HOMBORI = { place: 'Hombori', lat: 15.2833, lon: -1.7 };
const DOUENTZA = { place: 'Douentza', lat: 15.0019, lon: -2.9497 };
const CONFIDENTIAL = 'FAMa 4th battalion clears the Boni–Hombori stretch; air support on call';
const ZONE_NAME = 'Opération Tessit-2';

/** Mopti → Douentza → Hombori → Gao on the RN16, leaving `hoursAhead` hours from now. */
const rn16Convoy = (hoursAhead: number) =>
  convoyNotice(hoursAhead, { waypoints: [{ ...DOUENTZA, overnight: true }, HOMBORI] });

/** Bamako → Ségou on the RN6, nowhere near Hombori. */
const rn6Convoy = (hoursAhead: number) => {
  const notice = convoyNotice(hoursAhead);
  const arrival = new Date(Date.parse(notice.departure.at) + 10 * HOUR).toISOString();
  return {
    ...notice,
    departure: { ...notice.departure, place: 'Bamako', lat: 12.65, lon: -8.0 },
    arrival: { place: 'Ségou', lat: 13.44, lon: -6.26, at: arrival },
    waypoints: [],
  };
};

describe('deconfliction: restricted zones checked against every route and time window', () => {
  let h: Harness;
  let detector: ConflictDetector;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;
  let otherNgo: Awaited<ReturnType<typeof ngoAccount>>;
  const cell = {} as Record<Seat, { token: string }>;
  const movement = {} as Record<'rn16Day3' | 'rn16Day6' | 'rn6Day3', { id: string }>;
  let zone: { id: string; version: number };

  beforeAll(async () => {
    h = await startHarness();
    detector = h.api.get(ConflictDetector);
    ngo = await ngoAccount(h);
    otherNgo = await ngoAccount(h);
    for (const seat of SEATS) cell[seat] = await cellAccount(h, seat);
    movement.rn16Day3 = await submit(rn16Convoy(72));
    movement.rn16Day6 = await submit(rn16Convoy(144));
    movement.rn6Day3 = await submit(rn6Convoy(72));
  });
  afterAll(() => h?.close());

  async function submit(notice: Record<string, unknown>): Promise<{ id: string }> {
    const response = await h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: bearer(ngo.token),
      payload: notice,
    });
    expect(response.statusCode).toBe(201);
    return response.json();
  }

  const request = (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    token: string,
    payload?: Record<string, unknown>,
    language = 'en',
  ) =>
    h.api.inject({
      method,
      url,
      headers: { ...bearer(token), 'accept-language': language },
      ...(payload ? { payload } : {}),
    });

  const declare = (seat: Seat, body: Record<string, unknown>, language = 'en') =>
    request('POST', '/zones', cell[seat].token, body, language);

  const homboriNoGo = {
    name: ZONE_NAME,
    publicLabel: 'RN16 around Hombori',
    confidentialDetails: CONFIDENTIAL,
    level: 'no_go',
    center: { lat: HOMBORI.lat, lon: HOMBORI.lon },
    radiusKm: 10,
    activeFrom: day(2),
    activeTo: day(4),
    shareGeometry: false,
  };

  const ours = <T extends { movementId: string }>(ids: T[]): T[] => {
    const mine = new Set(Object.values(movement).map((m) => m.id));
    return ids.filter((c) => mine.has(c.movementId));
  };

  it('an NGO can neither declare nor read restricted zones', async () => {
    expect((await request('POST', '/zones', ngo.token, homboriNoGo)).statusCode).toBe(403);
    expect((await request('GET', '/zones', ngo.token)).statusCode).toBe(403);
    expect((await declare('wfp_logistics', homboriNoGo)).statusCode).toBe(403);
  });

  it('the armed forces liaison declares a no-go zone of 10 km around Hombori from day 2 to day 4', async () => {
    const response = await declare('armed_forces_liaison', homboriNoGo);
    expect(response.statusCode).toBe(201);
    zone = response.json();
    expect(response.headers.location).toBe(`/zones/${zone.id}`);
    expect(zone).toMatchObject({
      name: ZONE_NAME,
      confidentialDetails: CONFIDENTIAL,
      level: 'no_go',
      state: 'upcoming',
      version: 1,
      declaredBySeat: 'armed_forces_liaison',
      geometry: { type: 'MultiPolygon' },
    });
    const list = await request('GET', '/zones', cell.wfp_logistics.token);
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toContainEqual(
      expect.objectContaining({ id: zone.id, confidentialDetails: CONFIDENTIAL }),
    );
  });

  it('the zone re-check finds the RN16 convoy of day 3, not the same convoy on day 6 nor the Bamako → Ségou convoy', async () => {
    const recheck = await detector.detectForZone(zone.id);
    expect(ours(recheck.conflicts)).toEqual([
      {
        movementId: movement.rn16Day3.id,
        version: 1,
        zoneId: zone.id,
        level: 'no_go',
        newlyConflicting: true,
        previousLevel: null,
      },
    ]);
    expect(ours(recheck.cleared)).toEqual([]);
    const [stored] = await h.db.query(
      `SELECT lower(c.overlap) AS from, upper(c.overlap) AS to, c.zone_version,
              ST_DWithin(c.route_part, ST_MakePoint($3, $4)::geography, 15000) AS near_hombori
       FROM movement_conflicts c WHERE c.movement_id = $1 AND c.zone_id = $2`,
      [movement.rn16Day3.id, zone.id, HOMBORI.lon, HOMBORI.lat],
    );
    const departure = rn16Convoy(72).departure.at;
    expect(Math.abs(stored.from.getTime() - Date.parse(departure))).toBeLessThan(60_000);
    expect(stored.to.toISOString()).toBe(homboriNoGo.activeTo);
    expect(stored).toMatchObject({ zone_version: 1, near_hombori: true });
  });

  it('each movement checked on its own agrees, and checking again changes nothing', async () => {
    const day3 = await detector.detectForMovementVersion(movement.rn16Day3.id, 1);
    expect(day3.conflicts).toEqual([
      expect.objectContaining({ zoneId: zone.id, level: 'no_go', newlyConflicting: false }),
    ]);
    expect((await detector.detectForMovementVersion(movement.rn16Day6.id, 1)).conflicts).toEqual(
      [],
    );
    expect((await detector.detectForMovementVersion(movement.rn6Day3.id, 1)).conflicts).toEqual([]);
    const again = await detector.detectForZone(zone.id);
    expect(ours(again.conflicts).map((c) => c.newlyConflicting)).toEqual([false]);
    const [{ n }] = await h.db.query(
      `SELECT count(*)::int AS n FROM movement_conflicts WHERE zone_id = $1`,
      [zone.id],
    );
    expect(n).toBe(1);
  });

  it('re-checked in batches of two movements, two batches at a time, the zone gives the same conflicts batch by batch and rewrites nothing', async () => {
    const whole = await detector.detectForZone(zone.id);
    const [{ planned }] = await h.db.query(
      `SELECT count(*)::int AS planned FROM movement_notifications WHERE status = ANY($1)`,
      [['submitted', 'in_review', 'flagged', 'escalated', 'acknowledged', 'in_progress']],
    );
    const seen: string[] = [];
    const batched = await detector.detectForZone(zone.id, {
      batchSize: 2,
      onBatch: async (manager, batch) => {
        // Each batch commits on its own: its conflicts are already stored in its transaction.
        for (const c of batch.conflicts) {
          const [stored] = await manager.query(
            `SELECT 1 FROM movement_conflicts WHERE movement_id = $1 AND version = $2 AND zone_id = $3`,
            [c.movementId, c.version, c.zoneId],
          );
          expect(stored).toBeDefined();
          seen.push(c.movementId);
        }
      },
    });
    expect(batched.batches).toBe(Math.floor(planned / 2) + 1);
    const key = (c: { movementId: string; version: number }) => `${c.movementId}/${c.version}`;
    expect(batched.conflicts.map(key).sort()).toEqual(whole.conflicts.map(key).sort());
    expect(seen.sort()).toEqual(whole.conflicts.map((c) => c.movementId).sort());
    expect(batched.conflicts.filter((c) => c.newlyConflicting)).toEqual([]);
    expect(batched.cleared).toEqual([]);
  });

  it('a convoy notified across a zone already declared is found when it is checked', async () => {
    const late = await submit(rn16Convoy(70));
    const found = await detector.detectForMovementVersion(late.id, 1);
    expect(found.conflicts).toEqual([
      expect.objectContaining({ zoneId: zone.id, level: 'no_go', newlyConflicting: true }),
    ]);
  });

  it('the cell sees everything about the conflict', async () => {
    const response = await request(
      'GET',
      `/movements/${movement.rn16Day3.id}/conflicts`,
      cell.ocha.token,
    );
    expect(response.statusCode).toBe(200);
    const { version, conflicts } = response.json();
    expect(version).toBe(1);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      zone: {
        id: zone.id,
        name: ZONE_NAME,
        confidentialDetails: CONFIDENTIAL,
        geometry: { type: 'MultiPolygon' },
      },
      level: 'no_go',
      overlap: { to: homboriNoGo.activeTo },
    });
    expect(conflicts[0].routePart.type).toMatch(/LineString/);
  });

  it("the NGO is told the public label, the level, when, and the stretch of its own route — never the zone's name or confidential details", async () => {
    const response = await request(
      'GET',
      `/movements/${movement.rn16Day3.id}/conflicts`,
      ngo.token,
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(CONFIDENTIAL);
    expect(response.body).not.toContain(ZONE_NAME);
    expect(response.body).not.toContain(zone.id);
    const [conflict] = response.json().conflicts;
    expect(conflict).toEqual({
      publicLabel: 'RN16 around Hombori',
      level: 'no_go',
      overlap: { from: expect.any(String), to: homboriNoGo.activeTo },
      routePart: expect.objectContaining({ type: expect.stringMatching(/LineString/) }),
      zoneGeometry: null,
      advice: { fr: expect.any(String), en: expect.any(String) },
    });
    const unaffected = await request(
      'GET',
      `/movements/${movement.rn16Day6.id}/conflicts`,
      ngo.token,
    );
    expect(unaffected.json().conflicts).toEqual([]);
  });

  it("another organisation's NGO gets 404 for the conflicts of a movement not its own", async () => {
    const response = await request(
      'GET',
      `/movements/${movement.rn16Day3.id}/conflicts`,
      otherNgo.token,
    );
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain(CONFIDENTIAL);
  });

  it('UNDSS declares a caution zone around Douentza and shares its outline with the organisations', async () => {
    const around = (lon: number, lat: number, d: number) => [
      [lon - d, lat - d],
      [lon + d, lat - d],
      [lon + d, lat + d],
      [lon - d, lat + d],
      [lon - d, lat - d],
    ];
    const response = await declare('undss', {
      name: 'Douentza market threat',
      publicLabel: 'Douentza town',
      confidentialDetails: 'Informant report, unconfirmed',
      level: 'caution',
      geometry: { type: 'Polygon', coordinates: [around(DOUENTZA.lon, DOUENTZA.lat, 0.05)] },
      activeFrom: day(1),
      activeTo: day(8),
      shareGeometry: true,
    });
    expect(response.statusCode).toBe(201);
    const caution = response.json();
    const recheck = await detector.detectForZone(caution.id);
    expect(
      ours(recheck.conflicts)
        .map((c) => c.movementId)
        .sort(),
    ).toEqual([movement.rn16Day3.id, movement.rn16Day6.id].sort());
    const view = await request('GET', `/movements/${movement.rn16Day6.id}/conflicts`, ngo.token);
    expect(view.json().conflicts).toEqual([
      expect.objectContaining({
        publicLabel: 'Douentza town',
        level: 'caution',
        zoneGeometry: expect.objectContaining({ type: 'MultiPolygon' }),
      }),
    ]);
    expect(view.body).not.toContain('Informant');
  });

  it('refuses a self-intersecting "bow-tie" polygon with 400 naming geometry and the reason', async () => {
    const bowTie = [
      [-1.8, 15.2],
      [-1.6, 15.4],
      [-1.6, 15.2],
      [-1.8, 15.4],
      [-1.8, 15.2],
    ];
    const body = {
      ...homboriNoGo,
      center: undefined,
      radiusKm: undefined,
      geometry: { type: 'Polygon', coordinates: [bowTie] },
    };
    const response = await declare('armed_forces_liaison', body);
    expect(response.statusCode).toBe(400);
    const [problem] = response.json().errors;
    expect(problem).toMatchObject({ field: 'geometry', rule: 'invalid_geometry' });
    expect(problem.message).toMatch(/Self-intersection/);
    const french = await declare('armed_forces_liaison', body, 'fr');
    expect(french.json().errors[0].message).toMatch(/le polygone n’est pas valide/);
  });

  it('refuses an open ring, a zone outside or partly outside the operation area, and a window that ends before it starts', async () => {
    const polygon = (ring: number[][]) => ({
      ...homboriNoGo,
      center: undefined,
      radiusKm: undefined,
      geometry: { type: 'Polygon', coordinates: [ring] },
    });
    const open = await declare(
      'armed_forces_liaison',
      polygon([
        [-1.8, 15.2],
        [-1.6, 15.2],
        [-1.6, 15.4],
        [-1.8, 15.4],
      ]),
    );
    expect(open.statusCode).toBe(400);
    expect(open.json().errors).toEqual([
      expect.objectContaining({ field: 'geometry.coordinates.0', rule: 'ring_not_closed' }),
    ]);
    const dakar = await declare(
      'undss',
      polygon([
        [-17.5, 14.6],
        [-17.3, 14.6],
        [-17.3, 14.8],
        [-17.5, 14.6],
      ]),
    );
    expect(dakar.statusCode).toBe(400);
    expect(dakar.json().errors).toEqual([
      expect.objectContaining({ field: 'geometry', rule: 'outside_area' }),
    ]);
    const acrossBorder = await declare('undss', {
      ...homboriNoGo,
      center: { lat: 14.5, lon: -12.2 },
      radiusKm: 30,
    });
    expect(acrossBorder.statusCode).toBe(400);
    expect(acrossBorder.json().errors).toEqual([
      expect.objectContaining({ field: 'radiusKm', rule: 'partly_outside_area' }),
    ]);
    const backwards = await declare('undss', { ...homboriNoGo, activeTo: day(1) });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors).toEqual([
      expect.objectContaining({ field: 'activeTo', rule: 'active_order' }),
    ]);
  });

  it('only the seat that declared a zone may change or lift it', async () => {
    const byUndss = await request('PATCH', `/zones/${zone.id}`, cell.undss.token, {
      level: 'caution',
    });
    expect(byUndss.statusCode).toBe(403);
    expect(byUndss.json().code).toBe('zone_other_seat');
    const byOcha = await request('POST', `/zones/${zone.id}/lift`, cell.ocha.token);
    expect(byOcha.statusCode).toBe(403);
  });

  it('moving the zone to days 6 to 8 clears the day-3 conflict and finds the day-6 convoy', async () => {
    const window = { activeFrom: day(6), activeTo: day(8) };
    const moved = await request('PATCH', `/zones/${zone.id}`, cell.armed_forces_liaison.token, {
      version: 1,
      ...window,
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ version: 2, ...window, state: 'upcoming' });
    const stale = await request('PATCH', `/zones/${zone.id}`, cell.armed_forces_liaison.token, {
      version: 1,
      level: 'caution',
    });
    expect(stale.statusCode).toBe(409);

    const recheck = await detector.detectForZone(zone.id);
    expect(ours(recheck.cleared)).toEqual([
      { movementId: movement.rn16Day3.id, version: 1, zoneId: zone.id, level: 'no_go' },
    ]);
    expect(ours(recheck.conflicts)).toEqual([
      expect.objectContaining({ movementId: movement.rn16Day6.id, newlyConflicting: true }),
    ]);
    const [stored] = await h.db.query(
      `SELECT zone_version FROM movement_conflicts WHERE movement_id = $1 AND zone_id = $2`,
      [movement.rn16Day6.id, zone.id],
    );
    expect(stored.zone_version).toBe(2);
  });

  it('lifting the zone clears the conflicts it explained; the zone stays on the record', async () => {
    const lifted = await request(
      'POST',
      `/zones/${zone.id}/lift`,
      cell.armed_forces_liaison.token,
      {
        reason: 'Operation over',
      },
    );
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json()).toMatchObject({
      state: 'lifted',
      version: 3,
      liftedAt: expect.any(String),
    });
    const recheck = await detector.detectForZone(zone.id);
    expect(ours(recheck.conflicts)).toEqual([]);
    expect(ours(recheck.cleared)).toEqual([
      expect.objectContaining({ movementId: movement.rn16Day6.id, zoneId: zone.id }),
    ]);
    const view = await request(
      'GET',
      `/movements/${movement.rn16Day6.id}/conflicts`,
      cell.undss.token,
    );
    expect(view.json().conflicts.map((c: { zone: { id: string } }) => c.zone.id)).not.toContain(
      zone.id,
    );
    const again = await request('POST', `/zones/${zone.id}/lift`, cell.armed_forces_liaison.token);
    expect(again.statusCode).toBe(409);
    const current = await request('GET', '/zones', cell.ocha.token);
    expect(current.json().items.map((z: { id: string }) => z.id)).not.toContain(zone.id);
    const all = await request('GET', '/zones?state=all', cell.ocha.token);
    expect(all.json().items.map((z: { id: string }) => z.id)).toContain(zone.id);
    await expect(
      h.db.query(`DELETE FROM restricted_zones WHERE id = $1`, [zone.id]),
    ).rejects.toThrow(/never deleted/);
  });

  it('every change to a zone is on the record', async () => {
    const events: { action: string; actor_role: string }[] = await h.db.query(
      `SELECT action, actor_role FROM audit_events
       WHERE entity_type = 'restricted_zone' AND entity_id = $1 ORDER BY id`,
      [zone.id],
    );
    expect(events).toEqual([
      { action: 'zone.declared', actor_role: 'cell:armed_forces_liaison' },
      { action: 'zone.updated', actor_role: 'cell:armed_forces_liaison' },
      { action: 'zone.lifted', actor_role: 'cell:armed_forces_liaison' },
    ]);
  });
});
