import type { Seat } from '@hns/config';
import { deconflictionText } from './messages';
import type { ZoneLevel } from './zone.schema';
import { GeoJsonGeometry, iso } from './zone-views';

/** A conflict of a movement version with its zone, everything the cell may see. */
export interface ConflictRow {
  zone_id: string;
  zone_name: string;
  public_label: string;
  confidential_details: string | null;
  zone_level: ZoneLevel;
  zone_geometry: GeoJsonGeometry | null;
  zone_active_from: Date | null;
  zone_active_to: Date | null;
  zone_current_version: number;
  share_geometry: boolean;
  declared_by_seat: Seat;
  lifted_at: Date | null;
  zone_version: number;
  level: ZoneLevel;
  overlap_from: Date;
  overlap_to: Date;
  route_part: GeoJsonGeometry;
  created_at: Date;
}

/**
 * What an organisation may know of a conflict (DESIGN §1.5): the zone's public label, level and
 * shared outline, when, and the stretch of its own route. The NGO query selects no more.
 */
export type NgoConflictRow = Pick<
  ConflictRow,
  'public_label' | 'level' | 'overlap_from' | 'overlap_to' | 'route_part' | 'share_geometry'
> & { zone_geometry: GeoJsonGeometry | null };

export interface Period {
  from: string;
  to: string;
}

export interface CellConflictView {
  zone: {
    id: string;
    name: string;
    publicLabel: string;
    confidentialDetails: string | null;
    level: ZoneLevel;
    geometry: GeoJsonGeometry | null;
    activeFrom: string | null;
    activeTo: string | null;
    version: number;
    shareGeometry: boolean;
    declaredBySeat: Seat;
    liftedAt: string | null;
  };
  level: ZoneLevel;
  /** The zone version the conflict was found with. */
  zoneVersion: number;
  overlap: Period;
  routePart: GeoJsonGeometry;
  detectedAt: string;
}

export interface NgoConflictView {
  publicLabel: string;
  level: ZoneLevel;
  /** When the movement and the zone overlap. */
  overlap: Period;
  /** The stretch of the organisation's own route within reach of the zone. */
  routePart: GeoJsonGeometry;
  /** The zone's outline, only when the declaring seat chose to share it. */
  zoneGeometry: GeoJsonGeometry | null;
  /** What to change, in both languages. */
  advice: { fr: string; en: string };
}

export function toCellConflictView(row: ConflictRow): CellConflictView {
  return {
    zone: {
      id: row.zone_id,
      name: row.zone_name,
      publicLabel: row.public_label,
      confidentialDetails: row.confidential_details,
      level: row.zone_level,
      geometry: row.zone_geometry,
      activeFrom: iso(row.zone_active_from),
      activeTo: iso(row.zone_active_to),
      version: row.zone_current_version,
      shareGeometry: row.share_geometry,
      declaredBySeat: row.declared_by_seat,
      liftedAt: iso(row.lifted_at),
    },
    level: row.level,
    zoneVersion: row.zone_version,
    overlap: { from: row.overlap_from.toISOString(), to: row.overlap_to.toISOString() },
    routePart: row.route_part,
    detectedAt: row.created_at.toISOString(),
  };
}

/**
 * The organisation's view, built field by field from what it may know: never the zone's name
 * (it can itself be sensitive) nor its confidential details, and its outline only if shared.
 */
export function toNgoConflictView(row: NgoConflictRow): NgoConflictView {
  const advice = `conflict.advice.${row.level}` as const;
  return {
    publicLabel: row.public_label,
    level: row.level,
    overlap: { from: row.overlap_from.toISOString(), to: row.overlap_to.toISOString() },
    routePart: row.route_part,
    zoneGeometry: row.share_geometry === true ? row.zone_geometry : null,
    advice: { fr: deconflictionText('fr', advice), en: deconflictionText('en', advice) },
  };
}
