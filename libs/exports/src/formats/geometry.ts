import type { NotificationData } from '@hns/movements';

/** [longitude, latitude], the order of GeoJSON (RFC 7946 §3.1.1) and of KML. */
export type Position = [number, number];
export type Ring = Position[];
/** A zone's outline as polygons, each an exterior ring then its holes. */
export type Polygons = Ring[][];

/** The route of a notice: departure, waypoints, arrival (as the route geometry is built). */
export function routePositions(n: NotificationData): Position[] {
  return [n.departure, ...n.waypoints, n.arrival].map((p) => [p.lon, p.lat]);
}

/** The polygons of a zone's GeoJSON geometry (PostGIS gives MultiPolygon; Polygon accepted). */
export function polygonsOf(geometry: { type: string; coordinates: unknown }): Polygons {
  if (geometry.type === 'Polygon') return [geometry.coordinates as Ring[]];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates as Ring[][];
  throw new Error(`a zone outline is a Polygon or MultiPolygon, not ${geometry.type}`);
}

/**
 * RFC 7946 §3.1.6 right-hand rule: exterior rings counter-clockwise, holes clockwise.
 * PostGIS keeps the winding the zone was drawn with, so it is set here.
 */
export function rewindPolygons(polygons: Polygons): Polygons {
  return polygons.map((rings) =>
    rings.map((ring, index) => {
      const counterClockwise = signedArea(ring) > 0;
      const wanted = index === 0;
      return counterClockwise === wanted ? ring : [...ring].reverse();
    }),
  );
}

/** Twice the signed area (shoelace) in the lon/lat plane: positive when counter-clockwise. */
export function signedArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  }
  return sum;
}
