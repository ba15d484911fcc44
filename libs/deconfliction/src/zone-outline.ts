import { DataSource } from 'typeorm';
import { ValidationFailedException } from '@hns/http';
import { zoneRule } from './problems';
import type { ZoneShape } from './zone.schema';

/** The operation's bounding box (config OPERATION_AREA_BBOX). */
export interface OperationArea {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

interface OutlineCheck {
  valid: boolean;
  reason: string;
  touches_area: boolean | null;
  inside_area: boolean | null;
  outline: string;
}

/**
 * Builds the outline ($1 GeoJSON, or a circle of $4 km around $2/$3) and checks it with PostGIS:
 * valid (no self-intersection), and inside the operation area ($5…$8). The area tests only run
 * on a valid outline: GEOS refuses to compute them on an invalid one.
 */
const OUTLINE_SQL = `
  WITH drawn AS (
    SELECT CASE WHEN $1::text IS NOT NULL
             THEN ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4326))
             ELSE ST_Buffer(ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography,
                            $4::float8 * 1000)::geometry
           END AS g
  ), area AS (
    SELECT ST_MakeEnvelope($5, $6, $7, $8, 4326) AS box
  )
  SELECT ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason,
         CASE WHEN ST_IsValid(g) THEN ST_Intersects(g, box) END AS touches_area,
         CASE WHEN ST_IsValid(g) THEN ST_CoveredBy(g, box) END AS inside_area,
         ST_Multi(g)::geography::text AS outline
  FROM drawn, area`;

/** SQLSTATEs of PostGIS refusing its input (lwgeom errors are raised as XX000). */
const UNREADABLE_INPUT = /^(XX000|22)/;

/**
 * Turns a drawn polygon or a circle into the zone's outline, refusing with a 400 naming the
 * field what PostGIS finds wrong. Returns the outline as PostGIS text (hex EWKB) to store.
 */
export class ZoneOutlineChecker {
  constructor(
    private readonly db: DataSource,
    private readonly area: OperationArea,
  ) {}

  async check(shape: ZoneShape): Promise<string> {
    const { minLon, minLat, maxLon, maxLat } = this.area;
    const params =
      shape.kind === 'geometry'
        ? [JSON.stringify(shape.geometry), null, null, null]
        : [null, shape.center.lon, shape.center.lat, shape.radiusKm];
    let row: OutlineCheck;
    try {
      [row] = await this.db.query(OUTLINE_SQL, [...params, minLon, minLat, maxLon, maxLat]);
    } catch (error) {
      const code = (error as { driverError?: { code?: string } }).driverError?.code ?? '';
      if (shape.kind !== 'geometry' || !UNREADABLE_INPUT.test(code)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ValidationFailedException([
        zoneRule('geometry', 'zone.rule.unreadable_geometry', { reason }),
      ]);
    }
    const drawn = shape.kind === 'geometry';
    if (!row.valid) {
      throw new ValidationFailedException([
        zoneRule('geometry', 'zone.rule.invalid_geometry', { reason: row.reason }),
      ]);
    }
    if (!row.touches_area || !row.inside_area) {
      const field = drawn ? 'geometry' : row.touches_area ? 'radiusKm' : 'center';
      const key = row.touches_area ? 'zone.rule.partly_outside_area' : 'zone.rule.outside_area';
      throw new ValidationFailedException([zoneRule(field, key, { ...this.area })]);
    }
    return row.outline;
  }
}
