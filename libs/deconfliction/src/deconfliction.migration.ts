import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Restricted zones declared by the armed forces liaison and UNDSS seats, and the conflicts
 * between them and movement versions (DESIGN §5). Zones are never deleted: an update bumps
 * `version`, a lift ends `active` early and records who lifted it.
 */
export class Deconfliction1764700000000 implements MigrationInterface {
  name = 'Deconfliction1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE restricted_zones (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        public_label text NOT NULL CHECK (length(public_label) BETWEEN 1 AND 200),
        confidential_details text,
        level text NOT NULL CHECK (level IN ('no_go', 'caution')),
        geom geography(MultiPolygon, 4326) NOT NULL,
        active tstzrange NOT NULL,
        share_geometry boolean NOT NULL DEFAULT false,
        declared_by uuid NOT NULL REFERENCES users (id),
        declared_by_seat text NOT NULL CHECK (declared_by_seat IN ('armed_forces_liaison', 'undss')),
        lifted_at timestamptz,
        lifted_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        CONSTRAINT restricted_zones_bounded CHECK (
          isempty(active) OR NOT (lower_inf(active) OR upper_inf(active))),
        -- Only a zone lifted before it started has an empty window.
        CONSTRAINT restricted_zones_empty_only_when_lifted CHECK (
          NOT isempty(active) OR lifted_at IS NOT NULL),
        CONSTRAINT restricted_zones_lifted_by CHECK (lifted_by IS NULL OR lifted_at IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX restricted_zones_geom_gist ON restricted_zones USING gist (geom)`);
    await q.query(
      `CREATE INDEX restricted_zones_active_gist ON restricted_zones USING gist (active)`,
    );
    // Zones stay on the record: the database itself refuses to remove one.
    await q.query(`
      CREATE FUNCTION restricted_zones_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'restricted zones are never deleted (lift them instead): % refused', TG_OP;
      END $$`);
    await q.query(`
      CREATE TRIGGER restricted_zones_no_delete BEFORE DELETE ON restricted_zones
      FOR EACH ROW EXECUTE FUNCTION restricted_zones_never_deleted()`);

    await q.query(`
      CREATE TABLE movement_conflicts (
        movement_id uuid NOT NULL,
        version integer NOT NULL,
        zone_id uuid NOT NULL REFERENCES restricted_zones (id),
        zone_version integer NOT NULL,
        level text NOT NULL CHECK (level IN ('no_go', 'caution')),
        overlap tstzrange NOT NULL,
        route_part geography NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- Also serves "the conflicts of a movement version".
        CONSTRAINT movement_conflicts_pkey PRIMARY KEY (movement_id, version, zone_id),
        CONSTRAINT movement_conflicts_version_fkey FOREIGN KEY (movement_id, version)
          REFERENCES movement_versions (movement_id, version)
      )`);
    await q.query(
      `CREATE INDEX movement_conflicts_zone ON movement_conflicts (zone_id, movement_id, version)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS movement_conflicts`);
    await q.query(`DROP TABLE IF EXISTS restricted_zones`);
    await q.query(`DROP FUNCTION IF EXISTS restricted_zones_never_deleted`);
  }
}
