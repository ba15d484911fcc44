import { GazetteerService, maliPlaces } from '@hns/gazetteer';
import {
  Harness,
  TEST_PASSWORD,
  bearer,
  cellAccount,
  login,
  ngoAccount,
  startHarness,
  uniqueSuffix,
} from './support/harness';

interface PlaceItem {
  id: number;
  name: string;
  nameFr: string;
  lat: number;
  lon: number;
  admin1: { code: string; name: string; nameFr: string } | null;
  approximate: boolean;
}

describe('gazetteer: places by name and admin1 regions', () => {
  let h: Harness;
  let ngo: string;
  let gazetteer: GazetteerService;

  beforeAll(async () => {
    h = await startHarness();
    ngo = (await ngoAccount(h)).token;
    gazetteer = h.api.get(GazetteerService);
  });
  afterAll(() => h.close());

  const places = async (query: string, token = ngo): Promise<PlaceItem[]> => {
    const response = await h.api.inject({
      method: 'GET',
      url: `/places?${query}`,
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(200);
    return response.json().items;
  };

  it('q=tomb finds Tombouctou (Timbuktu) with its coordinates and region', async () => {
    const [first] = await places('q=tomb');
    expect(first).toEqual({
      id: expect.any(Number),
      name: 'Timbuktu',
      nameFr: 'Tombouctou',
      lat: 16.76659,
      lon: -3.0166,
      admin1: { code: 'ML-6', name: 'Timbuktu', nameFr: 'Tombouctou' },
      approximate: false,
    });
  });

  it('q=segou finds Ségou', async () => {
    const items = await places('q=segou');
    expect(items.map((p) => p.nameFr)).toEqual(['Ségou']);
    expect(items[0].admin1?.code).toBe('ML-4');
  });

  it('q=Tombouctou and q=timbuktu find the same place', async () => {
    const [french] = await places('q=Tombouctou');
    const [english] = await places('q=timbuktu');
    expect(french.id).toBe(english.id);
  });

  it('q=SÉV finds Sévaré, marked approximate (a supplement place)', async () => {
    const items = await places(`q=${encodeURIComponent('SÉV')}`);
    expect(items).toEqual([
      expect.objectContaining({ nameFr: 'Sévaré', approximate: true, admin1: expect.anything() }),
    ]);
    expect(items[0].admin1?.code).toBe('ML-5');
  });

  it('ranks the more important places first', async () => {
    const items = await places('q=k');
    expect(items[0].nameFr).toBe('Kayes');
  });

  it('puts an exact name before a more important place with a longer name', async () => {
    // A place added later (as a deployment's data would be) is searchable by its names at once.
    const [added] = await h.db.query(
      `INSERT INTO places (name, name_fr, search_names, lat, lon, rank, source)
       VALUES ('Sanankoroba', 'Sanankoroba', '{sanankoroba}', 12.39, -7.93, 1, 'test')
       RETURNING id`,
    );
    try {
      const items = await places('q=san');
      expect(items.map((p) => p.nameFr)).toEqual(['San', 'Sanankoroba']);
    } finally {
      await h.db.query(`DELETE FROM places WHERE id = $1`, [added.id]);
    }
  });

  it('finds names with an apostrophe typed with or without it', async () => {
    const [typed] = await places(`q=${encodeURIComponent("aguel'h")}`);
    const [runTogether] = await places('q=aguelh');
    expect(typed.nameFr).toBe("Aguel'hoc");
    expect(runTogether.id).toBe(typed.id);
  });

  it('caps the answer at limit, and finds nothing for punctuation alone', async () => {
    expect(await places('q=k&limit=2')).toHaveLength(2);
    expect(await places(`q=${encodeURIComponent("'")}`)).toEqual([]);
  });

  it('Mopti lies in region ML-5 Mopti', async () => {
    expect(await gazetteer.regionOf(14.48998, -4.18004)).toEqual({
      code: 'ML-5',
      name: 'Mopti',
      nameFr: 'Mopti',
    });
    const [mopti] = await places('q=mopti');
    expect(mopti.admin1).toEqual({ code: 'ML-5', name: 'Mopti', nameFr: 'Mopti' });
  });

  it('a point in Dakar has no region', async () => {
    expect(await gazetteer.regionOf(14.7167, -17.4677)).toBeNull();
  });

  it('looks up many points in one call, in order', async () => {
    expect(
      (
        await gazetteer.regionsOf([
          { lat: 12.65196, lon: -8.00198 }, // Bamako: the district, not Koulikoro around it
          { lat: 14.7167, lon: -17.4677 }, // Dakar
          { lat: 16.26659, lon: -0.05001 }, // Gao
          { lat: 15.9167, lon: 2.4 }, // Ménaka: inside Gao in the pre-2016 layout
        ])
      ).map((region) => region?.code ?? null),
    ).toEqual(['ML-BKO', null, 'ML-7', 'ML-7']);
    expect(await gazetteer.regionsOf([])).toEqual([]);
  });

  it('seeds every place inside the region its file names', async () => {
    const rows: { name: string; admin1_code: string; covered: boolean }[] = await h.db.query(
      `SELECT p.name, p.admin1_code, ST_Covers(r.geom, p.point) AS covered
       FROM places p LEFT JOIN admin1_regions r ON r.code = p.admin1_code ORDER BY p.id`,
    );
    // The polygons decide; none of the 42 needed the file's code as a fallback.
    expect(rows).toEqual(
      maliPlaces().map((place) => ({
        name: place.name,
        admin1_code: place.admin1Code,
        covered: true,
      })),
    );
  });

  it('lists the nine admin1 units with names and P-codes, without geometry', async () => {
    const response = await h.api.inject({
      method: 'GET',
      url: '/places/regions',
      headers: bearer(ngo),
    });
    expect(response.statusCode).toBe(200);
    const { items } = response.json();
    expect(items).toHaveLength(9);
    expect(items).toContainEqual({ code: 'ML-5', name: 'Mopti', nameFr: 'Mopti', pcode: 'ML05' });
    expect(Object.keys(items[0]).sort()).toEqual(['code', 'name', 'nameFr', 'pcode']);
    expect(response.body.length).toBeLessThan(1000);
    expect(response.headers['cache-control']).toBe('private, max-age=86400');
  });

  it('is readable by the cell and by an administrator', async () => {
    const cell = await cellAccount(h, 'wfp_logistics');
    const adminEmail = `admin-${uniqueSuffix().toLowerCase()}@hns.test`;
    await h.accounts.createUser({ email: adminEmail, password: TEST_PASSWORD, role: 'admin' });
    const admin = await login(h, adminEmail);
    expect((await places('q=gao', cell.token))[0].nameFr).toBe('Gao');
    expect((await places('q=gao', admin))[0].nameFr).toBe('Gao');
  });

  it('an unauthenticated request gets 401', async () => {
    const search = await h.api.inject({ method: 'GET', url: '/places?q=gao' });
    expect(search.statusCode).toBe(401);
    const regions = await h.api.inject({ method: 'GET', url: '/places/regions' });
    expect(regions.statusCode).toBe(401);
  });

  it('q missing gets 400 naming q', async () => {
    const response = await h.api.inject({ method: 'GET', url: '/places', headers: bearer(ngo) });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([expect.objectContaining({ field: 'q' })]);
  });

  it('refuses a q longer than 80 characters and a limit above 50, naming each', async () => {
    const response = await h.api.inject({
      method: 'GET',
      url: `/places?q=${'a'.repeat(81)}&limit=51`,
      headers: bearer(ngo),
    });
    expect(response.statusCode).toBe(400);
    const fields = response.json().errors.map((e: { field: string }) => e.field);
    expect(fields.sort()).toEqual(['limit', 'q']);
  });
});
