import { createHash } from 'node:crypto';
import { AbuseLimits } from '@hns/auth';
import { userDisable, userResetPassword } from '../apps/cli/src/commands';
import { WebClient } from './browser/support/web-client';
import {
  Harness,
  TEST_PASSWORD,
  bearer,
  ngoAccount,
  startHarness,
  uniqueSuffix,
} from './support/harness';
import { waitFor } from './support/wait-for';

const WRONG = 'not the right passphrase';

interface Grant {
  accessToken: string;
  refreshToken: string;
  refreshExpiresAt: string;
  expiresIn: number;
}

/** Sign-in limits and lock-out, access and refresh tokens, revocation (issue 6, item 4). */
describe('sign-in limits, lock-out and tokens', () => {
  let h: Harness;

  const signIn = (email: string, password: string, headers: Record<string, string> = {}) =>
    h.api.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'accept-language': 'en', ...headers },
      payload: { email, password },
    });
  const me = (token: string) =>
    h.api.inject({ method: 'GET', url: '/auth/me', headers: bearer(token) });
  const refresh = (refreshToken: string) =>
    h.api.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken } });
  const newUser = async () => {
    const account = await ngoAccount(h);
    return account;
  };
  const grantOf = async (email: string): Promise<Grant> => {
    const response = await signIn(email, TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    return response.json();
  };

  beforeAll(async () => {
    // Every attempt here comes from 127.0.0.1: the per-address limit is tested below.
    h = await startHarness({ worker: true, env: { LOGIN_MAX_PER_ADDRESS: '1000' } });
  });
  afterAll(() => h?.close());

  it('signs in with a 15-minute access token and an opaque refresh token stored only as its SHA-256', async () => {
    const { email } = await newUser();
    const grant = await grantOf(email);
    expect(grant.expiresIn).toBe(900);
    expect(grant.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const payload = JSON.parse(
      Buffer.from(grant.accessToken.split('.')[1], 'base64url').toString(),
    );
    expect(payload.exp - payload.iat).toBe(900);
    const days = (Date.parse(grant.refreshExpiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const stored = await h.db.query(
      `SELECT r.token_hash FROM refresh_tokens r JOIN auth_sessions s ON s.id = r.session_id
       JOIN users u ON u.id = s.user_id WHERE u.email = $1 AND s.id = $2`,
      [email, payload.sid],
    );
    expect(stored).toHaveLength(1);
    expect(Buffer.from(stored[0].token_hash)).toEqual(
      createHash('sha256').update(grant.refreshToken).digest(),
    );
    const dump = JSON.stringify(
      await h.db.query(
        `SELECT * FROM auth_sessions s JOIN refresh_tokens r ON r.session_id = s.id`,
      ),
    );
    expect(dump).not.toContain(grant.refreshToken);
  });

  it('rotates the refresh token on each use; a reused one revokes the whole family', async () => {
    const { email } = await newUser();
    const first = await grantOf(email);
    const second = await refresh(first.refreshToken);
    expect(second.statusCode).toBe(200);
    const rotated: Grant = second.json();
    expect(rotated.refreshToken).not.toBe(first.refreshToken);
    expect((await me(rotated.accessToken)).statusCode).toBe(200);
    const third: Grant = (await refresh(rotated.refreshToken)).json();
    expect((await me(third.accessToken)).statusCode).toBe(200);

    // The first token again: someone copied it. Everything of this sign-in stops.
    const reused = await refresh(first.refreshToken);
    expect(reused.statusCode).toBe(401);
    expect(reused.json().code).toBe('auth.refresh_invalid');
    expect((await refresh(third.refreshToken)).statusCode).toBe(401);
    expect((await me(third.accessToken)).statusCode).toBe(401);
    expect((await me(first.accessToken)).statusCode).toBe(401);
    const [audit] = await h.db.query(
      `SELECT a.details FROM audit_events a JOIN users u ON u.id = a.actor_user_id
       WHERE a.action = 'auth.refresh_token_reused' AND u.email = $1`,
      [email],
    );
    expect(audit).toBeDefined();

    // Another sign-in of the same user is not affected.
    const other = await grantOf(email);
    expect((await me(other.accessToken)).statusCode).toBe(200);
  });

  it('refuses malformed, unknown and expired refresh tokens with a clear 4xx', async () => {
    const malformed = await h.api.inject({
      method: 'POST',
      url: '/auth/refresh',
      headers: { 'accept-language': 'fr' },
      payload: { refreshToken: "x' OR 1=1 --" },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors[0]).toMatchObject({
      field: 'refreshToken',
      rule: 'invalid_format',
    });
    const missing = await h.api.inject({ method: 'POST', url: '/auth/refresh', payload: {} });
    expect(missing.statusCode).toBe(400);
    expect((await refresh('A'.repeat(43))).statusCode).toBe(401);

    // The family's absolute lifetime is over: the refresh token and the access token stop.
    const { email } = await newUser();
    const grant = await grantOf(email);
    await h.db.query(
      `UPDATE auth_sessions SET created_at = now() - interval '31 days',
              expires_at = now() - interval '1 second'
       WHERE user_id = (SELECT id FROM users WHERE email = $1)`,
      [email],
    );
    const expired = await h.api.inject({
      method: 'POST',
      url: '/auth/refresh',
      headers: { 'accept-language': 'fr' },
      payload: { refreshToken: grant.refreshToken },
    });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().message).toBe(
      'Le jeton de renouvellement est invalide, expiré ou révoqué ; reconnectez-vous.',
    );
    expect((await me(grant.accessToken)).statusCode).toBe(401);
  });

  it('logout revokes the access token and the refresh token at once', async () => {
    const { email } = await newUser();
    const grant = await grantOf(email);
    const kept = await grantOf(email);
    expect((await h.api.inject({ method: 'POST', url: '/auth/logout' })).statusCode).toBe(401);
    const out = await h.api.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: bearer(grant.accessToken),
    });
    expect(out.statusCode).toBe(204);
    expect((await me(grant.accessToken)).statusCode).toBe(401);
    expect((await refresh(grant.refreshToken)).statusCode).toBe(401);
    expect((await me(kept.accessToken)).statusCode).toBe(200);
  });

  it('user:disable and user:reset-password revoke every sign-in of the user', async () => {
    const a = await newUser();
    const grant = await grantOf(a.email);
    // Checked once just before: this process may reuse that check (AUTH_SESSION_CACHE_MS), and
    // the revocation must still take effect at once.
    expect((await me(grant.accessToken)).statusCode).toBe(200);
    await userResetPassword(h.api, { email: a.email, password: 'another long passphrase here' });
    expect((await me(grant.accessToken)).statusCode).toBe(401);
    expect((await refresh(grant.refreshToken)).statusCode).toBe(401);
    const [reset] = await h.db.query(
      `SELECT revoked_reason FROM auth_sessions WHERE user_id = (SELECT id FROM users WHERE email = $1)`,
      [a.email],
    );
    expect(reset.revoked_reason).toBe('password_reset');

    const b = await newUser();
    const other = await grantOf(b.email);
    expect((await me(other.accessToken)).statusCode).toBe(200);
    await userDisable(h.api, { email: b.email });
    expect((await refresh(other.refreshToken)).statusCode).toBe(401);
    expect((await me(other.accessToken)).statusCode).toBe(401);
  });

  it('locks an account after 5 wrong passwords: 429 + Retry-After even with the right password, one bilingual email', async () => {
    const { email } = await newUser();
    for (let i = 1; i <= 4; i += 1) expect((await signIn(email, WRONG)).statusCode).toBe(401);
    const fifth = await signIn(email, WRONG);
    expect(fifth.statusCode).toBe(429);
    expect(Number(fifth.headers['retry-after'])).toBe(900);
    const right = await signIn(email, TEST_PASSWORD, { 'accept-language': 'fr' });
    expect(right.statusCode).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(890);
    expect(right.json()).toMatchObject({
      statusCode: 429,
      code: 'too_many_attempts',
      message:
        'Trop de tentatives de connexion pour ce compte ou depuis cette adresse ; réessayez dans 15 minute(s).',
    });
    expect(right.body).not.toContain('accessToken');

    const lockouts = () =>
      h.smtp.messages.filter(
        (m) =>
          m.to && JSON.stringify(m.to).includes(email) && /Sign-in suspended/.test(m.subject ?? ''),
      );
    const [mail] = await waitFor(() => lockouts().length > 0 && lockouts(), {
      description: 'the lock-out email',
    });
    expect(mail.subject).toContain('Connexion suspendue');
    expect(mail.text).toContain('suspendue jusqu');
    expect(mail.text).toContain('suspended until');
    expect(mail.text).toContain('127.0.0.1');
    expect(mail.text).not.toContain(WRONG);
    // More attempts while locked send nothing more.
    await signIn(email, WRONG);
    await signIn(email, TEST_PASSWORD);
    const [audit] = await h.db.query(
      `SELECT details FROM audit_events WHERE action = 'auth.account_locked'
       AND entity_id = (SELECT id::text FROM users WHERE email = $1)`,
      [email],
    );
    expect(audit.details).toMatchObject({ failures: 5, address: '127.0.0.1' });
    expect(JSON.stringify(audit)).not.toContain(WRONG);
    await waitFor(
      async () =>
        (
          await h.db.query(
            `SELECT 1 FROM outbox WHERE job_name = 'auth.lockout-notice' AND relayed_at IS NULL`,
          )
        ).length === 0,
      { description: 'the outbox relayed' },
    );
    const [{ count }] = await h.db.query(
      `SELECT count(*)::int AS count FROM email_deliveries WHERE kind = 'auth.lockout'
       AND recipients @> ARRAY[$1]::text[]`,
      [email],
    );
    expect(count).toBe(1);
    expect(lockouts()).toHaveLength(1);
  });

  it('answers a lock-out of an unknown account exactly as for a real one, and sends no email', async () => {
    const ghost = `nobody-${uniqueSuffix().toLowerCase()}@nowhere.test`;
    const { email: real } = await newUser();
    const answers: Record<string, { statusCode: number; body: string; retry: number }[]> = {
      ghost: [],
      real: [],
    };
    for (let i = 1; i <= 6; i += 1) {
      for (const [who, email] of [
        ['ghost', ghost],
        ['real', real],
      ] as const) {
        const r = await signIn(email, WRONG);
        answers[who].push({
          statusCode: r.statusCode,
          body: r.body,
          retry: Number(r.headers['retry-after'] ?? 0),
        });
      }
    }
    expect(answers.ghost.map((a) => a.statusCode)).toEqual([401, 401, 401, 401, 429, 429]);
    const shape = (list: typeof answers.ghost) =>
      list.map(({ statusCode, body }) => ({ statusCode, body }));
    expect(shape(answers.ghost)).toEqual(shape(answers.real));
    // Retry-After counts down from the lock of each: the same to within a second or two.
    answers.ghost.forEach((a, i) =>
      expect(Math.abs(a.retry - answers.real[i].retry)).toBeLessThanOrEqual(2),
    );
  });

  it('a successful sign-in clears the failures', async () => {
    const { email } = await newUser();
    for (let i = 0; i < 4; i += 1) await signIn(email, WRONG);
    expect((await signIn(email, TEST_PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 4; i += 1) expect((await signIn(email, WRONG)).statusCode).toBe(401);
    expect((await signIn(email, TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('the web sign-in form goes through the same limits and lock-out', async () => {
    const { email } = await newUser();
    const web = new WebClient(h.api);
    await web.get('/web/sign-in');
    for (let i = 0; i < 5; i += 1) {
      const page = await web.post('/web/sign-in', { email, password: WRONG, next: '/web' });
      expect(page.statusCode).toBe(i < 4 ? 401 : 429);
    }
    const locked = await web.post('/web/sign-in', { email, password: TEST_PASSWORD, next: '/web' });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body).toContain('Trop de tentatives de connexion');
    expect(web.cookies.has('hns_session')).toBe(false);
    // And the API sees the same lock.
    expect((await signIn(email, TEST_PASSWORD)).statusCode).toBe(429);
  });

  it('web sign-out revokes the session cookie server-side, not only in the browser', async () => {
    const { email } = await newUser();
    const web = new WebClient(h.api);
    await web.signIn(email, TEST_PASSWORD);
    const cookie = web.cookies.get('hns_session')!;
    expect((await me(cookie)).statusCode).toBe(200);
    await web.get('/web/movements');
    const out = await web.post('/web/sign-out', {});
    expect(out.statusCode).toBe(303);
    expect((await me(cookie)).statusCode).toBe(401);
  });
});

describe('sign-in limit per client address', () => {
  let h: Harness;
  beforeAll(async () => {
    // One proxy in front: the address is the last X-Forwarded-For entry, the one it wrote.
    h = await startHarness({ env: { TRUST_PROXY_HOPS: '1', LOGIN_MAX_PER_ADDRESS: '30' } });
  });
  afterAll(() => h?.close());

  const attempt = (forwardedFor: string, email: string) =>
    h.api.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'x-forwarded-for': forwardedFor },
      payload: { email, password: WRONG },
    });

  it('allows 30 sign-in attempts per address in 15 minutes, whatever the accounts; a client cannot choose its address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i += 1) {
      // Different accounts (no lock-out) and a forged leftmost entry the proxy did not write.
      const forged = `10.0.${i}.1, 203.0.113.7`;
      statuses.push((await attempt(forged, `user${i}-${uniqueSuffix()}@spray.test`)).statusCode);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
    const refused = await attempt('203.0.113.7', `x-${uniqueSuffix()}@spray.test`);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(800);
    // Another address is not affected.
    expect((await attempt('203.0.113.8', `y-${uniqueSuffix()}@spray.test`)).statusCode).toBe(401);
  });
});

describe('sign-in limits when Redis is unreachable', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('keep limiting sign-in in memory (insurance limiter) and do not lock anyone out of the API', async () => {
    const { email, token } = await ngoAccount(h);
    // Cut this process's rate-limit connection to Redis (BullMQ keeps its own).
    const limits = h.api.get(AbuseLimits);
    (Reflect.get(limits, 'redis') as { disconnect(): void }).disconnect();

    const me = await h.api.inject({ method: 'GET', url: '/auth/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.headers['ratelimit-limit']).toBeUndefined();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const r = await h.api.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email, password: WRONG },
      });
      statuses.push(r.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});
