import { Harness, startHarness } from './support/harness';

/** The reference: ST_Covers on the geography polygons, the lower code winning on a border. */
const GEOGRAPHY_LOOKUP = `(SELECT r.code FROM admin1_regions r
   WHERE ST_Covers(r.geom, ST_SetSRID(ST_MakePoint(pts.lon, pts.lat), 4326)::geography)
   ORDER BY r.code LIMIT 1)`;

/**
 * admin1_of() answers from a planar copy of the regions away from their borders and from the
 * geography polygons within about 50 m of one (migration Admin1Planar1765450000000): it must
 * give exactly the answers of the geography lookup it replaced, borders included.
 */
describe('admin1_of on the planar copy of the regions', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('gives the geography answer for points near every border, at random and at every place', async () => {
    const [result]: {
      total: number;
      differ: number;
      in_band: number;
      planar: number;
      examples: unknown;
    }[] = await h.db.query(`
      WITH pts AS MATERIALIZED (
        -- a point every 50 km along every boundary (on the geodesic edges), on it and 1 m,
        -- 40 m, 60 m and 110 m off it in several directions
        SELECT ST_Y(d.geom) + o.dy AS lat, ST_X(d.geom) + o.dx AS lon
        FROM admin1_regions r,
             ST_DumpPoints(ST_Segmentize(r.geom, 50000)::geometry) d,
             (VALUES (0, 0), (1e-5, 0), (0, -1e-5), (3e-4, 3e-4), (-3e-4, -3e-4), (6e-4, 0),
                     (0, -1e-3)) AS o(dx, dy)
        WHERE d.path[array_upper(d.path, 1)] % 6 = 0
        UNION ALL
        SELECT 10.1 + 14.95 * ((g * 7919) % 10007) / 10007.0,
               -12.3 + 16.6 * ((g * 104729) % 10009) / 10009.0
        FROM generate_series(1, 2000) g
        UNION ALL
        SELECT lat, lon FROM places),
      answers AS (
        SELECT lat, lon, admin1_of(lat, lon) AS planar, ${GEOGRAPHY_LOOKUP} AS geography,
               EXISTS (SELECT 1 FROM admin1_border_band b
                       WHERE ST_Intersects(b.geom, ST_SetSRID(ST_MakePoint(lon, lat), 4326))) AS in_band
        FROM pts)
      SELECT count(*)::int AS total,
             count(*) FILTER (WHERE planar IS DISTINCT FROM geography)::int AS differ,
             count(*) FILTER (WHERE in_band)::int AS in_band,
             count(*) FILTER (WHERE NOT in_band AND geography IS NOT NULL)::int AS planar,
             (jsonb_agg(jsonb_build_object('lat', lat, 'lon', lon, 'planar', planar, 'geography', geography))
                FILTER (WHERE planar IS DISTINCT FROM geography)) -> 0 AS examples
      FROM answers`);
    expect({ differ: result.differ, example: result.examples }).toEqual({
      differ: 0,
      example: null,
    });
    // Both paths are exercised: the border band (geography) and the planar parts.
    expect(result.total).toBeGreaterThan(4_000);
    expect(result.in_band).toBeGreaterThan(1_000);
    expect(result.planar).toBeGreaterThan(1_000);
  }, 180_000);

  it('follows a change of the regions (the planar copy is rebuilt by a trigger)', async () => {
    const runner = h.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const bamako = async () =>
        (await runner.query(`SELECT admin1_of(12.65196, -8.00198) AS code`))[0].code;
      expect(await bamako()).toBe('ML-BKO');
      // Move the Bamako district 5° east: the point is no longer in it.
      await runner.query(
        `UPDATE admin1_regions SET geom = ST_Translate(geom::geometry, 5, 0)::geography
         WHERE code = 'ML-BKO'`,
      );
      const [reference] = await runner.query(
        `SELECT ${GEOGRAPHY_LOOKUP} AS code FROM (SELECT 12.65196 AS lat, -8.00198 AS lon) pts`,
      );
      expect(await bamako()).not.toBe('ML-BKO');
      expect(await bamako()).toBe(reference.code);
      const [moved] = await runner.query(`SELECT admin1_of(12.65196, -3.00198) AS code`);
      expect(moved.code).toBe('ML-BKO');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
