import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MovementExportSource } from '@hns/exports';
import { parseCsv } from '@hns/gazetteer';
import { checkRfc7946, kmlStructure, xmllint } from '../libs/exports/test/format-checks';
import {
  Harness,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';

const CONFIDENTIAL = 'FAMa operation Nioro-2, 3 companies: do not share';
/** Far from every other suite's routes, and lifted at the end: zones are shared and never deleted. */
const NIORO = { lat: 15.2306, lon: -9.5903 };

describe('exports: CSV with HXL, GeoJSON and KML, on the API need-to-know rules', () => {
  let h: Harness;
  let acf: Awaited<ReturnType<typeof ngoAccount>>;
  let nrc: Awaited<ReturnType<typeof ngoAccount>>;
  let ocha: Awaited<ReturnType<typeof cellAccount>>;
  let liaison: Awaited<ReturnType<typeof cellAccount>>;
  const acfRefs: string[] = [];
  let nrcRef = '';
  let zoneId = '';

  const get = (url: string, token: string, language = 'en') =>
    h.api.inject({
      method: 'GET',
      url,
      headers: { ...bearer(token), 'accept-language': language },
    });

  beforeAll(async () => {
    h = await startHarness();
    acf = await ngoAccount(h);
    nrc = await ngoAccount(h);
    ocha = await cellAccount(h, 'ocha');
    liaison = await cellAccount(h, 'armed_forces_liaison');
    const submit = async (token: string, notice: object) => {
      const response = await h.api.inject({
        method: 'POST',
        url: '/movements',
        headers: bearer(token),
        payload: notice,
      });
      expect(response.statusCode).toBe(201);
      return response.json().reference as string;
    };
    acfRefs.push(await submit(acf.token, convoyNotice(72)));
    acfRefs.push(
      await submit(
        acf.token,
        convoyNotice(96, {
          purpose: '=HYPERLINK("http://evil.example") "quoted", comma & <tag>',
          departure: { place: 'Gao <"&\'>', lat: 16.2666, lon: -0.04, at: hoursAhead(96) },
          arrival: { place: 'Ménaka', lat: 15.9182, lon: 2.4022, at: hoursAhead(120) },
          waypoints: [],
        }),
      ),
    );
    nrcRef = await submit(nrc.token, convoyNotice(80));
    const zone = await h.api.inject({
      method: 'POST',
      url: '/zones',
      headers: bearer(liaison.token),
      payload: {
        name: 'Nioro operation',
        publicLabel: 'Around Nioro du Sahel',
        confidentialDetails: CONFIDENTIAL,
        level: 'no_go',
        center: NIORO,
        radiusKm: 10,
        activeFrom: hoursAhead(24),
        activeTo: hoursAhead(240),
      },
    });
    expect(zone.statusCode).toBe(201);
    zoneId = zone.json().id;
  });
  afterAll(async () => {
    await h.api.inject({
      method: 'POST',
      url: `/zones/${zoneId}/lift`,
      headers: bearer(liaison.token),
    });
    await h.close();
  });

  it('an NGO exports only its own movements as CSV, with a valid HXL hashtag row second', async () => {
    const response = await get('/exports/movements.csv', acf.token, 'fr');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="hns-\d{4}-\d{2}-\d{2}-movements\.csv"$/,
    );
    expect(response.headers['x-export-truncated']).toBe('false');
    const [header, hxl, ...rows] = parseCsv(response.body);
    expect(header).toContain('reference');
    // HXL 1.1: #tag, then +attributes; lower-case letters, digits and underscores.
    for (const tag of hxl) expect(tag).toMatch(/^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$/);
    expect(hxl).toEqual(
      expect.arrayContaining(['#meta+id', '#org+name', '#status', '#date+start', '#date+end']),
    );
    expect(hxl).toEqual(expect.arrayContaining(['#loc+name+start', '#geo+lat+start']));
    expect(hxl).toEqual(expect.arrayContaining(['#adm1+code+start', '#item+type']));
    expect(rows.every((row) => row.length === header.length)).toBe(true);
    const column = (name: string) => rows.map((row) => row[header.indexOf(name)]);
    expect(column('reference').sort()).toEqual([...acfRefs].sort());
    expect(response.body).not.toContain(nrcRef);
    // Mopti is in the Mopti region (ML-5); names in the caller's language.
    expect(column('departure_adm1_code')).toContain('ML-5');
    expect(column('departure_place')).toContain('Gao <"&\'>');
    expect(column('departure_lon')).toContain('-4.1827');
    expect(response.body).not.toMatch(/aminata@acf\.test|\+223 76/);
    // On the record (DESIGN §1.6): who took which movements out.
    const [audit] = await h.db.query(
      `SELECT a.details FROM audit_events a JOIN users u ON u.id = a.actor_user_id
       WHERE a.action = 'export.downloaded' AND a.entity_id = 'movements.csv' AND u.email = $1`,
      [acf.email],
    );
    expect(audit.details).toMatchObject({ count: 2, truncated: false });
  });

  it('the cell exports every organisation, filtered like GET /movements', async () => {
    const all = parseCsv((await get('/exports/movements.csv', ocha.token)).body);
    const refs = all.slice(2).map((row) => row[0]);
    expect(refs).toEqual(expect.arrayContaining([...acfRefs, nrcRef]));
    const mopti = parseCsv((await get('/exports/movements.csv?region=ML-5', ocha.token)).body);
    expect(mopti.slice(2).map((row) => row[0])).not.toContain(acfRefs[1]);
    // No movement of any test file lies ten years ahead: the filters leave the two header rows.
    const none = await get(
      '/exports/movements.csv?status=completed&from=2036-01-01T00:00:00Z',
      ocha.token,
    );
    expect(parseCsv(none.body)).toHaveLength(2);
    expect((await get('/exports/movements.csv?status=parade', ocha.token)).statusCode).toBe(400);
    expect((await get('/exports/movements.csv?limit=5', ocha.token)).statusCode).toBe(400);
  });

  it('says when an export was cut at its limit', async () => {
    const actor = (
      await h.api.inject({ method: 'GET', url: '/auth/me', headers: bearer(ocha.token) })
    ).json();
    const source = h.api.get(MovementExportSource);
    const cut = await source.select({ ...actor, userId: actor.id }, {}, 'en', 1);
    expect(cut).toMatchObject({ count: 1, limit: 1, truncated: true });
  });

  it('GeoJSON routes follow RFC 7946: LineStrings in longitude, latitude order, no crs', async () => {
    const response = await get('/exports/movements.geojson', acf.token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/geo+json');
    const collection = response.json();
    expect(checkRfc7946(collection)).toEqual([]);
    expect(collection.crs).toBeUndefined();
    expect(collection.features.map((f: { id: string }) => f.id).sort()).toEqual(
      [...acfRefs].sort(),
    );
    const mopti = collection.features.find((f: { id: string }) => f.id === acfRefs[0]);
    expect(mopti.geometry).toEqual({
      type: 'LineString',
      coordinates: [
        [-4.1827, 14.4843],
        [-2.9497, 15.0019],
        [-0.04, 16.2666],
      ],
    });
    expect(mopti.properties).toMatchObject({
      reference: acfRefs[0],
      status: 'submitted',
      organisation: acf.org.name,
    });
    expect(mopti.properties.departureAt).toMatch(/Z$/);
  });

  it('zones are exported to the cell only, with their confidential details', async () => {
    for (const url of ['/exports/zones.geojson', '/exports/zones.kml']) {
      expect((await get(url, acf.token)).statusCode).toBe(403);
    }
    const response = await get('/exports/zones.geojson', ocha.token);
    expect(response.statusCode).toBe(200);
    const collection = response.json();
    expect(checkRfc7946(collection)).toEqual([]);
    const zone = collection.features.find(
      (f: { properties: { name: string } }) => f.properties.name === 'Nioro operation',
    );
    expect(zone.geometry.type).toBe('MultiPolygon');
    // The checker does catch what it looks for: a crs member, a clockwise exterior ring.
    zone.geometry.coordinates[0][0].reverse();
    expect(checkRfc7946({ ...collection, crs: {} })).toEqual([
      'crs member (removed in RFC 7946)',
      expect.stringMatching(/breaks the right-hand rule$/),
    ]);
    zone.geometry.coordinates[0][0].reverse();
    expect(zone.properties).toMatchObject({
      confidentialDetails: CONFIDENTIAL,
      level: 'no_go',
      shareGeometry: false,
    });
  });

  it('KML 2.2 routes and zones are well-formed, in the KML namespace, and keep to the schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hns-kml-'));
    const routes = await get('/exports/movements.kml', acf.token);
    const zones = await get('/exports/zones.kml', ocha.token);
    for (const [name, response, placemarks] of [
      ['routes', routes, acfRefs.length],
      ['zones', zones, 1],
    ] as const) {
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe(
        'application/vnd.google-earth.kml+xml; charset=utf-8',
      );
      const structure = kmlStructure(response.body);
      expect(structure.problems).toEqual([]);
      expect(structure.namespace).toBe('http://www.opengis.net/kml/2.2');
      expect(structure.placemarks).toBeGreaterThanOrEqual(placemarks);
      for (const tuple of structure.coordinates) {
        expect(tuple).toMatch(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/);
        const [lon, lat] = tuple.split(',').map(Number);
        expect(lon).toBeGreaterThanOrEqual(-12.3);
        expect(lat).toBeGreaterThanOrEqual(10.1);
      }
      const path = join(dir, `${name}.kml`);
      writeFileSync(path, response.body);
      const verdict = xmllint(path);
      if (verdict !== undefined) expect(verdict).toBe('valid');
    }
    expect(routes.body).not.toContain(nrcRef);
    expect(routes.body).toContain('Gao &lt;&quot;&amp;&apos;&gt;');
    expect(zones.body).toContain(CONFIDENTIAL);
  });
});

function hoursAhead(hours: number): string {
  return new Date(Date.now() + hours * 3600_000).toISOString();
}
