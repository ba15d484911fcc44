import fc from 'fast-check';
import type { QueryRunner } from 'typeorm';
import { BODY_LIMIT_BYTES } from '../apps/api/src/create-api';
import { MAX_IMPORT_BYTES, csvLine, importTemplate } from '@hns/exports';
import { CARGO_CATEGORIES, ESCORT_STATUSES, MOVEMENT_TYPES, PRIORITIES } from '@hns/movements';
import { HOUR, convoyForm, localInput } from './support/fixtures';
import {
  Harness,
  TEST_PASSWORD,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';
import {
  HOSTILE_STRINGS,
  Leaf,
  Mutation,
  badBoolean,
  badEmail,
  badEnum,
  badInstant,
  badInt,
  badMinInt,
  badLatitude,
  badLongitude,
  badNumber,
  badOptionalText,
  badPhone,
  badText,
  clone,
  hasLoneSurrogate,
  hostileString,
  mutations,
  namesField,
  unknownKey,
  urlString,
} from './support/hostile';
import { WebClient } from './browser/support/web-client';

/**
 * Fuzzing (issue 6, item 2): thousands of generated malformed or hostile requests to every
 * write endpoint of the JSON API and of the web pages, and hostile query strings and path ids.
 * Every answer must be a 4xx naming the field (never a 5xx, never a 2xx for an invalid request)
 * and nothing may be written: a digest of every table that matters is compared before and after
 * each request, in the real PostgreSQL.
 */

const RUNS = {
  notice: 1400,
  amendment: 400,
  login: 250,
  cancel: 150,
  decision: 200,
  resolution: 120,
  zone: 600,
  zoneUpdate: 300,
  lift: 100,
  pathIds: 400,
  queries: 600,
  csv: 150,
  webNotice: 250,
  webOther: 200,
  webSignIn: 80,
  raw: 200,
};

/** Each test's bound: generous, for a loaded shared machine (each usually takes a few seconds). */
const TEST_TIMEOUT = 240_000;

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const notice = () => convoyNotice(96) as Record<string, unknown>;
const NOTICE_SPEC = {
  leaves: [
    ['type', badEnum(MOVEMENT_TYPES)],
    ['priority', badEnum(PRIORITIES)],
    ['mode', badEnum(['road', 'air', 'river'])],
    ['purpose', badText(2000)],
    ['emergencyReason', badOptionalText(2000)],
    ['focalPoint.name', badText(200)],
    ['focalPoint.phone', badPhone],
    ['focalPoint.satPhone', badPhone],
    ['focalPoint.email', badEmail],
    ['convoyLeader.name', badText(200)],
    ['convoyLeader.phone', badPhone],
    ['convoyLeader.callSign', badOptionalText(50)],
    ['departure.place', badText(120)],
    ['departure.lat', badLatitude],
    ['departure.lon', badLongitude],
    ['departure.at', badInstant],
    ['arrival.place', badText(120)],
    ['arrival.lat', badLatitude],
    ['arrival.lon', badLongitude],
    ['arrival.at', badInstant],
    ['waypoints.0.place', badText(120)],
    ['waypoints.0.lat', badLatitude],
    ['waypoints.0.lon', badLongitude],
    ['waypoints.0.overnight', badBoolean],
    ['vehicles.0.type', badText(100)],
    ['vehicles.0.plate', badText(30)],
    ['vehicles.0.markings', badOptionalText(300)],
    ['personnel.national', badInt(0, 10000)],
    ['personnel.international', badInt(0, 10000)],
    ['cargo.0.category', badEnum(CARGO_CATEGORIES)],
    ['cargo.0.description', badText(500)],
    ['cargo.0.tonnes', badNumber(0, 10000)],
    ['escort.status', badEnum(ESCORT_STATUSES)],
    ['escort.provider', badOptionalText(200)],
    ['escort.justification', badOptionalText(2000)],
    ['communications.vhfChannel', badOptionalText(50)],
    ['communications.radioRoom', badOptionalText(100)],
    ['communications.satPhone', badPhone],
    ['dataAccuracyConfirmed', badBoolean],
    ['verifiedBy', badText(200)],
  ] as Leaf[],
  required: [
    'type',
    'purpose',
    'focalPoint',
    'focalPoint.name',
    'focalPoint.phone',
    'focalPoint.email',
    'convoyLeader',
    'convoyLeader.name',
    'convoyLeader.phone',
    'departure',
    'departure.place',
    'departure.lat',
    'departure.lon',
    'departure.at',
    'arrival',
    'arrival.at',
    'arrival.lat',
    'waypoints.0.place',
    'waypoints.0.lat',
    'vehicles.0.type',
    'vehicles.0.plate',
    'personnel',
    'personnel.national',
    'cargo.0.category',
    'cargo.0.tonnes',
    'dataAccuracyConfirmed',
    'verifiedBy',
  ],
  objects: [
    '',
    'focalPoint',
    'convoyLeader',
    'departure',
    'arrival',
    'waypoints.0',
    'vehicles.0',
    'personnel',
    'cargo.0',
    'escort',
    'communications',
  ],
  lists: [
    ['waypoints', 50],
    ['vehicles', 200],
    ['cargo', 100],
  ] as [string, number][],
};

const LATER = (h: number) => new Date(Date.now() + h * HOUR).toISOString();
const zoneCircle = () => ({
  name: 'Fuzz zone',
  publicLabel: 'Zone à éviter',
  confidentialDetails: 'fuzz',
  level: 'caution',
  center: { lat: 14.3, lon: -11.9 },
  radiusKm: 3,
  activeFrom: LATER(1),
  activeTo: LATER(200),
  shareGeometry: false,
});
const zonePolygon = () => {
  const { center: _c, radiusKm: _r, ...rest } = zoneCircle();
  return {
    ...rest,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [-11.9, 14.3],
          [-11.8, 14.3],
          [-11.8, 14.4],
          [-11.9, 14.3],
        ],
      ],
    },
  };
};
const ZONE_LEAVES: Leaf[] = [
  ['name', badText(200)],
  ['publicLabel', badText(200)],
  [
    'confidentialDetails',
    fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant('x'.repeat(5001))),
  ],
  ['level', badEnum(['no_go', 'caution'])],
  ['activeFrom', badInstant],
  ['activeTo', badInstant],
  ['shareGeometry', badBoolean],
];
const CIRCLE_LEAVES: Leaf[] = [
  ['center.lat', badLatitude],
  ['center.lon', badLongitude],
  ['radiusKm', fc.oneof(badNumber(0, 300), fc.constantFrom(0, -0, -5))],
];

/** Certainly-invalid GeoJSON for a zone: wrong types, open or short rings, bad positions. */
const badGeometry: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constant(null),
  fc.constant([]),
  fc.constantFrom(
    { type: 'Point', coordinates: [-11.9, 14.3] },
    {
      type: 'LineString',
      coordinates: [
        [-11.9, 14.3],
        [-11.8, 14.3],
      ],
    },
    { type: 'polygon', coordinates: [] },
    { type: 'Polygon' },
    { type: 'Polygon', coordinates: [] },
    { type: 'Polygon', coordinates: [[]] },
    {
      type: 'Polygon',
      coordinates: [
        [
          [-11.9, 14.3],
          [-11.8, 14.3],
          [-11.9, 14.3],
        ],
      ],
    },
    {
      type: 'Polygon',
      coordinates: [
        [
          [-11.9, 14.3],
          [-11.8, 14.3],
          [-11.8, 14.4],
          [-11.7, 14.3],
        ],
      ],
    },
    { type: 'Polygon', coordinates: [[[-11.9], [-11.8, 14.3], [-11.8, 14.4], [-11.9]]] },
    {
      type: 'Polygon',
      coordinates: [
        [
          [-11.9, 14.3, 0, 1],
          [-11.8, 14.3],
          [-11.8, 14.4],
          [-11.9, 14.3, 0, 1],
        ],
      ],
    },
    {
      type: 'Polygon',
      coordinates: [
        [
          ['a', 'b'],
          [-11.8, 14.3],
          [-11.8, 14.4],
          ['a', 'b'],
        ],
      ],
    },
    {
      type: 'Polygon',
      coordinates: [
        [
          [200, 14.3],
          [-11.8, 14.3],
          [-11.8, 14.4],
          [200, 14.3],
        ],
      ],
    },
    { type: 'Polygon', coordinates: '[[[0,0]]]' },
    {
      type: 'MultiPolygon',
      coordinates: [
        [
          [-11.9, 14.3],
          [-11.8, 14.3],
          [-11.8, 14.4],
          [-11.9, 14.3],
        ],
      ],
    },
    { type: 'MultiPolygon', coordinates: [] },
    {
      type: 'Polygon',
      coordinates: [
        [
          [-11.9, 14.3],
          [-11.8, 14.3],
          [-11.8, 14.4],
          [-11.9, 14.3],
        ],
      ],
      crs: {},
    },
    {
      type: 'Polygon',
      coordinates: [
        Array.from({ length: 20_002 }, (_, i) => (i % 20_001 === 0 ? [-3, 15] : [-3, 15])),
      ],
    },
  ),
  fc.tuple(badLongitude, badLatitude).map(([lon, lat]) => ({
    type: 'Polygon',
    coordinates: [
      [
        [lon, lat],
        [-11.8, 14.3],
        [-11.8, 14.4],
        [lon, lat],
      ],
    ],
  })),
);

/** Zone declarations that break one rule, with the field the answer must name. */
const zoneMutations: fc.Arbitrary<Mutation> = fc.oneof(
  mutations(zoneCircle, {
    leaves: [...ZONE_LEAVES, ...CIRCLE_LEAVES],
    required: [
      'name',
      'publicLabel',
      'level',
      'activeFrom',
      'activeTo',
      'center.lat',
      'center.lon',
    ],
    objects: ['', 'center'],
  }),
  badGeometry.map((geometry) => ({
    body: { ...zonePolygon(), geometry },
    field: 'geometry',
    what: 'bad geometry',
  })),
  fc.constantFrom(
    {
      body: { ...zoneCircle(), geometry: zonePolygon().geometry },
      field: 'geometry',
      what: 'both shapes',
    },
    {
      body: (({ center: _c, radiusKm: _r, ...z }) => z)(zoneCircle()),
      field: 'geometry',
      what: 'no shape',
    },
    { body: (({ radiusKm: _r, ...z }) => z)(zoneCircle()), field: 'radiusKm', what: 'no radius' },
    {
      body: { ...zoneCircle(), activeTo: LATER(0.5) },
      field: 'activeTo',
      what: 'ends before it starts',
    },
  ),
);

const zoneUpdateMutations: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .constantFrom(...ZONE_LEAVES, ...CIRCLE_LEAVES.slice(2))
    .chain(([path, arb]) =>
      arb.map((value) => ({ body: { [path]: value }, field: path, what: `bad ${path}` })),
    ),
  fc.tuple(badMinInt(1), fc.constantFrom('publicLabel')).map(([version]) => ({
    body: { version, publicLabel: 'x' },
    field: 'version',
    what: 'bad version',
  })),
  badGeometry.map((geometry) => ({ body: { geometry }, field: 'geometry', what: 'bad geometry' })),
  unknownKey.map((key) => ({
    body: { [key]: 'x', publicLabel: 'ok' },
    field: key,
    what: `extra ${key}`,
  })),
);

/** A flat object schema: each key with its bad values, the required ones, unknown keys refused. */
function flatMutations(
  valid: () => Record<string, unknown>,
  leaves: Leaf[],
  required: string[],
): fc.Arbitrary<Mutation> {
  return mutations(valid, { leaves, required, objects: [''] });
}

describe('fuzzing every write endpoint with malformed and hostile input', () => {
  let h: Harness;
  let owner: Awaited<ReturnType<typeof ngoAccount>>;
  let liaison: string;
  let undss: string;
  let movementId: string;
  let zoneId: string;
  const someEscalation = '6f1c1d1e-9a0b-4c2d-8e3f-1a2b3c4d5e6f';
  let webOwner: WebClient;
  let webLiaison: WebClient;
  let webUndss: WebClient;
  let csvColumns: string[];
  let snapshotRunner: QueryRunner;
  let runs = 0;
  const startedAt = performance.now();

  beforeAll(async () => {
    h = await startHarness({
      env: {
        // Thousands of requests from one address and one account: test validation, not limits.
        API_RATE_LIMIT_PER_USER: '1000000',
        API_RATE_LIMIT_PER_ADDRESS: '1000000',
        LOGIN_MAX_PER_ADDRESS: '100000',
        LOGIN_MAX_FAILURES: '100',
      },
    });
    owner = await ngoAccount(h);
    const afl = await cellAccount(h, 'armed_forces_liaison');
    const u = await cellAccount(h, 'undss');
    liaison = afl.token;
    undss = u.token;
    const created = await h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: bearer(owner.token),
      payload: notice(),
    });
    expect(created.statusCode).toBe(201);
    movementId = created.json().id;
    const zone = await h.api.inject({
      method: 'POST',
      url: '/zones',
      headers: bearer(liaison),
      payload: zoneCircle(),
    });
    expect(zone.statusCode).toBe(201);
    zoneId = zone.json().id;
    const signedIn = async (email: string) => {
      const client = new WebClient(h.api);
      await client.signIn(email, TEST_PASSWORD);
      return client;
    };
    webOwner = await signedIn(owner.email);
    webLiaison = await signedIn(afl.email);
    webUndss = await signedIn(u.email);
    csvColumns = importTemplate().split(/\r?\n/)[0].split(',');

    // Every table a request could write to, by its row count and the newest transaction that
    // wrote one of its rows (xmin): an insert or a delete changes the count, an update gives
    // the row a new xmin. (Cheaper than hashing every row, which thousands of requests need.)
    // Reference data the migrations load (places, admin1 regions and their parts) is left out.
    const tables: { name: string }[] = await h.db.query(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
         AND c.relname NOT IN ('migrations', 'places', 'place_names', 'spatial_ref_sys')
         AND c.relname NOT LIKE 'admin1\\_%'
       ORDER BY 1`,
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'movement_notifications',
        'movement_versions',
        'outbox',
        'audit_events',
        'restricted_zones',
      ]),
    );
    // Prepared once on a connection of its own: planning the query cost more than running it.
    snapshotRunner = h.db.createQueryRunner();
    await snapshotRunner.connect();
    await snapshotRunner.query(
      `PREPARE fuzz_snapshot AS SELECT ${tables
        .map(
          ({ name }) =>
            `(SELECT count(*) || ':' || coalesce(max(t.xmin::text::bigint), 0) FROM "${name}" t) AS "${name}"`,
        )
        .join(', ')}`,
    );
  }, 120_000);

  afterAll(async () => {
    console.log(
      `fuzz: ${runs} generated requests in ${Math.round((performance.now() - startedAt) / 1000)} s ` +
        `(database snapshots ${Math.round(snapshotMs / 1000)} s), seed ${SEED}`,
    );
    await snapshotRunner?.release();
    // One database for every file: the fixture zone must not meet other files' movements.
    if (h && zoneId) {
      await h.api.inject({
        method: 'POST',
        url: `/zones/${zoneId}/lift`,
        headers: bearer(liaison),
        payload: { reason: 'End of the fuzz test' },
      });
    }
    await h?.close();
  });

  let snapshotMs = 0;
  const snapshot = async () => {
    const started = performance.now();
    const [row] = await snapshotRunner.query('EXECUTE fuzz_snapshot');
    snapshotMs += performance.now() - started;
    return row as Record<string, string>;
  };

  /** Sends one request; checks the answer is a 4xx naming the field, and that nothing changed. */
  async function expectRefused(
    request: Parameters<Harness['api']['inject']>[0] & object,
    check: (response: Awaited<ReturnType<Harness['api']['inject']>>) => string | undefined,
  ) {
    runs += 1;
    const before = await snapshot();
    const response = await h.api.inject(request);
    const after = await snapshot();
    const status = response.statusCode;
    const where = `${(request as { method?: string }).method} ${(request as { url?: string }).url?.slice(0, 120)}`;
    if (status >= 500) throw new Error(`${where}: ${status} ${response.body.slice(0, 300)}`);
    if (status < 400)
      throw new Error(`${where}: accepted (${status}) ${response.body.slice(0, 300)}`);
    const problem = check(response);
    if (problem) throw new Error(`${where}: ${status} ${problem} ${response.body.slice(0, 400)}`);
    const changed = Object.keys(before).filter((table) => before[table] !== after[table]);
    if (changed.length) throw new Error(`${where}: ${status} but wrote to ${changed.join(', ')}`);
  }

  /** 400 validation_failed whose errors name `field`, each with a rule and a message. */
  const namesTheField =
    (field: string, status = 400) =>
    (response: { statusCode: number; body: string }) => {
      if (response.statusCode !== status) return `expected ${status}`;
      const body = JSON.parse(response.body);
      if (body.code !== 'validation_failed') return `code ${body.code}`;
      if (!body.errors?.every((e: { rule?: string; message?: string }) => e.rule && e.message))
        return 'an error without rule or message';
      if (!namesField(body.errors, field)) return `does not name ${field}`;
      return undefined;
    };

  const json = (method: string, url: string, token: string | undefined, body: unknown) => ({
    method: method as 'POST',
    url,
    headers: {
      ...(token ? bearer(token) : {}),
      'content-type': 'application/json',
      'accept-language': 'en',
    },
    payload: JSON.stringify(body),
  });

  const property = <T>(arb: fc.Arbitrary<T>, numRuns: number, body: (value: T) => Promise<void>) =>
    fc.assert(fc.asyncProperty(arb, body), { numRuns, seed: SEED, endOnFailure: true });

  it(
    'POST /movements: every mutation of a valid convoy notice is refused by field',
    async () => {
      await property(mutations(notice, NOTICE_SPEC), RUNS.notice, async (m) => {
        await expectRefused(
          json('POST', '/movements', owner.token, m.body),
          namesTheField(m.field),
        );
      });
    },
    TEST_TIMEOUT,
  );

  it(
    'PATCH /movements/:id: invalid amendments change nothing',
    async () => {
      const amendment = fc.oneof(
        mutations(notice, NOTICE_SPEC)
          .filter(
            (m) =>
              m.field.includes('.') || m.what.startsWith('bad') || m.what.startsWith('replaced'),
          )
          .map((m) => {
            const top = m.field.split('.')[0];
            const body = m.body as Record<string, unknown>;
            return { body: { version: 1, [top]: body[top] }, field: m.field, what: m.what };
          })
          .filter((m) => (m.body as Record<string, unknown>)[m.field.split('.')[0]] !== undefined),
        badMinInt(1).map((version) => ({
          body: { version, purpose: 'x' },
          field: 'version',
          what: 'bad version',
        })),
        badOptionalText(1000).map((changeNote) => ({
          body: { changeNote, purpose: 'x' },
          field: 'changeNote',
          what: 'bad note',
        })),
        unknownKey.map((key) => ({
          body: { [key]: 1, purpose: 'x' },
          field: key,
          what: `extra ${key}`,
        })),
      );
      await property(amendment, RUNS.amendment, async (m) => {
        await expectRefused(
          json('PATCH', `/movements/${movementId}`, owner.token, m.body),
          namesTheField(m.field),
        );
      });
    },
    TEST_TIMEOUT,
  );

  it(
    'POST /auth/login: malformed credentials are refused by field',
    async () => {
      const valid = () => ({ email: 'someone@ngo.test', password: 'a password' });
      await property(
        flatMutations(
          valid,
          [
            ['email', badEmail],
            [
              'password',
              badText(200).filter((p) => typeof p !== 'string' || p.length === 0 || p.length > 200),
            ],
          ],
          ['email', 'password'],
        ),
        RUNS.login,
        async (m) => {
          await expectRefused(
            json('POST', '/auth/login', undefined, m.body),
            namesTheField(m.field),
          );
        },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'POST /movements/:id/cancel, /reviews and escalation resolve: bad bodies are refused',
    async () => {
      await property(
        flatMutations(() => ({ reason: 'Road closed' }), [['reason', badText(1000)]], ['reason']),
        RUNS.cancel,
        async (m) => {
          await expectRefused(
            json('POST', `/movements/${movementId}/cancel`, owner.token, m.body),
            namesTheField(m.field),
          );
        },
      );
      const decision = () => ({ version: 1, decision: 'approve', reasonCodes: [], comment: 'ok' });
      await property(
        flatMutations(
          decision,
          [
            ['version', badMinInt(1)],
            ['decision', badEnum(['approve', 'flag', 'escalate'])],
            [
              'reasonCodes',
              fc.oneof(
                hostileString,
                fc.array(hostileString, { minLength: 1, maxLength: 3 }),
                fc.constant(Array(21).fill('security_threat_on_route')),
              ),
            ],
            ['comment', badOptionalText(2000)],
          ],
          ['version', 'decision'],
        ),
        RUNS.decision,
        async (m) => {
          await expectRefused(
            json('POST', `/movements/${movementId}/reviews`, liaison, m.body),
            namesTheField(m.field),
          );
        },
      );
      await property(
        flatMutations(
          () => ({ outcome: 'cleared', note: 'ok' }),
          [
            ['outcome', badEnum(['cleared', 'advise_reroute', 'advise_postpone', 'advise_cancel'])],
            ['note', badOptionalText(2000)],
          ],
          ['outcome'],
        ),
        RUNS.resolution,
        async (m) => {
          await expectRefused(
            json('POST', `/escalations/${someEscalation}/resolve`, undss, m.body),
            namesTheField(m.field),
          );
        },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'POST /zones, PATCH /zones/:id, POST /zones/:id/lift: bad declarations and GeoJSON are refused',
    async () => {
      await property(zoneMutations, RUNS.zone, async (m) => {
        await expectRefused(json('POST', '/zones', liaison, m.body), namesTheField(m.field));
      });
      await property(zoneUpdateMutations, RUNS.zoneUpdate, async (m) => {
        await expectRefused(
          json('PATCH', `/zones/${zoneId}`, liaison, m.body),
          namesTheField(m.field),
        );
      });
      await property(
        flatMutations(() => ({ reason: 'over' }), [['reason', badOptionalText(2000)]], []),
        RUNS.lift,
        async (m) => {
          await expectRefused(
            json('POST', `/zones/${zoneId}/lift`, liaison, m.body),
            namesTheField(m.field),
          );
        },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses hostile path ids on every :id route (400 naming id; 404 on the pages)',
    async () => {
      const badId = fc.oneof(
        // Not a dot segment ("." or ".."): a URL resolves it away, to another path altogether.
        urlString.filter((s) => s.length > 0 && s !== '.' && s !== '..'),
        fc.uuid().map((u) => `${u}x`),
        fc.uuid().map((u) => u.replace(/-/g, '')),
        fc.constantFrom('0', '-1', '1 OR 1=1', 'null', '%00', 'ー'.repeat(40), 'a'.repeat(5000)),
      );
      const routes: {
        method: string;
        url: (id: string) => string;
        token: () => string;
        body?: unknown;
        web?: WebClient;
      }[] = [
        {
          method: 'PATCH',
          url: (id) => `/movements/${id}`,
          token: () => owner.token,
          body: { purpose: 'x' },
        },
        {
          method: 'POST',
          url: (id) => `/movements/${id}/cancel`,
          token: () => owner.token,
          body: { reason: 'x' },
        },
        { method: 'POST', url: (id) => `/movements/${id}/depart`, token: () => owner.token },
        { method: 'POST', url: (id) => `/movements/${id}/arrive`, token: () => owner.token },
        {
          method: 'POST',
          url: (id) => `/movements/${id}/reviews`,
          token: () => liaison,
          body: { version: 1, decision: 'approve' },
        },
        { method: 'POST', url: (id) => `/escalations/${id}/acknowledge`, token: () => undss },
        {
          method: 'POST',
          url: (id) => `/escalations/${id}/resolve`,
          token: () => undss,
          body: { outcome: 'cleared' },
        },
        {
          method: 'PATCH',
          url: (id) => `/zones/${id}`,
          token: () => liaison,
          body: { publicLabel: 'x' },
        },
        { method: 'POST', url: (id) => `/zones/${id}/lift`, token: () => liaison, body: {} },
        { method: 'GET', url: (id) => `/movements/${id}`, token: () => owner.token },
        { method: 'GET', url: (id) => `/zones/${id}`, token: () => liaison },
        {
          method: 'POST',
          url: (id) => `/web/movements/${id}/cancel`,
          token: () => '',
          body: { reason: 'x' },
          web: webOwner,
        },
        {
          method: 'POST',
          url: (id) => `/web/movements/${id}/depart`,
          token: () => '',
          body: {},
          web: webOwner,
        },
        {
          method: 'POST',
          url: (id) => `/web/movements/${id}/amend`,
          token: () => '',
          body: { _add: 'vehicles' },
          web: webOwner,
        },
        {
          method: 'POST',
          url: (id) => `/web/zones/${id}/lift`,
          token: () => '',
          body: {},
          web: webLiaison,
        },
        {
          method: 'POST',
          url: (id) => `/web/escalations/${id}/acknowledge`,
          token: () => '',
          body: {},
          web: webUndss,
        },
        {
          method: 'POST',
          url: (id) => `/web/movements/${id}/decision`,
          token: () => '',
          body: { decision: 'approve' },
          web: webLiaison,
        },
      ];
      await property(
        fc.tuple(fc.constantFrom(...routes), badId),
        RUNS.pathIds,
        async ([route, id]) => {
          const url = route.url(encodeURIComponent(id));
          if (route.web) {
            await expectRefused(
              webForm(route.web, url, route.body as Record<string, string>),
              (r) =>
                [404, 414].includes(r.statusCode) ? undefined : 'expected the not-found page',
            );
          } else {
            // A route without a body gets none (nor a JSON content type with an empty body).
            await expectRefused(
              route.body
                ? json(route.method, url, route.token(), route.body)
                : { method: route.method as 'POST', url, headers: bearer(route.token()) },
              // Past Fastify's maxParamLength (100 characters) the router answers 414 itself.
              id.length > 100
                ? (r) => (r.statusCode === 414 ? undefined : 'expected 414')
                : namesTheField('id'),
            );
          }
        },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses hostile query strings on the list endpoints, naming the parameter',
    async () => {
      const endpoints: { url: string; token: () => string; params: Leaf[] }[] = [
        {
          url: '/movements',
          token: () => owner.token,
          params: [
            [
              'status',
              fc.oneof(
                hostileString.filter((s) => s.trim() !== ''),
                fc.constantFrom('submitted,bogus', ',', 'SUBMITTED'),
              ),
            ],
            ['region', fc.oneof(hostileString, fc.constantFrom('ml-1', 'ML-', 'ML-12345'))],
            ['from', badInstant.filter((v) => typeof v === 'string' && v !== '')],
            ['to', badInstant.filter((v) => typeof v === 'string' && v !== '')],
            [
              'limit',
              fc.constantFrom(
                '0',
                '-1',
                '201',
                '1.5',
                'NaN',
                'Infinity',
                '1e999',
                'abc',
                "1' OR '1'='1",
                '',
              ),
            ],
            [
              'cursor',
              fc.oneof(
                hostileString.filter((s) => !/^[A-Za-z0-9_-]{1,200}$/.test(s)),
                fc.constantFrom('a'.repeat(201), 'AAAA', 'MjAyNnxub3QtYS11dWlk'),
              ),
            ],
          ],
        },
        {
          url: '/exports/movements.csv',
          token: () => owner.token,
          params: [
            ['status', fc.constantFrom('bogus', "' OR 1=1 --")],
            ['region', fc.constantFrom('x', 'ML-1; DROP')],
          ],
        },
        {
          url: '/reviews',
          token: () => liaison,
          params: [['limit', fc.constantFrom('0', '501', 'x', '2.5', '-0.5')]],
        },
        {
          url: '/zones',
          token: () => liaison,
          params: [
            [
              'state',
              fc.oneof(
                hostileString.filter((s) => !['current', 'all'].includes(s)),
                fc.constant('ALL'),
              ),
            ],
            ['limit', fc.constantFrom('0', '501', 'many')],
          ],
        },
        {
          // q is required: given, so that a bad or unknown parameter is the one to name.
          url: '/places?q=Mop',
          token: () => owner.token,
          params: [
            ['q', fc.constantFrom('', ' ', 'x'.repeat(81))],
            ['limit', fc.constantFrom('0', '51', 'ten')],
          ],
        },
      ];
      const query = fc.oneof(
        fc.constantFrom(...endpoints).chain((e) =>
          fc.constantFrom(...e.params).chain(([name, arb]) =>
            arb
              .filter((value) => !hasLoneSurrogate(String(value)))
              .map((value) => ({
                e,
                field: name,
                qs: `${name}=${encodeURIComponent(String(value))}`,
              })),
          ),
        ),
        fc.tuple(fc.constantFrom(...endpoints), unknownKey, urlString).map(([e, key, value]) => ({
          e,
          field: key,
          qs: `${encodeURIComponent(key)}=${encodeURIComponent(value)}`,
        })),
        // The same parameter twice: Fastify gives an array, which no schema takes.
        fc.constantFrom(...endpoints).map((e) => ({ e, field: 'limit', qs: 'limit=1&limit=2' })),
      );
      await property(query, RUNS.queries, async ({ e, field, qs }) => {
        await expectRefused(
          {
            method: 'GET',
            url: `${e.url}${e.url.includes('?') ? '&' : '?'}${qs}`,
            headers: { ...bearer(e.token()), 'accept-language': 'fr' },
          },
          namesTheField(field),
        );
      });
    },
    TEST_TIMEOUT,
  );

  it(
    'POST /imports/movements: rows with a bad cell are each refused by field, and none is written',
    async () => {
      const cell = (value: unknown) =>
        typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
          ? value
          : JSON.stringify(value);
      const csvLeaves: Leaf[] = NOTICE_SPEC.leaves.filter(
        ([path]) => csvColumns.includes(path) && !/^(priority|mode|escort\.status)$/.test(path),
      );
      const row = fc
        .constantFrom(...csvLeaves)
        .chain(([path, arb]) => arb.map((value) => ({ path, value })))
        .filter(
          ({ value }) =>
            value !== null && String(cell(value)).trim() !== '' && typeof value !== 'boolean',
        )
        // In a CSV every cell is text: a value of another JSON type is only a wrong type in a
        // number column (a number in a text column is fine text), and "14.5" is a number there.
        .filter(
          ({ path, value }) =>
            typeof value === 'string' ||
            (typeof value === 'number' && /\.(lat|lon|national|international|tonnes)$/.test(path)),
        )
        // In a CSV every cell is text: "14.5" is a number there, not a wrong type.
        .filter(({ value }) => !(typeof value === 'string' && /^\s*[+-]?[\d.]+\s*$/.test(value)))
        .filter(
          ({ path, value }) =>
            !(
              path === 'dataAccuracyConfirmed' &&
              /^(true|false|oui|non|yes|no|1|0)$/i.test(String(cell(value)).trim())
            ),
        );
      await property(fc.array(row, { minLength: 1, maxLength: 3 }), RUNS.csv, async (rows) => {
        const lines = rows.map(({ path, value }) => {
          const values = notice() as Record<string, unknown>;
          return csvLine(
            csvColumns.map((column) => {
              if (column === path) return cell(value) as string;
              if (['waypoints', 'vehicles', 'cargo'].includes(column)) return '';
              const v = column
                .split('.')
                .reduce<unknown>((n, k) => (n as Record<string, unknown>)?.[k], values);
              return typeof v === 'object' ? '' : (v as string);
            }),
          );
        });
        const csv = [csvColumns.join(','), ...lines].join('\n');
        runs += 1;
        const before = await snapshot();
        const [{ last }] = await h.db.query(
          `SELECT coalesce(max(id), 0) AS last FROM audit_events`,
        );
        const response = await h.api.inject({
          method: 'POST',
          url: '/imports/movements',
          headers: { ...bearer(owner.token), 'content-type': 'text/csv', 'accept-language': 'en' },
          payload: csv,
        });
        const after = await snapshot();
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode === 200) {
          const report = response.json();
          expect(report.imported).toBe(0);
          expect(report.rows).toHaveLength(rows.length);
          report.rows.forEach((r: { errors?: { field: string }[] }, i: number) => {
            if (!namesField(r.errors, rows[i].path)) {
              throw new Error(`row ${i + 1} (${rows[i].path}): ${JSON.stringify(r)}`);
            }
          });
        } else {
          expect(response.statusCode).toBeGreaterThanOrEqual(400);
        }
        // An import is audited as one event, refused rows included ("everything is on the
        // record", DESIGN §1.6): that record of the attempt is the one row it may add; no
        // movement, version, outbox or other row.
        const audited: {
          action: string;
          details: { references: string[]; failedRows: number[] };
        }[] = await h.db.query(`SELECT action, details FROM audit_events WHERE id > $1`, [last]);
        if (response.statusCode === 200) {
          expect(audited).toHaveLength(1);
          expect(audited[0].action).toBe('movements.imported');
          expect(audited[0].details.references).toEqual([]);
          expect(audited[0].details.failedRows).toHaveLength(rows.length);
        } else {
          expect(audited).toEqual([]);
        }
        const { audit_events: _a, ...afterRest } = after;
        const { audit_events: _b, ...beforeRest } = before;
        expect(afterRest).toEqual(beforeRest);
      });
    },
    TEST_TIMEOUT,
  );

  function webForm(client: WebClient, url: string, form: Record<string, string | string[]>) {
    const params = new URLSearchParams();
    params.append('_csrf', client.csrf() as string);
    for (const [key, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
    }
    return {
      method: 'POST' as const,
      url,
      headers: {
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: params.toString(),
    };
  }

  /** The page says what is wrong with the field: its link in the error summary. */
  const pageNames = (field: string) => (response: { statusCode: number; body: string }) => {
    if (response.statusCode !== 400) return 'expected 400';
    const links = [...response.body.matchAll(/<li><a href="#f-([^"]*)">/g)].map((m) => m[1]);
    const id = field.replace(/[^A-Za-z0-9_-]/g, '-');
    return links.some((l) => l === id || l.startsWith(`${id}-`))
      ? undefined
      : `no error for ${field} (${links.join(' ')})`;
  };

  it(
    'web forms: invalid notices, zones, decisions, cancellations are shown back with the field',
    async () => {
      const form = (): Record<string, string> => convoyForm('Distribution', 96);
      const badFormValue = (...extra: string[]) =>
        fc.oneof(
          hostileString.map((s) => `${s}#x`),
          fc.constantFrom(...extra, 'NaN', '-1e999'),
        );
      const fields: [string, fc.Arbitrary<string>][] = [
        ['type', badFormValue('CONVOY', 'bus')],
        ['priority', badFormValue('urgent')],
        ['purpose', fc.constantFrom('', ' ', 'x'.repeat(2001))],
        ['focalPoint.email', badFormValue('a@', 'no address')],
        ['focalPoint.phone', badFormValue('12', 'phone')],
        ['personnel.national', badFormValue('-3', '1.5', '99999', 'abc')],
        ['cargo.0.tonnes', badFormValue('-1', 'abc', '10001')],
        ['cargo.0.category', badFormValue('weapons')],
        ['departure.at', badFormValue('yesterday', '2026-02-30T10:00', '')],
        ['verifiedBy', fc.constantFrom('', ' ', 'x'.repeat(201))],
      ];
      await property(
        fc.constantFrom(...fields).chain(([name, arb]) => arb.map((value) => ({ name, value }))),
        RUNS.webNotice,
        async ({ name, value }) => {
          await expectRefused(
            webForm(webOwner, '/web/movements', { ...form(), [name]: value }),
            pageNames(name),
          );
        },
      );

      const zoneForm = () => ({
        name: 'Zone',
        publicLabel: 'Zone',
        level: 'caution',
        'center.lat': '14.3',
        'center.lon': '-11.9',
        radiusKm: '3',
        activeFrom: localInput(Date.now() + HOUR),
        activeTo: localInput(Date.now() + 100 * HOUR),
      });
      const webCases = fc.oneof(
        fc
          .constantFrom<[string, fc.Arbitrary<string>]>(
            ['name', fc.constantFrom('', ' ', 'x'.repeat(201))],
            ['level', badFormValue('NO_GO', 'forbidden')],
            ['radiusKm', badFormValue('0', '-5', '301', 'abc')],
            ['center.lat', badFormValue('91', '-100', 'north')],
            ['activeFrom', badFormValue('now', '2026-13-01T00:00')],
            ['geometry', badFormValue('{not json', '{"type":"Point","coordinates":[0,0]}', '[]')],
          )
          .chain(([name, arb]) =>
            arb.map((value) => ({
              client: webLiaison,
              url: '/web/zones',
              body: { ...zoneForm(), [name]: value } as Record<string, string>,
              field: name,
            })),
          ),
        fc.constantFrom('', ' ', 'x'.repeat(1001)).map((reason) => ({
          client: webOwner,
          url: `/web/movements/${movementId}/cancel`,
          body: { reason },
          field: 'reason',
        })),
        badFormValue('CLEARED', 'ok').map((outcome) => ({
          client: webUndss,
          url: `/web/escalations/${someEscalation}/resolve`,
          body: { outcome },
          field: 'outcome',
        })),
        badFormValue('APPROVE', 'yes').map((decision) => ({
          client: webLiaison,
          url: `/web/movements/${movementId}/decision`,
          body: { decision, version: '1' },
          field: 'decision',
        })),
      );
      await property(webCases, RUNS.webOther, async (c) => {
        await expectRefused(webForm(c.client, c.url, c.body), (r) => {
          if (r.statusCode !== 400) return 'expected 400';
          return c.url === '/web/zones' ? pageNames(c.field)(r) : undefined;
        });
      });

      // Sign-in with hostile credentials: refused, and nothing but the limiter's counters moves.
      await property(
        fc.tuple(hostileString, hostileString),
        RUNS.webSignIn,
        async ([email, password]) => {
          const anonymous = new WebClient(h.api);
          await anonymous.get('/web/sign-in');
          await expectRefused(
            webForm(anonymous, '/web/sign-in', { email, password, next: email }),
            (r) => (r.statusCode === 401 || r.statusCode === 400 ? undefined : 'expected 401'),
          );
        },
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses malformed JSON, prototype pollution, wrong content types and oversized bodies',
    async () => {
      const valid = JSON.stringify(notice());
      const raw = fc.oneof(
        fc
          .integer({ min: 1, max: valid.length - 1 })
          .map((n) => ({ payload: valid.slice(0, n), type: 'application/json', status: 400 })),
        fc
          .constantFrom(
            '{"type": "convoy",}',
            "{'type': 'convoy'}",
            '{"a": "\\x41"}',
            '{"a": 01}',
            'NaN',
            '{"__proto__": {"isAdmin": true}}',
            '{"constructor": {"prototype": {"isAdmin": true}}}',
            '{"focalPoint": {"__proto__": {"x": 1}}}',
            // Nested far deeper than any schema (the pre-validation walks stop at depth 200).
            `{"purpose": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
            `{"cargo": ${'[{"a": '.repeat(5_000)}{"__proto__": 1}${'}]'.repeat(5_000)}}`,
            '\u0000',
          )
          .map((payload) => ({ payload, type: 'application/json', status: 400 })),
        fc
          .constantFrom(
            'text/plain',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/x-msgpack',
            'image/png',
          )
          .map((type) => ({ payload: valid, type, status: 415 })),
        fc.constantFrom('a', ' ').map((ch) => ({
          payload: `{"purpose": "${ch.repeat(BODY_LIMIT_BYTES)}"}`,
          type: 'application/json',
          status: 413,
        })),
      );
      const targets = [
        { url: '/movements', token: () => owner.token, method: 'POST' },
        { url: `/movements/${movementId}`, token: () => owner.token, method: 'PATCH' },
        { url: '/auth/login', token: () => '', method: 'POST' },
        { url: '/zones', token: () => liaison, method: 'POST' },
        { url: `/zones/${zoneId}`, token: () => liaison, method: 'PATCH' },
        { url: `/movements/${movementId}/reviews`, token: () => liaison, method: 'POST' },
      ];
      await property(fc.tuple(raw, fc.constantFrom(...targets)), RUNS.raw, async ([r, t]) => {
        await expectRefused(
          {
            method: t.method as 'POST',
            url: t.url,
            headers: {
              ...(t.token() ? bearer(t.token()) : {}),
              'content-type': r.type,
              'accept-language': 'fr',
            },
            payload: r.payload,
          },
          (response) => {
            if (
              response.statusCode !== r.status &&
              !([400, 415].includes(r.status) && [400, 415].includes(response.statusCode))
            )
              return `expected ${r.status}`;
            const body = JSON.parse(response.body);
            return body.message && body.code ? undefined : 'no code or message';
          },
        );
      });
      // A CSV import over its own limit: 413 naming the limit.
      const big = await h.api.inject({
        method: 'POST',
        url: '/imports/movements',
        headers: { ...bearer(owner.token), 'content-type': 'text/csv' },
        payload: 'x'.repeat(MAX_IMPORT_BYTES + 1),
      });
      expect(big.statusCode).toBe(413);
    },
    TEST_TIMEOUT,
  );

  it(
    'stores hostile but well-formed text verbatim, with no effect on the database',
    async () => {
      const text = hostileString.filter(
        (s) =>
          s.trim().length > 0 &&
          s.trim().length <= 2000 &&
          !/[\uD800-\uDFFF]/.test(s) &&
          !s.includes('\u0000'),
      );
      await property(text, 40, async (purpose) => {
        runs += 1;
        const response = await h.api.inject(
          json('POST', '/movements', owner.token, { ...notice(), purpose }),
        );
        expect(response.statusCode).toBe(201);
        const [stored] = await h.db.query(
          `SELECT v.notification->>'purpose' AS purpose FROM movement_versions v WHERE v.movement_id = $1`,
          [response.json().id],
        );
        expect(stored.purpose).toBe(purpose.trim());
      });
      expect(HOSTILE_STRINGS.length).toBeGreaterThan(20);
      expect(clone({ a: 1 })).toEqual({ a: 1 });
    },
    TEST_TIMEOUT,
  );

  it('counted at least 5,000 generated requests', () => {
    expect(runs).toBeGreaterThanOrEqual(5000);
  });
});
