import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Movements record the admin1 region of their departure and arrival (issue 4), computed in
 * PostgreSQL by point-in-polygon against the gazetteer's regions, so lists filter by region.
 */
export class MovementRegions1764800000000 implements MigrationInterface {
  name = 'MovementRegions1764800000000';

  async up(q: QueryRunner): Promise<void> {
    // A point on a shared border lies in both units: the lower code wins, as in the gazetteer.
    await q.query(`
      CREATE FUNCTION admin1_of(lat double precision, lon double precision) RETURNS text
      LANGUAGE sql STABLE AS $$
        SELECT code FROM admin1_regions
        WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography)
        ORDER BY code LIMIT 1
      $$`);
    await q.query(`
      ALTER TABLE movement_notifications
        ADD COLUMN departure_admin1 text REFERENCES admin1_regions (code),
        ADD COLUMN arrival_admin1 text REFERENCES admin1_regions (code)`);
    await q.query(`
      UPDATE movement_notifications m SET
        departure_admin1 = admin1_of((v.notification #>> '{departure,lat}')::float8, (v.notification #>> '{departure,lon}')::float8),
        arrival_admin1 = admin1_of((v.notification #>> '{arrival,lat}')::float8, (v.notification #>> '{arrival,lon}')::float8)
      FROM movement_versions v WHERE v.movement_id = m.id AND v.version = m.current_version`);
    await q.query(
      `CREATE INDEX movement_notifications_departure_region ON movement_notifications (departure_admin1, departure_at DESC, id)`,
    );
    await q.query(
      `CREATE INDEX movement_notifications_arrival_region ON movement_notifications (arrival_admin1, departure_at DESC, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE movement_notifications DROP COLUMN departure_admin1, DROP COLUMN arrival_admin1`,
    );
    await q.query(`DROP FUNCTION IF EXISTS admin1_of`);
  }
}
