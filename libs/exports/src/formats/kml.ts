import type { ZoneView } from '@hns/deconfliction';
import type { MovementStatus } from '@hns/movements';
import type { ExportedMovement } from '../movement-export.source';
import { Position, Ring, polygonsOf, rewindPolygons, routePositions } from './geometry';
import { element, xmlText } from './xml';

/**
 * KML 2.2 (OGC 07-147r2) for GIS tools and Google Earth. Elements are written in the order the
 * OGC schema's sequences require (Feature: name, description, TimeSpan, styleUrl, Style,
 * ExtendedData; then the geometry), and ids are NCNames (xs:ID).
 */
export const KML_NAMESPACE = 'http://www.opengis.net/kml/2.2';

/** KML colours are aabbggrr. */
const ROUTE_STYLES = {
  'route-acknowledged': 'ff00aa00',
  'route-pending': 'ff00aaff',
  'route-attention': 'ff0000dd',
  'route-closed': 'ff888888',
} as const;
type RouteStyle = keyof typeof ROUTE_STYLES;

const ROUTE_STYLE_OF: Record<MovementStatus, RouteStyle> = {
  submitted: 'route-pending',
  in_review: 'route-pending',
  flagged: 'route-attention',
  escalated: 'route-attention',
  acknowledged: 'route-acknowledged',
  in_progress: 'route-acknowledged',
  completed: 'route-closed',
  cancelled: 'route-closed',
  expired: 'route-closed',
};

const ZONE_STYLES = {
  'zone-no_go': { line: 'ff0000ff', fill: '660000ff' },
  'zone-caution': { line: 'ff00a5ff', fill: '6600a5ff' },
} as const;

export function kmlHead(title: string, description: string, kind: 'routes' | 'zones'): string {
  const styles =
    kind === 'routes'
      ? Object.entries(ROUTE_STYLES).map(
          ([id, color]) =>
            `<Style id="${id}"><LineStyle><color>${color}</color><width>3</width></LineStyle></Style>`,
        )
      : Object.entries(ZONE_STYLES).map(
          ([id, c]) =>
            `<Style id="${id}"><LineStyle><color>${c.line}</color><width>2</width></LineStyle>` +
            `<PolyStyle><color>${c.fill}</color></PolyStyle></Style>`,
        );
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="${KML_NAMESPACE}"><Document>` +
    `${element('name', title)}${element('description', description)}${styles.join('')}\n`
  );
}

export function kmlFolderOpen(name: string): string {
  return `<Folder>${element('name', name)}\n`;
}

export const KML_FOLDER_CLOSE = '</Folder>\n';
export const KML_TAIL = '</Document></kml>\n';

export function movementPlacemark(m: ExportedMovement): string {
  const n = m.notification;
  const description = [
    `${m.organisation.name} (${m.organisation.acronym})`,
    `${n.type} · ${n.priority} · ${m.status}`,
    [m.departure.place, ...n.waypoints.map((w) => w.place), m.arrival.place].join(' → '),
    `${m.departure.at} → ${m.arrival.at}`,
  ].join('\n');
  return (
    `<Placemark id="${xmlText(m.reference)}">` +
    element('name', `${m.reference} ${m.departure.place} → ${m.arrival.place}`) +
    element('description', description) +
    timeSpan(m.departure.at, m.arrival.at) +
    `<styleUrl>#${ROUTE_STYLE_OF[m.status]}</styleUrl>` +
    extendedData({
      reference: m.reference,
      version: m.version,
      status: m.status,
      type: n.type,
      priority: n.priority,
      organisation: m.organisation.name,
      departureAt: m.departure.at,
      arrivalAt: m.arrival.at,
      departureAdm1: m.regions.departure,
      arrivalAdm1: m.regions.arrival,
    }) +
    `<LineString><tessellate>1</tessellate>${coordinates(routePositions(n))}</LineString>` +
    '</Placemark>\n'
  );
}

export function zonePlacemark(zone: ZoneView): string {
  const polygons = rewindPolygons(polygonsOf(zone.geometry)).map(
    ([outer, ...holes]) =>
      `<Polygon><tessellate>1</tessellate>${boundary('outerBoundaryIs', outer)}` +
      `${holes.map((hole) => boundary('innerBoundaryIs', hole)).join('')}</Polygon>`,
  );
  const geometry =
    polygons.length === 1 ? polygons[0] : `<MultiGeometry>${polygons.join('')}</MultiGeometry>`;
  return (
    `<Placemark id="zone-${xmlText(zone.id)}">` +
    element('name', `${zone.name} (${zone.level})`) +
    element('description', zone.confidentialDetails ?? zone.publicLabel) +
    (zone.activeFrom && zone.activeTo ? timeSpan(zone.activeFrom, zone.activeTo) : '') +
    `<styleUrl>#zone-${zone.level}</styleUrl>` +
    extendedData({
      publicLabel: zone.publicLabel,
      confidentialDetails: zone.confidentialDetails,
      level: zone.level,
      state: zone.state,
      activeFrom: zone.activeFrom,
      activeTo: zone.activeTo,
      shareGeometry: String(zone.shareGeometry),
      declaredBySeat: zone.declaredBySeat,
      version: zone.version,
    }) +
    geometry +
    '</Placemark>\n'
  );
}

function timeSpan(begin: string, end: string): string {
  return `<TimeSpan>${element('begin', begin)}${element('end', end)}</TimeSpan>`;
}

function extendedData(values: Record<string, string | number | null>): string {
  const data = Object.entries(values)
    .filter(([, value]) => value !== null && value !== '')
    .map(([name, value]) => `<Data name="${xmlText(name)}">${element('value', value)}</Data>`);
  return `<ExtendedData>${data.join('')}</ExtendedData>`;
}

function boundary(name: 'outerBoundaryIs' | 'innerBoundaryIs', ring: Ring): string {
  return `<${name}><LinearRing>${coordinates(ring)}</LinearRing></${name}>`;
}

/** KML tuples are "lon,lat" separated by spaces. */
function coordinates(positions: Position[]): string {
  return `<coordinates>${positions.map(([lon, lat]) => `${lon},${lat}`).join(' ')}</coordinates>`;
}
