import type { FastifyRequest } from 'fastify';
import { ValidationFailedException } from '@hns/http';
import { formatDateTime, fromLocalInput, offsetLabel, toLocalInput } from './format';
import {
  formFieldOf,
  notificationFromForm,
  rowCount,
  valuesFromNotification,
} from './movement-form';
import { acceptedEncoding } from './send';
import { safeNext } from './web-controller';

const noPlaces = async () => undefined;

describe('times on the pages (Africa/Bamako, UTC+0)', () => {
  it('reads a datetime-local value in the operation zone and writes it back the same', () => {
    expect(fromLocalInput('2026-12-01T08:00')).toBe('2026-12-01T08:00:00.000Z');
    expect(toLocalInput('2026-12-01T08:00:00.000Z')).toBe('2026-12-01T08:00');
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('tomorrow')).toBe('tomorrow'); // left for the schema to name
  });

  it('names the zone with every time it shows', () => {
    expect(offsetLabel()).toBe('UTC+0');
    expect(formatDateTime('2026-12-01T08:00:00Z', 'fr')).toBe('mar. 1 déc. 2026, 08:00 UTC+0');
    expect(formatDateTime('2026-12-01T08:00:00Z', 'en')).toMatch(
      /^Tue,? 1 Dec 2026,? 08:00 UTC\+0$/,
    );
  });
});

describe('the notice form', () => {
  const form = {
    type: 'convoy',
    purpose: 'Vivres',
    'focalPoint.name': 'A',
    'focalPoint.phone': '+223 76 00 00 01',
    'focalPoint.email': 'a@ngo.test',
    'convoyLeader.name': 'B',
    'convoyLeader.phone': '+223 76 00 00 02',
    'departure.place': 'Mopti',
    'departure.lat': '14,4843',
    'departure.lon': '-4.1827',
    'departure.at': '2026-12-01T08:00',
    'arrival.place': 'Gao',
    'arrival.lat': '16.2666',
    'arrival.lon': '-0.04',
    'arrival.at': '2026-12-02T08:00',
    'waypoints.0.place': '',
    'waypoints.1.place': 'Douentza',
    'waypoints.1.lat': '15.0019',
    'waypoints.1.lon': '-2.9497',
    'vehicles.0.type': 'Truck',
    'vehicles.0.plate': 'AB-1',
    'cargo.0.category': 'food',
    'personnel.national': '3',
    dataAccuracyConfirmed: 'true',
    verifiedBy: 'A',
  };

  it('becomes the API’s notice: numbers with a decimal comma, empty rows left out', async () => {
    const notice = await notificationFromForm(form, noPlaces);
    expect(notice.departure).toEqual({
      place: 'Mopti',
      lat: 14.4843,
      lon: -4.1827,
      at: '2026-12-01T08:00:00.000Z',
    });
    expect(notice.waypoints).toEqual([
      { place: 'Douentza', lat: 15.0019, lon: -2.9497, overnight: false },
    ]);
    expect(notice.cargo).toEqual([]);
    expect(notice.personnel).toEqual({ national: 3, international: 0 });
  });

  it('names the form row of a problem when empty rows were left out', async () => {
    const error = await notificationFromForm(
      { ...form, 'waypoints.1.lat': 'north' },
      noPlaces,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailedException);
    const [problem] = (error as ValidationFailedException).problems;
    expect(formFieldOf(form)(problem.field)).toBe('waypoints.1.lat');
  });

  it('finds a place typed without coordinates in the gazetteer', async () => {
    const resolve = async (name: string) =>
      name === 'Gao' ? { lat: 16.27, lon: -0.04 } : undefined;
    const notice = await notificationFromForm(
      { ...form, 'arrival.lat': '', 'arrival.lon': '' },
      resolve,
    );
    expect(notice.arrival).toMatchObject({ lat: 16.27, lon: -0.04 });
  });

  it('is filled back from a stored notice to amend it', async () => {
    const notice = await notificationFromForm(form, noPlaces);
    const values = valuesFromNotification(notice);
    expect(values['departure.at']).toBe('2026-12-01T08:00');
    expect(values['waypoints.0.place']).toBe('Douentza');
    expect(rowCount(values, 'waypoints')).toBe(1);
    expect(await notificationFromForm(values, noPlaces)).toEqual(notice);
  });
});

describe('small rules of the pages', () => {
  it('comes back only to a path of this site after signing in', () => {
    expect(safeNext('/web/movements?status=flagged')).toBe('/web/movements?status=flagged');
    for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example', undefined]) {
      expect(safeNext(next)).toBe('/web');
    }
  });

  it('compresses with what the browser accepts', () => {
    const request = (value: string) =>
      ({ headers: { 'accept-encoding': value } }) as FastifyRequest;
    expect(acceptedEncoding(request('gzip, deflate, br'))).toBe('br');
    expect(acceptedEncoding(request('gzip, deflate'))).toBe('gzip');
    expect(acceptedEncoding(request('br;q=0, gzip'))).toBe('gzip');
    expect(acceptedEncoding(request(''))).toBeUndefined();
  });
});
