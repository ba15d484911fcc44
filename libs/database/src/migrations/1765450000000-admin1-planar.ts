import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * admin1_of() on a planar copy of the regions (issue 7): the same answers, about fifty times
 * less work per lookup than ST_Covers on the geography polygons (two lookups per submission).
 *
 * - admin1_region_parts: each region as small planar polygons (ST_Subdivide, GiST-indexed),
 *   after adding a vertex every kilometre along the geodesic edges (ST_Segmentize on the
 *   geography), so that the straight lon/lat chords stay within centimetres of the geography
 *   boundary.
 * - admin1_border_band: everything within 0.0005° (about 50 m in Mali) of a region boundary.
 *   There, where the planar chords and the geodesic edges could still disagree and where the
 *   "lower code wins on a shared border" rule applies, the lookup is the geography one as before.
 *   Elsewhere both give the same region, or none.
 *
 * Both tables are rebuilt by a statement trigger whenever admin1_regions changes, so a later
 * migration correcting the boundaries needs to do nothing more. PL/pgSQL, unlike a SQL function
 * called from an INSERT, keeps its plans for the session.
 */
export class Admin1Planar1765450000000 implements MigrationInterface {
  name = 'Admin1Planar1765450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE admin1_region_parts (
        code text NOT NULL,
        geom geometry(Geometry, 4326) NOT NULL
      )`);
    await q.query(`CREATE INDEX admin1_region_parts_gist ON admin1_region_parts USING gist (geom)`);
    await q.query(`CREATE TABLE admin1_border_band (geom geometry(Geometry, 4326) NOT NULL)`);
    await q.query(`CREATE INDEX admin1_border_band_gist ON admin1_border_band USING gist (geom)`);
    await q.query(`
      CREATE FUNCTION admin1_planar_rebuild() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM admin1_region_parts;
        DELETE FROM admin1_border_band;
        INSERT INTO admin1_region_parts (code, geom)
          SELECT code, ST_Subdivide(ST_Segmentize(geom, 1000)::geometry, 64) FROM admin1_regions;
        INSERT INTO admin1_border_band (geom)
          SELECT ST_Subdivide(
                   ST_Buffer(ST_Boundary(ST_Segmentize(geom, 1000)::geometry), 0.0005, 'quad_segs=2'),
                   64)
          FROM admin1_regions;
      END $$`);
    await q.query(`
      CREATE FUNCTION admin1_planar_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM admin1_planar_rebuild();
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER admin1_planar_refresh
      AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin1_regions
      FOR EACH STATEMENT EXECUTE FUNCTION admin1_planar_refresh()`);
    await q.query(`SELECT admin1_planar_rebuild()`);
    await q.query(`ANALYZE admin1_region_parts`);
    await q.query(`ANALYZE admin1_border_band`);
    // Same signature and answers as in MovementRegions1764800000000: a point on a shared border
    // lies in both units and the lower code wins; outside every unit, null.
    await q.query(`
      CREATE OR REPLACE FUNCTION admin1_of(lat double precision, lon double precision) RETURNS text
      LANGUAGE plpgsql STABLE AS $$
      DECLARE
        pt geometry := ST_SetSRID(ST_MakePoint(lon, lat), 4326);
        region text;
      BEGIN
        IF EXISTS (SELECT 1 FROM admin1_border_band b WHERE ST_Intersects(b.geom, pt)) THEN
          SELECT r.code INTO region FROM admin1_regions r
          WHERE ST_Covers(r.geom, pt::geography) ORDER BY r.code LIMIT 1;
        ELSE
          SELECT p.code INTO region FROM admin1_region_parts p
          WHERE ST_Covers(p.geom, pt) ORDER BY p.code LIMIT 1;
        END IF;
        RETURN region;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION admin1_of(lat double precision, lon double precision) RETURNS text
      LANGUAGE sql STABLE AS $$
        SELECT code FROM admin1_regions
        WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography)
        ORDER BY code LIMIT 1
      $$`);
    await q.query(`DROP TRIGGER IF EXISTS admin1_planar_refresh ON admin1_regions`);
    await q.query(`DROP FUNCTION IF EXISTS admin1_planar_refresh()`);
    await q.query(`DROP FUNCTION IF EXISTS admin1_planar_rebuild()`);
    await q.query(`DROP TABLE IF EXISTS admin1_border_band`);
    await q.query(`DROP TABLE IF EXISTS admin1_region_parts`);
  }
}
