import { randomBytes } from 'node:crypto';
import { convoyNotice } from './support/harness';
import { SEATS, Seat } from './support/fixtures';
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
import { RouteKey, listRoutes } from './support/routes';
import { waitFor } from './support/wait-for';
import { WebClient } from './browser/support/web-client';

/**
 * The authorization matrix (issue 6, item 3): every route of the application, read from the
 * Fastify router (Nest controllers, web pages and plugins registered outside Nest alike), ×
 * every kind of caller, against the answer this table expects. A route the table does not know
 * fails the test by name: a new route cannot ship without its rule being written down here.
 */

const ACTORS = [
  'anonymous',
  'ngo_owner',
  'ngo_other',
  'armed_forces_liaison',
  'undss',
  'wfp_logistics',
  'ocha',
  'admin',
] as const;
type ActorKey = (typeof ACTORS)[number];

/** A status, or "303 /prefix": a redirect whose location starts with the prefix. */
type Answer = number | `${number} ${string}`;
type Row = Record<ActorKey, Answer>;

/** One row of the table, in the order of ACTORS. */
function row(...answers: Answer[]): Row {
  if (answers.length !== ACTORS.length) throw new Error(`a row needs ${ACTORS.length} answers`);
  return Object.fromEntries(ACTORS.map((a, i) => [a, answers[i]])) as Row;
}
const all = (answer: Answer) => row(...ACTORS.map(() => answer));

// Signed-out visitors of the pages are sent to the sign-in page.
const SIGN_IN = '303 /web/sign-in';

interface Fixtures {
  mRead: string;
  mReadReference: string;
  mAmend: string;
  mCancel: string;
  mWebAmend: string;
  mWebCancel: string;
  mReview: string;
  zSecret: string;
  zPatch: string;
  zLift: string;
  zWebLift: string;
  escalations: [string, string, string, string];
  loginEmail: string;
  asset: string;
}

interface Request {
  url: string;
  /** JSON body (API routes). */
  payload?: unknown;
  /** Form fields (web pages; the CSRF token of the caller is added). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

/** A sign-in of the caller's own, made for one request (its access and refresh tokens). */
interface Grant {
  accessToken: string;
  refreshToken?: string;
}

interface Case {
  expect: Row;
  request: (fx: Fixtures, grant?: Grant) => Request;
  /**
   * The request ends the caller's sign-in (sign-out) or spends its refresh token: it is sent
   * with a sign-in made for it alone, so the callers' shared sessions stay valid.
   */
  ownSession?: true;
  /** A route another engineer is adding: checked when it exists, not required yet. */
  pending?: true;
}

const get = (url: string) => () => ({ url });
const ZONE_CIRCLE = (lat: number, lon: number) => ({
  name: `Matrix zone ${uniqueSuffix()}`,
  publicLabel: 'Zone à éviter / area to avoid',
  confidentialDetails: 'matrix test zone',
  level: 'caution',
  center: { lat, lon },
  radiusKm: 2,
  activeFrom: new Date(Date.now() + 3600_000).toISOString(),
  activeTo: new Date(Date.now() + 30 * 24 * 3600_000).toISOString(),
});

//                                       anon    owner  other  afl    undss  wfp    ocha   admin
const NGO_ONLY = row(401, 200, 200, 403, 403, 403, 403, 403);
const NGO_CELL = row(401, 200, 200, 200, 200, 200, 200, 403);
const OWNED_READ = row(401, 200, 404, 200, 200, 200, 200, 403);
const CELL_ONLY = row(401, 403, 403, 200, 200, 200, 200, 403);
const SIGNED_IN = row(401, 200, 200, 200, 200, 200, 200, 200);
const PUBLIC_200 = all(200);

const TABLE: Record<string, Case> = {
  // JSON API: authentication
  'POST /auth/login': {
    expect: all(200),
    request: (fx) => ({
      url: '/auth/login',
      payload: { email: fx.loginEmail, password: TEST_PASSWORD },
    }),
  },
  'GET /auth/me': { expect: SIGNED_IN, request: get('/auth/me') },
  // The refresh token is the credential (the route is public): each caller spends its own; an
  // anonymous caller has none and sends one that was never issued.
  'POST /auth/refresh': {
    ownSession: true,
    expect: row(401, 200, 200, 200, 200, 200, 200, 200),
    request: (_fx, grant) => ({
      url: '/auth/refresh',
      payload: { refreshToken: grant?.refreshToken ?? 'x'.repeat(43) },
    }),
  },
  'POST /auth/logout': {
    ownSession: true,
    expect: row(401, 204, 204, 204, 204, 204, 204, 204),
    request: () => ({ url: '/auth/logout', payload: {} }),
  },

  // Movements
  'GET /movements': { expect: NGO_CELL, request: get('/movements') },
  'POST /movements': {
    expect: row(401, 201, 201, 403, 403, 403, 403, 403),
    request: () => ({ url: '/movements', payload: convoyNotice(72) }),
  },
  'GET /movements/:id': {
    expect: OWNED_READ,
    request: (fx) => ({ url: `/movements/${fx.mRead}` }),
  },
  'PATCH /movements/:id': {
    expect: row(401, 200, 404, 403, 403, 403, 403, 403),
    request: (fx) => ({ url: `/movements/${fx.mAmend}`, payload: { purpose: 'Amended purpose' } }),
  },
  'POST /movements/:id/cancel': {
    expect: row(401, 200, 404, 403, 403, 403, 403, 403),
    request: (fx) => ({
      url: `/movements/${fx.mCancel}/cancel`,
      payload: { reason: 'Road closed' },
    }),
  },
  // The movement is not acknowledged: its organisation may report progress, but not yet (409).
  'POST /movements/:id/depart': {
    expect: row(401, 409, 404, 403, 403, 403, 403, 403),
    request: (fx) => ({ url: `/movements/${fx.mRead}/depart` }),
  },
  'POST /movements/:id/arrive': {
    expect: row(401, 409, 404, 403, 403, 403, 403, 403),
    request: (fx) => ({ url: `/movements/${fx.mRead}/arrive` }),
  },
  'GET /movements/:id/conflicts': {
    expect: OWNED_READ,
    request: (fx) => ({ url: `/movements/${fx.mRead}/conflicts` }),
  },
  'POST /movements/:id/reviews': {
    expect: row(401, 403, 403, 200, 200, 200, 200, 403),
    request: (fx) => ({
      url: `/movements/${fx.mReview}/reviews`,
      payload: { version: 1, decision: 'approve' },
    }),
  },
  'GET /reviews': { expect: CELL_ONLY, request: get('/reviews') },

  // Escalations: UNDSS acts, OCHA reads
  'GET /escalations': {
    expect: row(401, 403, 403, 403, 200, 403, 200, 403),
    request: get('/escalations'),
  },
  'POST /escalations/:id/acknowledge': {
    expect: row(401, 403, 403, 403, 200, 403, 403, 403),
    request: (fx) => ({ url: `/escalations/${fx.escalations[0]}/acknowledge` }),
  },
  'POST /escalations/:id/resolve': {
    expect: row(401, 403, 403, 403, 200, 403, 403, 403),
    request: (fx) => ({
      url: `/escalations/${fx.escalations[1]}/resolve`,
      payload: { outcome: 'cleared' },
    }),
  },

  // Restricted zones: the cell reads, the armed forces liaison and UNDSS declare, the declaring
  // seat alone changes or lifts its zone (another seat: 403 from the zones service).
  'GET /zones': { expect: CELL_ONLY, request: get('/zones') },
  'POST /zones': {
    expect: row(401, 403, 403, 201, 201, 403, 403, 403),
    request: () => ({ url: '/zones', payload: ZONE_CIRCLE(14.45, -11.43) }),
  },
  'GET /zones/:id': { expect: CELL_ONLY, request: (fx) => ({ url: `/zones/${fx.zSecret}` }) },
  'PATCH /zones/:id': {
    expect: row(401, 403, 403, 200, 403, 403, 403, 403),
    request: (fx) => ({ url: `/zones/${fx.zPatch}`, payload: { publicLabel: 'Changed label' } }),
  },
  'POST /zones/:id/lift': {
    expect: row(401, 403, 403, 200, 403, 403, 403, 403),
    request: (fx) => ({ url: `/zones/${fx.zLift}/lift`, payload: { reason: 'Operation over' } }),
  },

  // Reference data and advisories
  'GET /places': { expect: SIGNED_IN, request: get('/places?q=Mop') },
  'GET /places/regions': { expect: SIGNED_IN, request: get('/places/regions') },
  'GET /advisories/co-movements': {
    expect: row(401, 403, 403, 403, 403, 200, 200, 403),
    request: get('/advisories/co-movements'),
  },

  // Exports and import
  'GET /exports/movements.csv': { expect: NGO_CELL, request: get('/exports/movements.csv') },
  'GET /exports/movements.geojson': {
    expect: NGO_CELL,
    request: get('/exports/movements.geojson'),
  },
  'GET /exports/movements.kml': { expect: NGO_CELL, request: get('/exports/movements.kml') },
  'GET /exports/zones.geojson': { expect: CELL_ONLY, request: get('/exports/zones.geojson') },
  'GET /exports/zones.kml': { expect: CELL_ONLY, request: get('/exports/zones.kml') },
  'POST /exports/calendar-token': {
    expect: NGO_CELL_STATUS(201),
    request: () => ({ url: '/exports/calendar-token' }),
  },
  'DELETE /exports/calendar-token': {
    expect: NGO_CELL_STATUS(204),
    request: () => ({ url: '/exports/calendar-token' }),
  },
  // The secret feed address is the credential: a wrong one is absent for everyone.
  'GET /calendar/:file': { expect: all(404), request: get('/calendar/not-a-token.ics') },
  'GET /imports/movements/template.csv': {
    expect: NGO_CELL,
    request: get('/imports/movements/template.csv'),
  },
  'POST /imports/movements': {
    expect: NGO_ONLY,
    request: () => ({
      url: '/imports/movements',
      payload: 'type,purpose\nconvoy,Matrix test row\n',
      headers: { 'content-type': 'text/csv' },
    }),
  },

  // Operations: public health, documentation; the development mail sink is off (SMTP_URL set).
  'GET /health': { expect: PUBLIC_200, request: get('/health') },
  'GET /health/live': { expect: PUBLIC_200, request: get('/health/live') },
  'GET /health/ready': { expect: PUBLIC_200, request: get('/health/ready') },
  // Token-protected, not a user role: no user's bearer token opens it.
  'GET /metrics': { expect: all(401), request: get('/metrics') },
  'GET /dev/mail': { expect: all(404), request: get('/dev/mail') },
  'GET /dev/mail/:id': { expect: all(404), request: get('/dev/mail/0123456789abcdef') },
  'GET /docs': { expect: PUBLIC_200, request: get('/docs') },
  'GET /docs/': { expect: PUBLIC_200, request: get('/docs/') },
  'GET /docs/*': { expect: PUBLIC_200, request: get('/docs/swagger-ui.css') },
  'GET /docs/index.html': { expect: PUBLIC_200, request: get('/docs/index.html') },
  // @nestjs/swagger registers it only to refuse it.
  'GET /docs/LICENSE': { expect: all(404), request: get('/docs/LICENSE') },
  'GET /docs/swagger-ui-init.js': { expect: PUBLIC_200, request: get('/docs/swagger-ui-init.js') },
  'GET /docs/docs/swagger-ui-init.js': {
    expect: PUBLIC_200,
    request: get('/docs/docs/swagger-ui-init.js'),
  },
  'GET /docs-json': { expect: PUBLIC_200, request: get('/docs-json') },
  'GET /docs-yaml': { expect: PUBLIC_200, request: get('/docs-yaml') },

  // Web pages (session cookie + CSRF token)
  'GET /': { expect: all('302 /web'), request: get('/') },
  'GET /web': {
    expect: row(
      SIGN_IN,
      '303 /web/movements',
      '303 /web/movements',
      '303 /web/queue',
      '303 /web/queue',
      '303 /web/queue',
      '303 /web/queue',
      200,
    ),
    request: get('/web'),
  },
  'GET /web/assets/:file': { expect: PUBLIC_200, request: (fx) => ({ url: fx.asset }) },
  'GET /web/sign-in': { expect: PUBLIC_200, request: get('/web/sign-in') },
  'POST /web/sign-in': {
    expect: all('303 /web'),
    request: (fx) => ({
      url: '/web/sign-in',
      form: { email: fx.loginEmail, password: TEST_PASSWORD, next: '/web' },
    }),
  },
  'POST /web/sign-out': {
    ownSession: true,
    expect: all(SIGN_IN),
    request: () => ({ url: '/web/sign-out', form: {} }),
  },
  'POST /web/locale': {
    expect: all('303 /web'),
    request: () => ({ url: '/web/locale', form: { locale: 'fr', next: '/web' } }),
  },
  'GET /web/movements': {
    expect: row(SIGN_IN, 200, 200, 403, 403, 403, 403, 403),
    request: get('/web/movements'),
  },
  // "Add a row" re-shows the form: it checks access without writing anything.
  'POST /web/movements': {
    expect: row(SIGN_IN, 200, 200, 403, 403, 403, 403, 403),
    request: () => ({ url: '/web/movements', form: { type: 'convoy', _add: 'vehicles' } }),
  },
  'GET /web/movements/new': {
    expect: row(SIGN_IN, 200, 200, 403, 403, 403, 403, 403),
    request: get('/web/movements/new'),
  },
  'GET /web/movements/:id': {
    expect: row(SIGN_IN, 200, 404, 200, 200, 200, 200, 403),
    request: (fx) => ({ url: `/web/movements/${fx.mRead}` }),
  },
  'GET /web/movements/:id/amend': {
    expect: row(SIGN_IN, 200, 404, 403, 403, 403, 403, 403),
    request: (fx) => ({ url: `/web/movements/${fx.mWebAmend}/amend` }),
  },
  'POST /web/movements/:id/amend': {
    expect: row(SIGN_IN, 200, 404, 403, 403, 403, 403, 403),
    request: (fx) => ({ url: `/web/movements/${fx.mWebAmend}/amend`, form: { _add: 'vehicles' } }),
  },
  'POST /web/movements/:id/cancel': {
    expect: row(SIGN_IN, '303 /web/movements/', 404, 403, 403, 403, 403, 403),
    request: (fx) => ({
      url: `/web/movements/${fx.mWebCancel}/cancel`,
      form: { reason: 'Road closed' },
    }),
  },
  'POST /web/movements/:id/depart': {
    expect: row(SIGN_IN, 409, 404, 403, 403, 403, 403, 403),
    request: (fx) => ({ url: `/web/movements/${fx.mRead}/depart`, form: {} }),
  },
  'POST /web/movements/:id/arrive': {
    expect: row(SIGN_IN, 409, 404, 403, 403, 403, 403, 403),
    request: (fx) => ({ url: `/web/movements/${fx.mRead}/arrive`, form: {} }),
  },
  // An invalid decision: the seats pass the access rule and are told what is wrong (400).
  'POST /web/movements/:id/decision': {
    expect: row(SIGN_IN, 403, 403, 400, 400, 400, 400, 403),
    request: (fx) => ({ url: `/web/movements/${fx.mRead}/decision`, form: { decision: 'bogus' } }),
  },
  'GET /web/queue': {
    expect: row(SIGN_IN, 403, 403, 200, 200, 200, 200, 403),
    request: get('/web/queue'),
  },
  'GET /web/board': {
    expect: row(SIGN_IN, 403, 403, 200, 200, 200, 200, 403),
    request: get('/web/board'),
  },
  'GET /web/zones': {
    expect: row(SIGN_IN, 403, 403, 200, 200, 200, 200, 403),
    request: get('/web/zones'),
  },
  'POST /web/zones': {
    expect: row(SIGN_IN, 403, 403, 400, 400, 403, 403, 403),
    request: () => ({ url: '/web/zones', form: { name: '' } }),
  },
  'POST /web/zones/:id/lift': {
    expect: row(SIGN_IN, 403, 403, '303 /web/zones', 403, 403, 403, 403),
    request: (fx) => ({ url: `/web/zones/${fx.zWebLift}/lift`, form: { reason: 'Over' } }),
  },
  'GET /web/escalations': {
    expect: row(SIGN_IN, 403, 403, 403, 200, 403, 200, 403),
    request: get('/web/escalations'),
  },
  'POST /web/escalations/:id/acknowledge': {
    expect: row(SIGN_IN, 403, 403, 403, '303 /web/escalations', 403, 403, 403),
    request: (fx) => ({ url: `/web/escalations/${fx.escalations[2]}/acknowledge`, form: {} }),
  },
  'POST /web/escalations/:id/resolve': {
    expect: row(SIGN_IN, 403, 403, 403, '303 /web/escalations', 403, 403, 403),
    request: (fx) => ({
      url: `/web/escalations/${fx.escalations[3]}/resolve`,
      form: { outcome: 'cleared' },
    }),
  },
  'GET /web/places': {
    expect: row(SIGN_IN, 200, 200, 200, 200, 200, 200, 403),
    request: get('/web/places?q=Mop'),
  },
};

function NGO_CELL_STATUS(status: number): Row {
  return row(401, status, status, status, status, status, status, 403);
}

/**
 * The queue dashboard (Bull Board, plain Fastify routes outside Nest): administrators only,
 * whatever its routes are. Path parameters are filled with names that exist nowhere, so an
 * administrator's write (retry, clean, pause) acts on no real queue; a status is a finished one
 * (`completed`), the only kind the dashboard may clean. The actions that would drop, forge or put
 * off work the outbox already handed over (add, empty, obliterate, update-data, delay, priority,
 * remove-unprocessed-children), or stop the worker's schedules (change or remove a job
 * scheduler), are refused to everyone, administrators included.
 */
const DASHBOARD = '/admin/queues';
const DASHBOARD_REFUSED =
  /\/(add|empty|obliterate|update-data|delay|priority|remove-unprocessed-children)$|\/job-schedulers\/:schedulerId(\/remove)?$/;
function dashboardCase(route: RouteKey): Case {
  const refused = route.method !== 'GET' && DASHBOARD_REFUSED.test(route.path);
  return {
    expect: row(401, 403, 403, 403, 403, 403, 403, refused ? 403 : 0),
    request: () => ({
      url: route.path
        .replace(':queueStatus', 'completed')
        .replace(/:[A-Za-z]+/g, 'no-such-queue')
        .replace(/\*$/, ''),
      payload: route.method === 'GET' ? undefined : {},
    }),
  };
}

/** 1 when the answer lets the caller in (a 2xx, a redirect other than to sign-in, access). */
const admitted = (answer: Answer): number => {
  const status = typeof answer === 'number' ? answer : Number(answer.split(' ')[0]);
  return status === 0 || (status < 400 && answer !== SIGN_IN) ? 1 : 0;
};

const isWeb = (path: string) => path === '/' || path === '/web' || path.startsWith('/web/');

describe('authorization matrix: every route × every kind of caller', () => {
  let h: Harness;
  let fx: Fixtures;
  const tokens = {} as Record<Exclude<ActorKey, 'anonymous'>, string>;
  const web = {} as Record<ActorKey, WebClient>;
  let routes: RouteKey[];
  const SECRET_NAME = `Opération Faucon ${uniqueSuffix()}`;
  // Other files' zones may cross the same road: the NGO's view is checked on this zone's label.
  const SECRET_LABEL = `Zone à éviter ${uniqueSuffix()} / area to avoid`;
  const SECRET_DETAILS = `FAMa battalion 33 at grid ${uniqueSuffix()}`;
  let ownerReferences: string[] = [];
  const emails: Partial<Record<ActorKey, string>> = {};

  let startedAt: Date;

  beforeAll(async () => {
    startedAt = new Date();
    h = await startHarness({
      worker: true,
      env: {
        // Several hundred requests from one address: test the rules, not the limiter.
        API_RATE_LIMIT_PER_USER: '1000000',
        API_RATE_LIMIT_PER_ADDRESS: '1000000',
        LOGIN_MAX_PER_ADDRESS: '100000',
        METRICS_TOKEN: randomBytes(24).toString('hex'),
      },
    });
    routes = listRoutes(h.api.getHttpAdapter().getInstance());

    const owner = await ngoAccount(h);
    const other = await ngoAccount(h);
    tokens.ngo_owner = owner.token;
    tokens.ngo_other = other.token;
    emails.ngo_owner = owner.email;
    emails.ngo_other = other.email;
    for (const seat of SEATS) {
      const account = await cellAccount(h, seat);
      tokens[seat] = account.token;
      emails[seat] = account.email;
    }
    const adminEmail = `admin-${uniqueSuffix().toLowerCase()}@hns.test`;
    await h.accounts.createUser({ email: adminEmail, password: TEST_PASSWORD, role: 'admin' });
    tokens.admin = await login(h, adminEmail);
    emails.admin = adminEmail;
    const loginEmail = `login-${uniqueSuffix().toLowerCase()}@cell.test`;
    await h.accounts.createUser({
      email: loginEmail,
      password: TEST_PASSWORD,
      role: 'cell',
      seat: 'ocha',
    });

    for (const actor of ACTORS) {
      web[actor] = new WebClient(h.api);
      if (actor === 'anonymous') await web[actor].get('/web/sign-in');
      else await web[actor].signIn(emails[actor] as string, TEST_PASSWORD);
      if (!web[actor].csrf()) throw new Error(`no CSRF token for ${actor}`);
    }
    const asset = /\/web\/assets\/[^"]+\.css/.exec(web.anonymous.lastBody)?.[0];
    if (!asset) throw new Error('no stylesheet on the sign-in page');

    const api = async (
      method: 'POST' | 'PATCH',
      url: string,
      token: string,
      payload: unknown,
      status: number,
    ) => {
      const response = await h.api.inject({
        method,
        url,
        headers: bearer(token),
        payload: payload as object,
      });
      if (response.statusCode !== status)
        throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
      return response.json();
    };

    // A no-go zone across Mopti → Douentza → Gao, with details confidential to the cell.
    const secret = await api(
      'POST',
      '/zones',
      tokens.armed_forces_liaison,
      {
        ...ZONE_CIRCLE(15.0019, -2.9497),
        name: SECRET_NAME,
        publicLabel: SECRET_LABEL,
        confidentialDetails: SECRET_DETAILS,
        level: 'no_go',
        radiusKm: 20,
        activeFrom: new Date(Date.now() - 3600_000).toISOString(),
      },
      201,
    );
    const crossing = () => api('POST', '/movements', tokens.ngo_owner, convoyNotice(96), 201);
    // Bamako → Ségou: far from every zone of this test.
    const elsewhere = () =>
      api(
        'POST',
        '/movements',
        tokens.ngo_owner,
        convoyNotice(96, {
          departure: {
            place: 'Bamako',
            lat: 12.6392,
            lon: -8.0029,
            at: new Date(Date.now() + 96 * 3600_000).toISOString(),
          },
          arrival: {
            place: 'Ségou',
            lat: 13.4317,
            lon: -6.2157,
            at: new Date(Date.now() + 104 * 3600_000).toISOString(),
          },
          waypoints: [],
        }),
        201,
      );
    const mRead = await crossing();
    const escalated = [await crossing(), await crossing(), await crossing(), await crossing()];
    const [mAmend, mCancel, mWebAmend, mWebCancel, mReview] = [
      await elsewhere(),
      await elsewhere(),
      await elsewhere(),
      await elsewhere(),
      await elsewhere(),
    ];
    ownerReferences = [
      mRead,
      ...escalated,
      mAmend,
      mCancel,
      mWebAmend,
      mWebCancel,
      mReview,
    ].flatMap((m: { id: string; reference: string }) => [m.id, m.reference]);
    const zone = () =>
      api('POST', '/zones', tokens.armed_forces_liaison, ZONE_CIRCLE(14.3, -11.9), 201);
    const [zPatch, zLift, zWebLift] = [await zone(), await zone(), await zone()];

    // The worker finds the conflicts (each raises an escalation) and fans out the reviews.
    const escalationIds = await waitFor(
      async () => {
        const rows: { id: string }[] = await h.db.query(
          `SELECT id FROM security_escalations WHERE movement_id = ANY($1) ORDER BY created_at`,
          [escalated.map((m) => m.id)],
        );
        return rows.length === 4 && rows.map((r) => r.id);
      },
      { description: 'an escalation for each movement crossing the no-go zone', timeoutMs: 30_000 },
    );
    await waitFor(
      async () =>
        (await h.db.query(`SELECT 1 FROM movement_conflicts WHERE movement_id = $1`, [mRead.id]))
          .length > 0,
      { description: 'the conflict of the movement read by the matrix', timeoutMs: 30_000 },
    );
    await waitFor(
      async () =>
        (
          await h.db.query(`SELECT status FROM movement_notifications WHERE id = $1`, [mReview.id])
        )[0].status === 'in_review',
      { description: 'the movement to review to be in review', timeoutMs: 30_000 },
    );
    fx = {
      mRead: mRead.id,
      mReadReference: mRead.reference,
      mAmend: mAmend.id,
      mCancel: mCancel.id,
      mWebAmend: mWebAmend.id,
      mWebCancel: mWebCancel.id,
      mReview: mReview.id,
      zSecret: secret.id,
      zPatch: zPatch.id,
      zLift: zLift.id,
      zWebLift: zWebLift.id,
      escalations: escalationIds as Fixtures['escalations'],
      loginEmail,
      asset,
    };
  }, 120_000);

  afterAll(async () => {
    // All files share one database: zones left in force here would conflict with the other
    // files' movements. Lift every zone this file declared, as its declaring seat.
    if (h) {
      const open: { id: string; seat: Seat }[] = await h.db.query(
        `SELECT id, declared_by_seat AS seat FROM restricted_zones
         WHERE lifted_at IS NULL AND created_at >= $1`,
        [startedAt],
      );
      for (const zone of open) {
        const lifted = await h.api.inject({
          method: 'POST',
          url: `/zones/${zone.id}/lift`,
          headers: bearer(tokens[zone.seat]),
          payload: { reason: 'End of the authorization-matrix test' },
        });
        expect(lifted.statusCode).toBe(200);
      }
    }
    await h?.close();
  });

  const caseOf = (route: RouteKey): Case | undefined =>
    TABLE[`${route.method} ${route.path}`] ??
    (route.path === DASHBOARD ||
    route.path.startsWith(`${DASHBOARD}/`) ||
    route.path.startsWith(`${DASHBOARD}*`)
      ? dashboardCase(route)
      : undefined);

  it('has a rule for every route of the router, and every rule still has its route', () => {
    expect(routes.length).toBeGreaterThan(50);
    const missing = routes.filter((r) => !caseOf(r)).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    const present = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const gone = Object.entries(TABLE)
      .filter(([key, c]) => !c.pending && !present.has(key))
      .map(([key]) => key);
    expect(gone).toEqual([]);
  });

  async function call(route: RouteKey, actor: ActorKey) {
    const c = caseOf(route) as Case;
    const own = c.ownSession && actor !== 'anonymous';
    let grant: Grant | undefined;
    let client = web[actor];
    if (own && isWeb(route.path)) {
      client = new WebClient(h.api);
      await client.signIn(emails[actor] as string, TEST_PASSWORD);
    } else if (own) {
      const signedIn = await h.api.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: emails[actor], password: TEST_PASSWORD },
      });
      if (signedIn.statusCode !== 200) throw new Error(`sign-in of ${actor}: ${signedIn.body}`);
      grant = signedIn.json();
    }
    const r = c.request(fx, grant);
    const headers: Record<string, string> = { 'accept-language': 'en', ...r.headers };
    let payload: string | object | undefined = r.payload as object | undefined;
    if (isWeb(route.path)) {
      const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      if (cookie) headers.cookie = cookie;
      if (r.form) {
        const form = new URLSearchParams({ _csrf: client.csrf() as string, ...r.form });
        payload = form.toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
    } else if (actor !== 'anonymous') {
      Object.assign(headers, bearer(grant?.accessToken ?? tokens[actor]));
    }
    const response = await h.api.inject({
      method: route.method as 'GET',
      url: r.url,
      headers,
      payload,
    });
    return { response, url: r.url };
  }

  it('answers every route as the table says, for every caller, and leaks nothing to an NGO', async () => {
    const differences: string[] = [];
    for (const route of routes) {
      const c = caseOf(route) as Case;
      // The callers to be refused first, while the fixture is as the table assumes (the first
      // caller let in may lift the zone, cancel the movement...).
      const callers = [...ACTORS].sort((a, b) => admitted(c.expect[a]) - admitted(c.expect[b]));
      for (const actor of callers) {
        const { response, url } = await call(route, actor);
        const wanted = c.expect[actor];
        const got = response.statusCode;
        const location = String(response.headers.location ?? '');
        const label = `${route.method} ${route.path} as ${actor}`;
        if (wanted === 0) {
          // An administrator on the dashboard: let in (neither 401/403 nor a failure).
          if ([401, 403].includes(got) || got >= 500)
            differences.push(`${label}: ${got}, expected access`);
        } else if (typeof wanted === 'number') {
          if (got !== wanted)
            differences.push(`${label}: ${got}, expected ${wanted} ${response.body.slice(0, 200)}`);
        } else {
          const [status, prefix] = wanted.split(' ');
          if (got !== Number(status) || !location.startsWith(prefix)) {
            differences.push(`${label}: ${got} ${location}, expected ${wanted}`);
          }
        }
        if (got >= 500) differences.push(`${label}: server error ${got}`);
        if (actor === 'ngo_owner' || actor === 'ngo_other') {
          for (const secret of [SECRET_NAME, SECRET_DETAILS]) {
            if (response.body.includes(secret)) differences.push(`${label}: shows "${secret}"`);
          }
        }
        if (actor === 'ngo_other') {
          // Another organisation's ids and references, but for the id the caller itself sent.
          const leaked = ownerReferences.find(
            (ref) => !url.includes(ref) && response.body.includes(ref),
          );
          if (leaked) differences.push(`${label}: shows another organisation's ${leaked}`);
        }
      }
    }
    expect(differences).toEqual([]);
  });

  it('shows an NGO only the public label, level and time of a conflict; the cell everything', async () => {
    const owner = await h.api.inject({
      method: 'GET',
      url: `/movements/${fx.mRead}/conflicts`,
      headers: bearer(tokens.ngo_owner),
    });
    expect(owner.statusCode).toBe(200);
    expect(Object.keys(owner.json()).sort()).toEqual(['conflicts', 'movementId', 'version']);
    const items = owner.json().conflicts as Record<string, unknown>[];
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(
        ['advice', 'level', 'overlap', 'publicLabel', 'routePart', 'zoneGeometry'].sort(),
      );
    }
    const secret = items.find((item) => item.publicLabel === SECRET_LABEL);
    expect(secret).toMatchObject({ level: 'no_go', zoneGeometry: null }); // outline not shared
    expect(owner.body).not.toContain(SECRET_NAME);
    expect(owner.body).not.toContain(SECRET_DETAILS);
    expect(owner.body).not.toContain(fx.zSecret);

    for (const seat of SEATS) {
      const cell = await h.api.inject({
        method: 'GET',
        url: `/movements/${fx.mRead}/conflicts`,
        headers: bearer(tokens[seat as Seat]),
      });
      expect(cell.statusCode).toBe(200);
      const zone = (cell.json().conflicts as { zone: Record<string, unknown> }[]).find(
        (i) => i.zone.id === fx.zSecret,
      );
      expect(zone?.zone).toMatchObject({ name: SECRET_NAME, confidentialDetails: SECRET_DETAILS });
    }

    const { response: page } = await call(
      { method: 'GET', path: '/web/movements/:id' },
      'ngo_owner',
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(SECRET_LABEL);
    expect(page.body).not.toContain(SECRET_DETAILS);
  });

  it("answers 404, not 403, for another organisation's movement, as for one that does not exist", async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const url of [`/movements/${fx.mRead}`, `/movements/${missing}`]) {
      const response = await h.api.inject({
        method: 'GET',
        url,
        headers: bearer(tokens.ngo_other),
      });
      expect(response.statusCode).toBe(404);
    }
    const list = await h.api.inject({
      method: 'GET',
      url: '/movements?limit=200',
      headers: bearer(tokens.ngo_other),
    });
    expect(list.body).not.toContain(fx.mReadReference);
  });
});
