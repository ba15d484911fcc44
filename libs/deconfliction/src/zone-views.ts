import type { Seat } from '@hns/config';
import type { ZoneLevel } from './zone.schema';

/** A GeoJSON geometry as PostGIS writes it (ST_AsGeoJSON). */
export interface GeoJsonGeometry {
  type: string;
  coordinates: unknown;
}

export type ZoneState = 'upcoming' | 'active' | 'over' | 'lifted';

/** The columns every zone query selects (ZONE_COLUMNS). */
export interface ZoneRow {
  id: string;
  name: string;
  public_label: string;
  confidential_details: string | null;
  level: ZoneLevel;
  geometry: GeoJsonGeometry;
  active_from: Date | null;
  active_to: Date | null;
  share_geometry: boolean;
  declared_by: string;
  declared_by_seat: Seat;
  lifted_at: Date | null;
  lifted_by: string | null;
  state: ZoneState;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** A restricted zone as the cell sees it: everything, confidential details included. */
export interface ZoneView {
  id: string;
  name: string;
  publicLabel: string;
  confidentialDetails: string | null;
  level: ZoneLevel;
  geometry: GeoJsonGeometry;
  /** Null once lifted before it started. */
  activeFrom: string | null;
  activeTo: string | null;
  state: ZoneState;
  shareGeometry: boolean;
  declaredBy: string;
  declaredBySeat: Seat;
  liftedAt: string | null;
  liftedBy: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const ZONE_COLUMNS = `
  z.id, z.name, z.public_label, z.confidential_details, z.level,
  ST_AsGeoJSON(z.geom, 6)::json AS geometry,
  lower(z.active) AS active_from, upper(z.active) AS active_to, z.share_geometry,
  z.declared_by, z.declared_by_seat, z.lifted_at, z.lifted_by, z.version, z.created_at, z.updated_at,
  CASE WHEN z.lifted_at IS NOT NULL THEN 'lifted'
       WHEN upper(z.active) <= now() THEN 'over'
       WHEN lower(z.active) > now() THEN 'upcoming'
       ELSE 'active' END AS state`;

export function toZoneView(row: ZoneRow): ZoneView {
  return {
    id: row.id,
    name: row.name,
    publicLabel: row.public_label,
    confidentialDetails: row.confidential_details,
    level: row.level,
    geometry: row.geometry,
    activeFrom: iso(row.active_from),
    activeTo: iso(row.active_to),
    state: row.state,
    shareGeometry: row.share_geometry,
    declaredBy: row.declared_by,
    declaredBySeat: row.declared_by_seat,
    liftedAt: iso(row.lifted_at),
    liftedBy: row.lifted_by,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}
