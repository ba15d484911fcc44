import type { ExportedMovement } from '../movement-export.source';
import { CsvValue, csvLine } from './csv-writer';

interface Column {
  header: string;
  /** HXL hashtag and attributes (https://hxlstandard.org/standard/1-1final/dictionary/). */
  hxl: string;
  value: (m: ExportedMovement) => CsvValue;
}

/**
 * The movements spreadsheet: one row per movement, a header row, then the HXL hashtag row that
 * lets OCHA's tools (HXL Proxy, HDX) read it. No contact details, plates or call signs: an
 * export travels further than the API, and an access snapshot does not need them.
 */
export const MOVEMENT_CSV_COLUMNS: readonly Column[] = [
  { header: 'reference', hxl: '#meta+id', value: (m) => m.reference },
  { header: 'version', hxl: '#meta+version', value: (m) => m.version },
  { header: 'status', hxl: '#status', value: (m) => m.status },
  { header: 'type', hxl: '#activity+type', value: (m) => m.notification.type },
  { header: 'priority', hxl: '#severity+priority', value: (m) => m.notification.priority },
  { header: 'mode', hxl: '#activity+mode', value: (m) => m.notification.mode },
  { header: 'organisation', hxl: '#org+name', value: (m) => m.organisation.name },
  { header: 'organisation_acronym', hxl: '#org+acronym', value: (m) => m.organisation.acronym },
  { header: 'departure_at', hxl: '#date+start', value: (m) => m.departure.at },
  { header: 'arrival_at', hxl: '#date+end', value: (m) => m.arrival.at },
  { header: 'departure_place', hxl: '#loc+name+start', value: (m) => m.departure.place },
  { header: 'arrival_place', hxl: '#loc+name+end', value: (m) => m.arrival.place },
  {
    header: 'waypoints',
    hxl: '#loc+name+waypoints',
    value: (m) => m.notification.waypoints.map((w) => w.place).join('; '),
  },
  { header: 'departure_adm1_code', hxl: '#adm1+code+start', value: (m) => m.regions.departure },
  { header: 'departure_adm1', hxl: '#adm1+name+start', value: (m) => m.regionNames.departure },
  { header: 'arrival_adm1_code', hxl: '#adm1+code+end', value: (m) => m.regions.arrival },
  { header: 'arrival_adm1', hxl: '#adm1+name+end', value: (m) => m.regionNames.arrival },
  { header: 'departure_lat', hxl: '#geo+lat+start', value: (m) => m.notification.departure.lat },
  { header: 'departure_lon', hxl: '#geo+lon+start', value: (m) => m.notification.departure.lon },
  { header: 'arrival_lat', hxl: '#geo+lat+end', value: (m) => m.notification.arrival.lat },
  { header: 'arrival_lon', hxl: '#geo+lon+end', value: (m) => m.notification.arrival.lon },
  {
    header: 'vehicles',
    hxl: '#indicator+vehicles+num',
    value: (m) => m.notification.vehicles.length,
  },
  {
    header: 'personnel',
    hxl: '#indicator+personnel+num',
    value: (m) => m.notification.personnel.national + m.notification.personnel.international,
  },
  {
    header: 'personnel_national',
    hxl: '#indicator+personnel+national+num',
    value: (m) => m.notification.personnel.national,
  },
  {
    header: 'personnel_international',
    hxl: '#indicator+personnel+international+num',
    value: (m) => m.notification.personnel.international,
  },
  {
    header: 'cargo_categories',
    hxl: '#item+type',
    value: (m) => [...new Set(m.notification.cargo.map((c) => c.category))].join('; '),
  },
  {
    header: 'cargo_tonnes',
    hxl: '#indicator+cargo+tonnes+num',
    value: (m) => round(m.notification.cargo.reduce((sum, c) => sum + c.tonnes, 0)),
  },
  { header: 'escort', hxl: '#meta+escort', value: (m) => m.notification.escort.status },
  { header: 'updated_at', hxl: '#date+updated', value: (m) => m.updatedAt },
];

export function movementsCsvHead(): string {
  return (
    csvLine(MOVEMENT_CSV_COLUMNS.map((c) => c.header)) +
    csvLine(MOVEMENT_CSV_COLUMNS.map((c) => c.hxl))
  );
}

export function movementCsvRow(m: ExportedMovement): string {
  return csvLine(MOVEMENT_CSV_COLUMNS.map((c) => c.value(m)));
}

function round(tonnes: number): number {
  return Math.round(tonnes * 1000) / 1000;
}
