import type { ZoneView } from '@hns/deconfliction';
import type { ExportedMovement } from '../movement-export.source';
import { polygonsOf, rewindPolygons, routePositions } from './geometry';

/**
 * GeoJSON (RFC 7946): WGS 84 longitude/latitude, so no `crs` member; one Feature per movement
 * route (LineString) or restricted zone (MultiPolygon, right-hand rule).
 */
export const GEOJSON_HEAD = '{"type":"FeatureCollection","features":[';
export const GEOJSON_TAIL = ']}\n';

export function movementFeature(m: ExportedMovement) {
  return {
    type: 'Feature' as const,
    id: m.reference,
    geometry: { type: 'LineString' as const, coordinates: routePositions(m.notification) },
    properties: {
      reference: m.reference,
      version: m.version,
      status: m.status,
      type: m.notification.type,
      priority: m.notification.priority,
      mode: m.notification.mode,
      organisation: m.organisation.name,
      organisationAcronym: m.organisation.acronym,
      departurePlace: m.departure.place,
      departureAt: m.departure.at,
      arrivalPlace: m.arrival.place,
      arrivalAt: m.arrival.at,
      waypoints: m.notification.waypoints.map((w) => w.place),
      departureAdm1: m.regions.departure,
      arrivalAdm1: m.regions.arrival,
      vehicles: m.notification.vehicles.length,
      personnel: m.notification.personnel.national + m.notification.personnel.international,
      updatedAt: m.updatedAt,
    },
  };
}

/** A zone for the cell, confidential details included (the zones export is cell-only). */
export function zoneFeature(zone: ZoneView) {
  return {
    type: 'Feature' as const,
    id: zone.id,
    geometry: {
      type: 'MultiPolygon' as const,
      coordinates: rewindPolygons(polygonsOf(zone.geometry)),
    },
    properties: {
      name: zone.name,
      publicLabel: zone.publicLabel,
      confidentialDetails: zone.confidentialDetails,
      level: zone.level,
      state: zone.state,
      activeFrom: zone.activeFrom,
      activeTo: zone.activeTo,
      /** Whether organisations may see this outline with a conflict (otherwise cell only). */
      shareGeometry: zone.shareGeometry,
      declaredBySeat: zone.declaredBySeat,
      liftedAt: zone.liftedAt,
      version: zone.version,
      updatedAt: zone.updatedAt,
    },
  };
}

export function featureCollection(features: readonly object[]): string {
  return `${GEOJSON_HEAD}${features.map((f) => JSON.stringify(f)).join(',')}${GEOJSON_TAIL}`;
}
