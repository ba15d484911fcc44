import { HOUR, convoyForm, localInput } from './support/fixtures';
import { Harness, TEST_PASSWORD, cellAccount, ngoAccount, startHarness } from './support/harness';
import { WebClient } from './browser/support/web-client';
import { drainOutbox } from './browser/support/drain';

const XSS = '<script>alert(1)</script>';

describe('web pages (server-rendered, session cookie, CSRF)', () => {
  let h: Harness;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    ngo = await ngoAccount(h);
  });

  afterAll(async () => {
    if (h) await drainOutbox(h);
    await h?.close();
  });

  it('sends a visitor to the sign-in page, in French, and comes back after signing in', async () => {
    const web = new WebClient(h.api);
    expect((await web.get('/')).headers.location).toBe('/web');
    const home = await web.get('/web/movements');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/web/sign-in?next=%2Fweb%2Fmovements');
    const page = await web.get(home.headers.location as string);
    expect(page.body).toContain('<html lang="fr">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const signIn = await web.post('/web/sign-in', {
      email: ngo.email,
      password: TEST_PASSWORD,
      next: '/web/movements',
    });
    expect(signIn.headers.location).toBe('/web/movements');
    const cookie = String(signIn.headers['set-cookie']);
    expect(cookie).toMatch(/hns_session=[^;]+;.*HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // only in production
  });

  it('refuses a form without its CSRF token, and a wrong password with a French message', async () => {
    const web = new WebClient(h.api);
    await web.get('/web/sign-in');
    const forged = await web.post(
      '/web/sign-in',
      { email: ngo.email, password: TEST_PASSWORD },
      '',
    );
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('Le formulaire a expiré');
    const wrong = await web.post('/web/sign-in', {
      email: ngo.email,
      password: 'not the password',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Adresse e-mail ou mot de passe incorrect.');
  });

  it('does not let the JSON API accept the session cookie', async () => {
    const web = new WebClient(h.api);
    await web.signIn(ngo.email, TEST_PASSWORD);
    expect((await web.get('/movements')).statusCode).toBe(401);
  });

  it('notifies a movement through the form and shows the purpose as text, not markup', async () => {
    const web = new WebClient(h.api);
    await web.signIn(ngo.email, TEST_PASSWORD);
    await web.get('/web/movements/new');
    const created = await web.post('/web/movements', {
      ...convoyForm(`${XSS} vivres`),
      _idem: 'web-test-convoy-1',
    });
    expect(created.statusCode).toBe(303);
    const location = created.headers.location as string;
    expect(location).toMatch(/^\/web\/movements\/[0-9a-f-]{36}\?done=submitted&ref=HNS-ML-/);
    const detail = await web.get(location);
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; vivres');
    expect(detail.body).not.toContain(XSS);
    expect(detail.body).toContain('Mopti → Douentza → Gao');
    expect(detail.body).toMatch(/UTC\+0/);
    const list = await web.get('/web/movements');
    expect(list.body).toContain(/ref=(HNS-ML-\d{4}-\d{6,})/.exec(location)![1]);
  });

  it('shows every problem of a form next to its field, keeping what was typed', async () => {
    const web = new WebClient(h.api);
    await web.signIn(ngo.email, TEST_PASSWORD);
    await web.get('/web/movements/new');
    const form = convoyForm();
    const rules = await web.post('/web/movements', {
      ...form,
      'departure.at': localInput(Date.now() + 2 * HOUR),
      'escort.status': 'requested',
    });
    expect(rules.statusCode).toBe(400);
    expect(rules.body).toContain('au moins 48 h à l’avance');
    expect(rules.body).toContain('id="f-escort-justification-error"');
    expect(rules.body).toContain('value="Aminata Traoré"');
    const missing = await web.post('/web/movements', { ...form, verifiedBy: '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('id="f-verifiedBy-error"');
    expect(missing.body).toContain('href="#f-verifiedBy"');
    const added = await web.post('/web/movements', { ...form, _add: 'vehicles' });
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('name="vehicles.1.plate"');
  });

  it('keeps an organisation out of another organisation’s movement and out of the cell pages', async () => {
    const owner = new WebClient(h.api);
    await owner.signIn(ngo.email, TEST_PASSWORD);
    await owner.get('/web/movements/new');
    const created = await owner.post('/web/movements', convoyForm());
    const url = (created.headers.location as string).split('?')[0];

    const other = await ngoAccount(h);
    const web = new WebClient(h.api);
    await web.signIn(other.email, TEST_PASSWORD);
    const foreign = await web.get(url);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('Mopti → Douentza');
    for (const page of ['/web/queue', '/web/zones', '/web/escalations', '/web/board']) {
      expect((await web.get(page)).statusCode).toBe(403);
    }
  });

  it('shows the cell a seat queue with the decision form', async () => {
    const seat = await cellAccount(h, 'wfp_logistics');
    const web = new WebClient(h.api);
    await web.signIn(seat.email, TEST_PASSWORD);
    const queue = await web.get('/web/queue');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('PAM / Logistique');
    expect((await web.get('/web/movements/new')).statusCode).toBe(403);
  });

  it('remembers the language per user and signs out', async () => {
    const web = new WebClient(h.api);
    await web.signIn(ngo.email, TEST_PASSWORD);
    await web.get('/web/movements');
    const switched = await web.post('/web/locale', { locale: 'en', next: '/web/movements' });
    expect(switched.headers.location).toBe('/web/movements');
    const [user] = await h.db.query(`SELECT locale FROM users WHERE email = $1`, [ngo.email]);
    expect(user.locale).toBe('en');
    const english = await web.get('/web/movements');
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('My movements');
    await web.post('/web/locale', { locale: 'fr', next: '/web' });

    const out = await web.post('/web/sign-out', {});
    expect(out.headers.location).toBe('/web/sign-in?done=signed_out');
    expect(String(out.headers['set-cookie'])).toMatch(/hns_session=;/);
    expect((await web.get('/web/movements')).statusCode).toBe(303);
  });

  it('serves scripts and styles compressed, cached for a year under a content hash', async () => {
    const web = new WebClient(h.api);
    const page = await web.get('/web/sign-in');
    const css = /href="(\/web\/assets\/app\.[0-9a-f]{12}\.css)"/.exec(page.body)![1];
    const response = await web.get(css, { 'accept-encoding': 'gzip' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['cache-control']).toContain('immutable');
    expect((await web.get('/web/assets/app.000000000000.css')).statusCode).toBe(404);
  });
});
