import { SEATS, type Seat, day } from './support/fixtures';
import { ConflictDetector } from '@hns/deconfliction';
import {
  Harness,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';

const HOMBORI = { lat: 15.2833, lon: -1.7 };
const RADIUS_KM = 10;
/** The corridor width (CORRIDOR_WIDTH_KM, default 5 km). */
const CORRIDOR_KM = 5;
const KM_PER_DEGREE_LAT = 110.6;
const KM_PER_DEGREE_LON = 111.32 * Math.cos((HOMBORI.lat * Math.PI) / 180);
/** Distances of the routes from the zone's edge: inside the corridor, or clear of it by ≥ 0.5 km. */
const OFFSETS_KM = [3.5, 4.0, 4.5, 5.5, 6.0, 7.0];
const SIDES = ['east', 'west', 'north', 'south'] as const;

/**
 * The edge of the corridor (issue 7): the movement check filters routes by bounding box before
 * it computes distances, and runs zone after zone over a batch. Routes passing a circular zone
 * at known distances on all four sides must be found exactly when they come within the
 * corridor width, by the batch check, the check of each movement alone, the zone's re-check and
 * PostGIS's ST_DWithin asked directly. The windows lie four months ahead, away from the other
 * test files' movements; the worker is not running.
 */
describe('deconfliction: routes at the edge of the corridor', () => {
  let h: Harness;
  let detector: ConflictDetector;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;
  const cell = {} as Record<Seat, { token: string }>;
  const routes: { id: string; label: string; within: boolean }[] = [];
  let zone: { id: string };

  /** A straight route passing the zone on one side, `offsetKm` from its edge. */
  function passing(side: (typeof SIDES)[number], offsetKm: number) {
    const reach = RADIUS_KM + offsetKm;
    const sign = side === 'east' || side === 'north' ? 1 : -1;
    const [from, to] =
      side === 'east' || side === 'west'
        ? [-0.6, 0.6].map((dLat) => ({
            lat: HOMBORI.lat + dLat,
            lon: HOMBORI.lon + (sign * reach) / KM_PER_DEGREE_LON,
          }))
        : [-0.6, 0.6].map((dLon) => ({
            lat: HOMBORI.lat + (sign * reach) / KM_PER_DEGREE_LAT,
            lon: HOMBORI.lon + dLon,
          }));
    return { from, to };
  }

  beforeAll(async () => {
    h = await startHarness();
    detector = h.api.get(ConflictDetector);
    ngo = await ngoAccount(h);
    for (const seat of SEATS) cell[seat] = await cellAccount(h, seat);
    const plans = [
      ...SIDES.flatMap((side) =>
        OFFSETS_KM.map((offset) => ({
          label: `${side} ${offset} km`,
          within: offset < CORRIDOR_KM,
          ...passing(side, offset),
        })),
      ),
      {
        label: 'through the zone',
        within: true,
        from: { lat: HOMBORI.lat, lon: HOMBORI.lon - 0.6 },
        to: { lat: HOMBORI.lat, lon: HOMBORI.lon + 0.6 },
      },
    ];
    for (const plan of plans) {
      const notice = convoyNotice(123 * 24);
      const response = await h.api.inject({
        method: 'POST',
        url: '/movements',
        headers: bearer(ngo.token),
        payload: {
          ...notice,
          departure: { ...notice.departure, place: 'Piste A', ...plan.from },
          arrival: { ...notice.arrival, place: 'Piste B', ...plan.to },
          waypoints: [],
        },
      });
      expect(response.statusCode).toBe(201);
      routes.push({ id: response.json().id, label: plan.label, within: plan.within });
    }
    const declared = await h.api.inject({
      method: 'POST',
      url: '/zones',
      headers: bearer(cell.armed_forces_liaison.token),
      payload: {
        name: 'Operation Hombori-C4',
        publicLabel: 'Around Hombori (C4)',
        level: 'caution',
        center: HOMBORI,
        radiusKm: RADIUS_KM,
        activeFrom: day(122),
        activeTo: day(126),
      },
    });
    expect(declared.statusCode).toBe(201);
    zone = declared.json();
  });
  afterAll(() => h?.close());

  const expected = () =>
    routes
      .filter((r) => r.within)
      .map((r) => r.label)
      .sort();
  const labelsOf = (ids: string[]) =>
    routes
      .filter((r) => ids.includes(r.id))
      .map((r) => r.label)
      .sort();
  const conflictingIds = (result: { conflicts: { movementId: string; zoneId: string }[] }) =>
    result.conflicts.filter((c) => c.zoneId === zone.id).map((c) => c.movementId);

  it('PostGIS asked directly finds the routes within the corridor width and only those', async () => {
    const rows: { movement_id: string }[] = await h.db.query(
      `SELECT v.movement_id FROM movement_versions v, restricted_zones z
       WHERE z.id = $1 AND v.movement_id = ANY($2::uuid[]) AND ST_DWithin(v.route, z.geom, $3)`,
      [zone.id, routes.map((r) => r.id), CORRIDOR_KM * 1000],
    );
    expect(labelsOf(rows.map((r) => r.movement_id))).toEqual(expected());
  });

  it('the check of all the routes in one batch finds the same', async () => {
    const result = await detector.detectForMovementVersions(
      routes.map((r) => ({ movementId: r.id, version: 1 })),
    );
    expect(labelsOf(conflictingIds(result))).toEqual(expected());
  });

  it('the check of each route alone finds the same', async () => {
    const found: string[] = [];
    for (const route of routes) {
      found.push(...conflictingIds(await detector.detectForMovementVersion(route.id, 1)));
    }
    expect(labelsOf(found)).toEqual(expected());
  });

  it("the zone's re-check finds the same", async () => {
    const result = await detector.detectForZone(zone.id);
    expect(labelsOf(conflictingIds(result))).toEqual(expected());
  });
});
