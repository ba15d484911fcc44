import { HOUR, SEATS, localInput } from './support/fixtures';
import { ReviewsService } from '@hns/reviews';
import {
  Harness,
  TEST_PASSWORD,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';
import { WebClient } from './browser/support/web-client';
import { drainOutbox } from './browser/support/drain';

describe('web pages: amendments, decisions, zones and escalations', () => {
  let h: Harness;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;
  const seats = {} as Record<(typeof SEATS)[number], { email: string; token: string }>;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    ngo = await ngoAccount(h);
    for (const seat of SEATS) seats[seat] = await cellAccount(h, seat);
  });

  afterAll(async () => {
    if (h) await drainOutbox(h);
    await h?.close();
  });

  /** A convoy notified through the JSON API, its review tasks created (the worker's job). */
  async function convoyInReview(): Promise<string> {
    const response = await h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: bearer(ngo.token),
      payload: convoyNotice(),
    });
    const { id } = response.json();
    await h.api.get(ReviewsService).fanOut(id, 1);
    return id;
  }

  async function signedIn(email: string): Promise<WebClient> {
    const web = new WebClient(h.api);
    await web.signIn(email, TEST_PASSWORD);
    return web;
  }

  it('amends a movement through the form: a new version, the old one kept', async () => {
    const id = await convoyInReview();
    const web = await signedIn(ngo.email);
    const form = await web.get(`/web/movements/${id}/amend`);
    expect(form.body).toContain('value="Mopti"');
    expect(form.body).toContain('name="version" value="1"');
    const values = Object.fromEntries(
      [
        ...form.body.matchAll(
          /name="([\w.]+)"\s+type="(?:text|tel|email|number|datetime-local)"\s+value="([^"]*)"/g,
        ),
      ].map((m) => [m[1], m[2].replace(/&#39;/g, "'").replace(/&amp;/g, '&')]),
    );
    const complete = {
      ...values,
      type: 'convoy',
      priority: 'routine',
      mode: 'road',
      'escort.status': 'none',
      'cargo.0.category': 'food',
      purpose: 'Vivres et kits d’hygiène, Gao',
      dataAccuracyConfirmed: 'true',
      version: '1',
      changeNote: 'ajout des kits',
    };
    const amended = await web.post(`/web/movements/${id}/amend`, complete);
    expect(amended.statusCode).toBe(303);
    const detail = await web.get(`/web/movements/${id}`);
    expect(detail.body).toContain('version 2');
    expect(detail.body).toContain('ajout des kits');
    expect(detail.body).toContain('Vivres et kits d’hygiène, Gao');

    const stale = await web.post(`/web/movements/${id}/amend`, complete);
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('n&#39;est pas la version actuelle');
  });

  it('cancels a movement with a reason, and refuses without one', async () => {
    const id = await convoyInReview();
    const web = await signedIn(ngo.email);
    await web.get(`/web/movements/${id}`);
    expect((await web.post(`/web/movements/${id}/cancel`, { reason: '' })).statusCode).toBe(400);
    await web.get(`/web/movements/${id}`);
    const cancelled = await web.post(`/web/movements/${id}/cancel`, { reason: 'route closed' });
    expect(cancelled.headers.location).toBe(`/web/movements/${id}?done=cancelled`);
    expect((await web.get(`/web/movements/${id}`)).body).toContain('annulé');
  });

  it('records a seat’s flag with its reasons, and shows the organisation what to change', async () => {
    const id = await convoyInReview();
    const wfp = await signedIn(seats.wfp_logistics.email);
    const page = await wfp.get(`/web/movements/${id}`);
    expect(page.body).toContain('Votre décision (PAM / Logistique)');
    const noReason = await wfp.post(`/web/movements/${id}/decision`, {
      version: '1',
      decision: 'flag',
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('choisissez au moins un code de motif');
    const flagged = await wfp.post(`/web/movements/${id}/decision`, {
      version: '1',
      decision: 'flag',
      reasonCodes: ['unclear_cargo'],
      comment: 'Précisez le contenu des <b>kits</b>',
    });
    expect(flagged.headers.location).toBe('/web/queue?done=decided');

    const owner = await signedIn(ngo.email);
    const detail = (await owner.get(`/web/movements/${id}`)).body;
    expect(detail).toContain('La cargaison n’est pas décrite clairement');
    expect(detail).toContain('Décrivez chaque ligne de cargaison');
    expect(detail).toContain('Précisez le contenu des &lt;b&gt;kits&lt;/b&gt;');
    expect(detail).toContain('signalé');
  });

  it('takes a movement through acknowledgement to departure; the NGO never reads "approved"', async () => {
    const id = await convoyInReview();
    for (const seat of SEATS) {
      const web = await signedIn(seats[seat].email);
      await web.get(`/web/movements/${id}`);
      const decided = await web.post(`/web/movements/${id}/decision`, {
        version: '1',
        decision: 'approve',
      });
      expect(decided.statusCode).toBe(303);
    }
    const web = await signedIn(ngo.email);
    const detail = (await web.get(`/web/movements/${id}`)).body;
    expect(detail).toContain('pris en compte');
    expect(detail).toContain('sans objection');
    expect(detail).not.toContain('approuvé');
    const departed = await web.post(`/web/movements/${id}/depart`, {});
    expect(departed.headers.location).toBe(`/web/movements/${id}?done=departed`);
    const underWay = (await web.get(`/web/movements/${id}`)).body;
    expect(underWay).toContain('en cours');
    // Not marked arrived: test/exports.e2e-spec.ts expects no completed movement in the database.
    expect(underWay).toContain(`action="/web/movements/${id}/arrive"`);
  });

  it('lets the liaison declare a zone as a circle, and only the declaring seats', async () => {
    const liaison = await signedIn(seats.armed_forces_liaison.email);
    await liaison.get('/web/zones');
    const zone = {
      name: 'Secteur nord',
      publicLabel: 'Opération militaire',
      level: 'caution',
      activeFrom: localInput(Date.now() + HOUR),
      activeTo: localInput(Date.now() + 48 * HOUR),
      // Near Tessalit, away from the routes other test files notify.
      'center.lat': '20.2',
      'center.lon': '1.0',
      radiusKm: '20',
    };
    const outside = await liaison.post('/web/zones', { ...zone, 'center.lon': '30' });
    expect(outside.statusCode).toBe(400);
    const declared = await liaison.post('/web/zones', zone);
    expect(declared.headers.location).toBe('/web/zones?done=zone_declared');
    expect((await liaison.get('/web/zones')).body).toContain('Secteur nord');

    const wfp = await signedIn(seats.wfp_logistics.email);
    const list = await wfp.get('/web/zones');
    expect(list.body).toContain('Secteur nord');
    expect(list.body).not.toContain('action="/web/zones"');
    expect((await wfp.post('/web/zones', zone)).statusCode).toBe(403);

    const zones = (await liaison.get('/web/zones')).body;
    const lift = /action="(\/web\/zones\/[0-9a-f-]{36}\/lift)"/.exec(zones)![1];
    const lifted = await liaison.post(lift, { reason: 'operation over' });
    expect(lifted.headers.location).toBe('/web/zones?done=zone_lifted');
  });

  it('shows UNDSS its escalations with a deadline, to acknowledge and resolve', async () => {
    const id = await convoyInReview();
    const ocha = await signedIn(seats.ocha.email);
    await ocha.get(`/web/movements/${id}`);
    await ocha.post(`/web/movements/${id}/decision`, {
      version: '1',
      decision: 'escalate',
      reasonCodes: ['security_threat_on_route'],
    });
    const undss = await signedIn(seats.undss.email);
    const board = await undss.get('/web/escalations');
    expect(board.body).toMatch(/data-deadline="[^"]+Z"/);
    const escalationId = /action="\/web\/escalations\/([0-9a-f-]{36})\/acknowledge"/.exec(
      board.body,
    )![1];
    const acknowledged = await undss.post(`/web/escalations/${escalationId}/acknowledge`, {});
    expect(acknowledged.headers.location).toBe('/web/escalations?done=acknowledged');
    await undss.get('/web/escalations');
    const resolved = await undss.post(`/web/escalations/${escalationId}/resolve`, {
      outcome: 'cleared',
      note: 'route checked',
    });
    expect(resolved.headers.location).toBe('/web/escalations?done=resolved');
    expect((await ocha.get('/web/escalations')).statusCode).toBe(200);
  });
});
