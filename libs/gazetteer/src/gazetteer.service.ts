import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { searchPrefixes } from './normalise';

/** An admin1 unit (region, or the Bamako district) as other records refer to it. */
export interface Admin1Region {
  /** ISO 3166-2, e.g. "ML-5". */
  code: string;
  name: string;
  nameFr: string;
}

export interface Admin1RegionListing extends Admin1Region {
  /** OCHA P-code of the 2012 layout, e.g. "ML05". */
  pcode: string | null;
}

export interface PlaceMatch {
  id: number;
  name: string;
  nameFr: string;
  lat: number;
  lon: number;
  admin1: Admin1Region | null;
  /** The coordinates are approximate (about ±2 km): check before relying on them. */
  approximate: boolean;
}

export interface LatLon {
  lat: number;
  lon: number;
}

interface RegionRow {
  code: string | null;
  name: string | null;
  name_fr: string | null;
}

const toRegion = (row: RegionRow): Admin1Region | null =>
  row.code === null ? null : { code: row.code, name: row.name ?? '', nameFr: row.name_fr ?? '' };

/**
 * The gazetteer: places found by the start of their French or English name, and the admin1
 * region a point lies in (PostGIS point-in-polygon on the seeded Natural Earth regions).
 */
@Injectable()
export class GazetteerService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Places whose name (French or English, accents and case ignored) starts with `q`: exact
   * names first ("san" finds San before Sanankoroba), then by importance and population.
   */
  async search(q: string, limit: number): Promise<PlaceMatch[]> {
    const prefixes = searchPrefixes(q);
    // Nothing searchable left ("--", "'"): an autocomplete shows nothing rather than everything.
    if (prefixes.length === 0) return [];
    // Normalised prefixes hold only letters, digits and spaces: no LIKE wildcard to escape.
    const params: unknown[] = [prefixes];
    const conditions = prefixes.map((prefix) => {
      params.push(`${prefix}%`);
      return `n.name_normalised LIKE $${params.length}`;
    });
    params.push(limit);
    const rows: {
      id: number;
      name: string;
      name_fr: string;
      lat: number;
      lon: number;
      approximate: boolean;
      code: string | null;
      region_name: string | null;
      region_name_fr: string | null;
    }[] = await this.db.query(
      `SELECT p.id, p.name, p.name_fr, p.lat, p.lon, p.approximate,
              r.code, r.name AS region_name, r.name_fr AS region_name_fr
       FROM (SELECT n.place_id, bool_or(n.name_normalised = ANY($1::text[])) AS exact
             FROM place_names n
             WHERE ${conditions.join(' OR ')}
             GROUP BY n.place_id) m
       JOIN places p ON p.id = m.place_id
       LEFT JOIN admin1_regions r ON r.code = p.admin1_code
       ORDER BY m.exact DESC, p.rank ASC NULLS LAST, p.population DESC NULLS LAST,
                p.name_fr, p.id
       LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      nameFr: row.name_fr,
      lat: row.lat,
      lon: row.lon,
      admin1: toRegion({ code: row.code, name: row.region_name, name_fr: row.region_name_fr }),
      approximate: row.approximate,
    }));
  }

  /** The admin1 unit covering the point, or null outside every unit (outside Mali). */
  async regionOf(lat: number, lon: number): Promise<Admin1Region | null> {
    const [region] = await this.regionsOf([{ lat, lon }]);
    return region;
  }

  /** The admin1 unit of each point, in the same order, in one query. */
  async regionsOf(points: readonly LatLon[]): Promise<(Admin1Region | null)[]> {
    if (points.length === 0) return [];
    points.forEach(({ lat, lon }, index) => {
      if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) {
        throw new RangeError(`point ${index}: (${lat}, ${lon}) is not a WGS84 latitude/longitude`);
      }
    });
    // admin1_of: a point on a shared border is covered by both units and the lower code wins,
    // every time; planar lookups away from the borders (migration Admin1Planar1765450000000).
    const rows: RegionRow[] = await this.db.query(
      `WITH pt AS MATERIALIZED (
         SELECT i, admin1_of(lat, lon) AS code
         FROM unnest($1::double precision[], $2::double precision[]) WITH ORDINALITY
           AS p(lat, lon, i))
       SELECT r.code, r.name, r.name_fr
       FROM pt LEFT JOIN admin1_regions r ON r.code = pt.code
       ORDER BY pt.i`,
      [points.map((p) => p.lat), points.map((p) => p.lon)],
    );
    return rows.map(toRegion);
  }

  /** Every admin1 unit, without geometry. */
  async regions(): Promise<Admin1RegionListing[]> {
    const rows: { code: string; name: string; name_fr: string; pcode: string | null }[] =
      await this.db.query(`SELECT code, name, name_fr, pcode FROM admin1_regions ORDER BY code`);
    return rows.map((row) => ({
      code: row.code,
      name: row.name,
      nameFr: row.name_fr,
      pcode: row.pcode,
    }));
  }
}
