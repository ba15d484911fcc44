import { MigrationInterface, QueryRunner } from 'typeorm';
import { maliPlaces, maliRegions } from './seed-data';

/**
 * The gazetteer: Mali's admin1 units (pre-2016 layout, 9 units) and populated places, seeded
 * from libs/gazetteer/data (embedded in src/data/*.generated.ts so this runs from dist too).
 * Sources, licences and the UN boundaries disclaimer: libs/gazetteer/data/README.md.
 * It seeds the data of its day: corrections come as a later migration.
 */
export class Gazetteer1764600000000 implements MigrationInterface {
  name = 'Gazetteer1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS postgis`);

    // Geography, as the movement routes: point-in-polygon and distances in metres on the
    // ellipsoid. The CHECK keeps a later replacement (OCHA CODs) from loading broken polygons.
    await q.query(`
      CREATE TABLE admin1_regions (
        code text PRIMARY KEY,
        name text NOT NULL,
        name_fr text NOT NULL,
        pcode text UNIQUE,
        geom geography(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom::geometry))
      )`);
    await q.query(`CREATE INDEX admin1_regions_geom_gist ON admin1_regions USING gist (geom)`);

    // The point is generated from lat/lon so the two can never disagree.
    await q.query(`
      CREATE TABLE places (
        id serial PRIMARY KEY,
        name text NOT NULL,
        name_fr text NOT NULL,
        search_names text[] NOT NULL CHECK (cardinality(search_names) > 0),
        lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
        point geography(Point, 4326) NOT NULL
          GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED,
        admin1_code text REFERENCES admin1_regions (code),
        population integer CHECK (population >= 0),
        rank integer,
        source text NOT NULL,
        approximate boolean NOT NULL DEFAULT false,
        geonames_id text,
        wikidata_id text
      )`);
    await q.query(`CREATE INDEX places_point_gist ON places USING gist (point)`);
    await q.query(`CREATE INDEX places_admin1 ON places (admin1_code)`);

    // Prefix search needs one indexed row per name variant: a GIN index on search_names answers
    // "has this exact element" but not "has an element starting with", and pg_trgm/unaccent
    // may be missing on a managed server. text_pattern_ops makes LIKE 'prefix%' use the btree
    // whatever the database collation. The names are normalised in TypeScript (normaliseName),
    // the same function that normalises the query, so seed and search cannot disagree.
    await q.query(`
      CREATE TABLE place_names (
        place_id integer NOT NULL REFERENCES places (id) ON DELETE CASCADE,
        name_normalised text NOT NULL CHECK (name_normalised <> ''),
        PRIMARY KEY (place_id, name_normalised)
      )`);
    await q.query(
      `CREATE INDEX place_names_prefix ON place_names (name_normalised text_pattern_ops)`,
    );
    // places.search_names is the one record of a place's variants; the index table follows it.
    await q.query(`
      CREATE FUNCTION place_names_follow() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM place_names WHERE place_id = NEW.id;
        INSERT INTO place_names (place_id, name_normalised)
          SELECT DISTINCT NEW.id, variant FROM unnest(NEW.search_names) AS variant;
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER place_names_follow AFTER INSERT OR UPDATE OF search_names ON places
        FOR EACH ROW EXECUTE FUNCTION place_names_follow()`);

    await q.query(
      `INSERT INTO admin1_regions (code, name, name_fr, pcode, geom)
       SELECT code, name, "nameFr", pcode,
              ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(geometry), 4326))::geography
       FROM jsonb_to_recordset($1::jsonb)
         AS r(code text, name text, "nameFr" text, pcode text, geometry text)`,
      [JSON.stringify(maliRegions())],
    );

    const places = maliPlaces();
    // The region comes from the polygons, not the file; the file's code is kept only for a
    // point no polygon covers (the polygons are generalised: a border town may fall outside).
    await q.query(
      `INSERT INTO places (name, name_fr, search_names, lat, lon, admin1_code, population, rank,
                           source, approximate, geonames_id, wikidata_id)
       SELECT p.name, p."nameFr", p."searchNames", p.lat, p.lon,
              COALESCE(
                (SELECT r.code FROM admin1_regions r
                 WHERE ST_Covers(r.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography)
                 ORDER BY r.code LIMIT 1),
                p."admin1Code"),
              p.population, p.rank, p.source, p.approximate, p."geonamesId", p."wikidataId"
       FROM jsonb_to_recordset($1::jsonb)
         AS p(name text, "nameFr" text, "searchNames" text[], lat double precision,
              lon double precision, "admin1Code" text, population integer, rank integer,
              source text, approximate boolean, "geonamesId" text, "wikidataId" text, seq integer)
       ORDER BY p.seq`,
      // In file order, so a place has the same id in every database seeded by this migration.
      [JSON.stringify(places.map((place, seq) => ({ ...place, seq })))],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS place_names`);
    await q.query(`DROP TABLE IF EXISTS places`);
    await q.query(`DROP FUNCTION IF EXISTS place_names_follow()`);
    await q.query(`DROP TABLE IF EXISTS admin1_regions`);
  }
}
