import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MALI_ADMIN1_GEOJSON } from './data/mali-admin1.generated';
import { MALI_PLACES_CSV, MALI_PLACES_SUPPLEMENT_CSV } from './data/mali-places.generated';
import {
  SeedDataError,
  maliPlaces,
  maliRegions,
  placesFromCsv,
  regionsFromGeoJson,
} from './seed-data';

const dataFile = (name: string) => readFileSync(join(__dirname, '..', 'data', name), 'utf8');

describe('embedded gazetteer data', () => {
  const regenerate = 'run `node libs/gazetteer/scripts/embed-data.mjs`';

  it(`matches libs/gazetteer/data (else ${regenerate})`, () => {
    const lf = (text: string) => text.replace(/\r\n?/g, '\n');
    expect(MALI_PLACES_CSV).toBe(lf(dataFile('mali_places.csv')));
    expect(MALI_PLACES_SUPPLEMENT_CSV).toBe(lf(dataFile('mali_places_supplement.csv')));
    expect(JSON.parse(MALI_ADMIN1_GEOJSON)).toEqual(JSON.parse(dataFile('mali_admin1.geojson')));
  });
});

describe('places from the seed files', () => {
  const naturalEarth = placesFromCsv(MALI_PLACES_CSV, 'natural_earth');
  const supplement = placesFromCsv(MALI_PLACES_SUPPLEMENT_CSV, 'supplement');

  it('reads every place, without the HXL row, Natural Earth first', () => {
    expect(naturalEarth).toHaveLength(30);
    expect(supplement).toHaveLength(12);
    expect(maliPlaces()).toEqual([...naturalEarth, ...supplement]);
    expect(maliPlaces().map((p) => p.name)).not.toContain('#loc+name');
  });

  it('finds Timbuktu by its French and English names, with its rank and population', () => {
    expect(naturalEarth.find((p) => p.name === 'Timbuktu')).toEqual({
      name: 'Timbuktu',
      nameFr: 'Tombouctou',
      lat: 16.76659,
      lon: -3.0166,
      admin1Code: 'ML-6',
      population: 68872,
      rank: 3,
      source: 'natural_earth',
      approximate: false,
      searchNames: ['tombouctou', 'timbuktu'],
      geonamesId: '2449067',
      wikidataId: 'Q9427',
    });
  });

  it('marks the supplement approximate, without rank or population', () => {
    const sevare = supplement.find((p) => p.nameFr === 'Sévaré');
    expect(sevare).toMatchObject({
      name: 'Sevare',
      approximate: true,
      rank: null,
      population: null,
      searchNames: ['sevare'],
      geonamesId: null,
    });
  });

  it('keeps empty identifiers as null', () => {
    const satadougou = naturalEarth.find((p) => p.name === 'Satadougou');
    expect(satadougou).toMatchObject({ geonamesId: null, wikidataId: null });
  });

  it('refuses a coordinate that is not a number, naming the record', () => {
    const text = 'name,name_fr,lat,lon,adm1_code\nGao,Gao,16.2,east,ML-7\n';
    expect(() => placesFromCsv(text, 'supplement')).toThrow(
      new SeedDataError('supplement record 1 (Gao): lon: "east" is not a number from -180 to 180'),
    );
  });
});

describe('regions from the admin1 GeoJSON', () => {
  const regions = maliRegions();

  it('reads the nine units of the pre-2016 layout with their codes and P-codes', () => {
    expect(regions.map((r) => r.code).sort()).toEqual([
      'ML-1',
      'ML-2',
      'ML-3',
      'ML-4',
      'ML-5',
      'ML-6',
      'ML-7',
      'ML-8',
      'ML-BKO',
    ]);
    expect(regions.find((r) => r.code === 'ML-6')).toMatchObject({
      name: 'Timbuktu',
      nameFr: 'Tombouctou',
      pcode: 'ML06',
    });
    expect(JSON.parse(regions[0].geometry).type).toBe('Polygon');
  });

  it('refuses a feature that is not a polygon', () => {
    const point = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          properties: { iso_3166_2: 'ML-X', name: 'X' },
          geometry: { type: 'Point', coordinates: [0, 0] },
        },
      ],
    });
    expect(() => regionsFromGeoJson(point)).toThrow(/ML-X.*Polygon or MultiPolygon/);
  });
});
