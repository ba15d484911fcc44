import { readCsvRecords } from './csv';
import { MALI_ADMIN1_GEOJSON } from './data/mali-admin1.generated';
import { MALI_PLACES_CSV, MALI_PLACES_SUPPLEMENT_CSV } from './data/mali-places.generated';
import { searchNames } from './normalise';

/** One place as the migration inserts it. */
export interface PlaceSeed {
  name: string;
  nameFr: string;
  lat: number;
  lon: number;
  /** The file's admin1 code: used only where no region polygon covers the point. */
  admin1Code: string | null;
  population: number | null;
  /** Natural Earth scalerank: lower is more important. */
  rank: number | null;
  source: PlaceSource;
  approximate: boolean;
  searchNames: string[];
  geonamesId: string | null;
  wikidataId: string | null;
}

export type PlaceSource = 'natural_earth' | 'supplement';

/** One admin1 unit as the migration inserts it; `geometry` is GeoJSON text. */
export interface RegionSeed {
  code: string;
  name: string;
  nameFr: string;
  pcode: string | null;
  geometry: string;
}

export class SeedDataError extends Error {}

/** The places the gazetteer migration seeds, in file order: Natural Earth, then the supplement. */
export function maliPlaces(): PlaceSeed[] {
  return [
    ...placesFromCsv(MALI_PLACES_CSV, 'natural_earth'),
    ...placesFromCsv(MALI_PLACES_SUPPLEMENT_CSV, 'supplement'),
  ];
}

/** The admin1 units the gazetteer migration seeds. */
export function maliRegions(): RegionSeed[] {
  return regionsFromGeoJson(MALI_ADMIN1_GEOJSON);
}

/**
 * The places of a gazetteer CSV (mali_places.csv or its supplement). Natural Earth rows carry a
 * population and a rank; supplement rows have approximate coordinates and neither.
 */
export function placesFromCsv(text: string, source: PlaceSource): PlaceSeed[] {
  return readCsvRecords(text).map((record, index) => {
    const where = `${source} record ${index + 1} (${record.name || '?'})`;
    const name = required(record, 'name', where);
    const nameFr = record.name_fr?.trim() || name;
    return {
      name,
      nameFr,
      lat: coordinate(record.lat, -90, 90, `${where}: lat`),
      lon: coordinate(record.lon, -180, 180, `${where}: lon`),
      admin1Code: record.adm1_code?.trim() || null,
      population: optionalInteger(record.population, `${where}: population`),
      rank: optionalInteger(record.ne_scalerank, `${where}: ne_scalerank`),
      source,
      approximate: source === 'supplement',
      searchNames: searchNames(nameFr, name),
      geonamesId: record.geonames_id?.trim() || null,
      wikidataId: record.wikidata_id?.trim() || null,
    };
  });
}

interface AdminFeature {
  properties?: Record<string, unknown> | null;
  geometry?: { type?: string } | null;
}

/** The admin1 units of mali_admin1.geojson: ISO 3166-2 code, names, 2012 OCHA P-code, polygon. */
export function regionsFromGeoJson(text: string): RegionSeed[] {
  const collection = JSON.parse(text) as { type?: string; features?: AdminFeature[] };
  if (collection.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
    throw new SeedDataError('admin1 GeoJSON: expected a FeatureCollection');
  }
  return collection.features.map((feature, index) => {
    const properties = feature.properties ?? {};
    const where = `admin1 feature ${index + 1}`;
    const code = stringProperty(properties.iso_3166_2);
    const name = stringProperty(properties.name);
    if (!code || !name) throw new SeedDataError(`${where}: needs iso_3166_2 and name`);
    const type = feature.geometry?.type;
    if (type !== 'Polygon' && type !== 'MultiPolygon') {
      throw new SeedDataError(`${where} (${code}): geometry must be a Polygon or MultiPolygon`);
    }
    return {
      code,
      name,
      nameFr: stringProperty(properties.name_fr) || name,
      pcode: stringProperty(properties.ocha_pcode_2012) || null,
      geometry: JSON.stringify(feature.geometry),
    };
  });
}

function stringProperty(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function required(record: Record<string, string>, column: string, where: string): string {
  const value = record[column]?.trim();
  if (!value) throw new SeedDataError(`${where}: ${column} is empty`);
  return value;
}

function coordinate(value: string | undefined, min: number, max: number, where: string): number {
  const number = Number(value?.trim() || Number.NaN);
  if (!Number.isFinite(number) || number < min || number > max) {
    throw new SeedDataError(`${where}: "${value ?? ''}" is not a number from ${min} to ${max}`);
  }
  return number;
}

function optionalInteger(value: string | undefined, where: string): number | null {
  const trimmed = value?.trim();
  if (!trimmed) return null;
  if (!/^\d+$/.test(trimmed)) throw new SeedDataError(`${where}: "${trimmed}" is not an integer`);
  return Number(trimmed);
}
