import fs from 'node:fs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, loadConfig } from '@hns/config';
import { configureLogging } from '@hns/logging';
import { createApiApp } from '../apps/api/src/create-api';
import { PAGE_CSP } from '../apps/api/src/web/send';
import { WebClient } from './browser/support/web-client';
import { Harness, TEST_PASSWORD, bearer, ngoAccount, startHarness } from './support/harness';

/** Environment every harness of this file sets, so that one describe's settings never leak. */
const BASE_ENV = {
  CORS_ORIGINS: '',
  TRUST_PROXY_HOPS: '0',
  API_RATE_LIMIT_PER_USER: '600',
  API_RATE_LIMIT_PER_ADDRESS: '1200',
};

describe('API-wide rate limits, shared by every API process through Redis', () => {
  let h: Harness;
  let second: NestFastifyApplication;

  beforeAll(async () => {
    h = await startHarness({
      env: {
        ...BASE_ENV,
        API_RATE_LIMIT_PER_USER: '20',
        API_RATE_LIMIT_PER_ADDRESS: '50',
        TRUST_PROXY_HOPS: '1',
      },
    });
    // A second API process: same configuration, same Redis, its own Fastify and pools.
    second = await createApiApp({ logger: false });
    await second.init();
    await second.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await second?.close();
    await h?.close();
  });

  it('counts a user’s requests across two API instances: 20 a minute, then 429 with Retry-After', async () => {
    const { token } = await ngoAccount(h);
    const { token: otherToken } = await ngoAccount(h);
    const apps = [h.api, second];
    const remaining: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const r = await apps[i % 2].inject({
        method: 'GET',
        url: '/auth/me',
        headers: { ...bearer(token), 'x-forwarded-for': `192.0.2.${i}` },
      });
      expect(r.statusCode).toBe(200);
      expect(r.headers['ratelimit-limit']).toBe('20');
      remaining.push(Number(r.headers['ratelimit-remaining']));
    }
    // One count for both processes: 19, 18, …, 0 alternating between them.
    expect(remaining).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i));
    for (const app of apps) {
      const refused = await app.inject({
        method: 'GET',
        url: '/auth/me',
        headers: { ...bearer(token), 'accept-language': 'fr' },
      });
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(refused.headers['ratelimit-remaining']).toBe('0');
      expect(refused.json()).toMatchObject({ statusCode: 429, code: 'rate_limited' });
      expect(refused.json().message).toMatch(
        /^Trop de requêtes ; réessayez dans \d+ seconde\(s\)\.$/,
      );
    }
    // Another user is not affected.
    const other = await second.inject({
      method: 'GET',
      url: '/auth/me',
      headers: bearer(otherToken),
    });
    expect(other.statusCode).toBe(200);
  });

  it('counts every request of an address, signed in or not, across both instances', async () => {
    const address = '198.51.100.23';
    const statuses: number[] = [];
    for (let i = 0; i < 51; i += 1) {
      const r = await [h.api, second][i % 2].inject({
        method: 'GET',
        url: '/auth/me',
        headers: { 'x-forwarded-for': address },
      });
      statuses.push(r.statusCode);
    }
    expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(statuses[50]).toBe(429);
    const elsewhere = await h.api.inject({
      method: 'GET',
      url: '/auth/me',
      headers: { 'x-forwarded-for': '198.51.100.24' },
    });
    expect(elsewhere.statusCode).toBe(401);
  });
});

describe('security headers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: BASE_ENV });
  });
  afterAll(() => h?.close());

  it('sets helmet headers on API answers, errors included; no HSTS outside production', async () => {
    for (const url of ['/health', '/auth/me', '/no/such/route']) {
      const r = await h.api.inject({ method: 'GET', url });
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(String(r.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
      expect(String(r.headers['content-security-policy'])).toContain("script-src 'self'");
      expect(r.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('keeps the web pages’ own strict CSP and the /docs Swagger UI working', async () => {
    const page = await h.api.inject({ method: 'GET', url: '/web/sign-in' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(page.headers['x-frame-options']).toBe('DENY');

    const docs = await h.api.inject({ method: 'GET', url: '/docs' });
    expect(docs.statusCode).toBe(200);
    // Every script of the page is a file of this origin, which script-src 'self' allows.
    const scripts = [...docs.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/src="\.\/docs\//);
      expect(inline.trim()).toBe('');
    }
    for (const [, src] of docs.body.matchAll(/src="\.(\/docs\/[^"]+)"/g)) {
      const asset = await h.api.inject({ method: 'GET', url: src });
      expect([src, asset.statusCode]).toEqual([src, 200]);
    }
    const spec = await h.api.inject({ method: 'GET', url: '/docs-json' });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toEqual(
      expect.arrayContaining(['/auth/login', '/auth/refresh', '/auth/logout']),
    );
  });
});

describe('HSTS in production', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ...BASE_ENV, NODE_ENV: 'production', DEMO_SEED: 'false' } });
  });
  afterAll(() => h?.close());

  it('sends Strict-Transport-Security for a year with subdomains', async () => {
    const r = await h.api.inject({ method: 'GET', url: '/auth/me' });
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(String(r.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
  });
});

describe('CORS', () => {
  const origin = 'https://dashboard.example.org';
  const preflight = (app: NestFastifyApplication, from: string) =>
    app.inject({
      method: 'OPTIONS',
      url: '/movements',
      headers: {
        origin: from,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  describe('closed by default (CORS_ORIGINS empty)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ env: BASE_ENV });
    });
    afterAll(() => h?.close());

    it('never answers with Access-Control-Allow-Origin', async () => {
      const { token } = await ngoAccount(h);
      for (const from of [origin, 'https://evil.example', 'null']) {
        const get = await h.api.inject({
          method: 'GET',
          url: '/auth/me',
          headers: { ...bearer(token), origin: from },
        });
        expect(get.statusCode).toBe(200);
        expect(get.headers['access-control-allow-origin']).toBeUndefined();
        const pre = await preflight(h.api, from);
        expect(pre.headers['access-control-allow-origin']).toBeUndefined();
        expect(pre.headers['access-control-allow-methods']).toBeUndefined();
      }
    });
  });

  describe('open to the exact origins of CORS_ORIGINS', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        env: { ...BASE_ENV, CORS_ORIGINS: `${origin}, http://localhost:8080` },
      });
    });
    afterAll(() => h?.close());

    it('allows a listed origin, without credentials, and no other', async () => {
      const { token } = await ngoAccount(h);
      const allowed = await h.api.inject({
        method: 'GET',
        url: '/auth/me',
        headers: { ...bearer(token), origin },
      });
      expect(allowed.headers['access-control-allow-origin']).toBe(origin);
      expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
      expect(String(allowed.headers.vary)).toMatch(/origin/i);
      expect(String(allowed.headers['access-control-expose-headers'])).toContain('retry-after');

      const pre = await preflight(h.api, origin);
      expect(pre.statusCode).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(origin);
      expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(pre.headers['access-control-allow-headers'])).toContain('authorization');

      for (const from of [
        'https://evil.example',
        'https://dashboard.example.org.evil.example',
        'http://dashboard.example.org',
        'null',
      ]) {
        const other = await h.api.inject({
          method: 'GET',
          url: '/auth/me',
          headers: { ...bearer(token), origin: from },
        });
        expect([from, other.headers['access-control-allow-origin']]).toEqual([from, undefined]);
        const otherPre = await preflight(h.api, from);
        expect([from, otherPre.headers['access-control-allow-origin']]).toEqual([from, undefined]);
      }
    });
  });

  it('CORS_ORIGINS accepts exact origins only, and names the variable otherwise', () => {
    for (const bad of [
      '*',
      'https://*.example.org',
      'https://a.example/path',
      'a.example',
      'ftp://a.example',
    ]) {
      expect(() => loadConfig({ CORS_ORIGINS: bad, USER: 'hns' })).toThrow(ConfigError);
      expect(() => loadConfig({ CORS_ORIGINS: bad, USER: 'hns' })).toThrow(/CORS_ORIGINS/);
    }
    expect(
      loadConfig({ CORS_ORIGINS: ' https://a.example , http://localhost:8080', USER: 'hns' })
        .CORS_ORIGINS,
    ).toEqual(['https://a.example', 'http://localhost:8080']);
    expect(loadConfig({ USER: 'hns' }).CORS_ORIGINS).toEqual([]);
  });
});

/**
 * Secrets never reach the output of the process: everything written to stdout and stderr (Nest's
 * logger, pino, console) is captured while wrong passwords, forged and stolen tokens, cookies and
 * a lock-out go through a real API application with logging on.
 */
describe('secrets and tokens are never logged', () => {
  let h: Harness;
  let app: NestFastifyApplication;
  const captured: string[] = [];
  const restore: (() => void)[] = [];

  const capture = () => {
    const record = (chunk: unknown) => {
      captured.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    };
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        record(chunk);
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = original));
    }
    // pino (sonic-boom) writes to the file descriptors directly.
    const writeSync = fs.writeSync;
    const write = fs.write;
    fs.writeSync = ((fd: number, data: unknown, ...rest: unknown[]) => {
      if (fd === 1 || fd === 2) record(data);
      return (writeSync as (...args: unknown[]) => number)(fd, data, ...rest);
    }) as typeof fs.writeSync;
    fs.write = ((fd: number, data: unknown, ...rest: unknown[]) => {
      if (fd === 1 || fd === 2) record(data);
      return (write as (...args: unknown[]) => void)(fd, data, ...rest);
    }) as typeof fs.write;
    restore.push(() => {
      fs.writeSync = writeSync;
      fs.write = write;
    });
  };

  beforeAll(async () => {
    h = await startHarness({
      worker: true,
      env: { ...BASE_ENV, LOG_LEVEL: 'trace', LOGIN_MAX_PER_ADDRESS: '1000' },
    });
    capture();
    // As main.ts does, at the most verbose level, into the capture.
    configureLogging({
      service: 'api',
      level: 'trace',
      destination: { write: (line: string) => void captured.push(line) },
    });
    app = await createApiApp();
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    for (const undo of restore.reverse()) undo();
    configureLogging({ service: 'test', level: 'silent' });
    await app?.close();
    await h?.close();
  });

  it('writes no password, token, Authorization header or cookie to the output, the audit log or the outbox', async () => {
    const secrets: string[] = [];
    const wrongPassword = 'Leaked-passphrase-7c1e-do-not-log';
    secrets.push(wrongPassword, TEST_PASSWORD);
    const { email } = await ngoAccount(h);
    const call = (options: Parameters<typeof app.inject>[0]) => app.inject(options as never);

    // Wrong passwords until the account locks (warning, audit, email).
    for (let i = 0; i < 6; i += 1)
      await call({
        method: 'POST',
        url: '/auth/login',
        payload: { email, password: wrongPassword },
      });
    await call({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'nobody@nowhere.test', password: wrongPassword },
    });
    // A body refused by validation, with the password in it and an unknown field.
    await call({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'not-an-email', password: wrongPassword, extra: wrongPassword },
    });
    await call({
      method: 'POST',
      url: '/auth/login',
      payload: { email, password: wrongPassword.repeat(20) },
    });

    // A real sign-in of another account, its tokens used, refreshed, replayed and revoked.
    const other = await ngoAccount(h);
    const grant = (
      await call({
        method: 'POST',
        url: '/auth/login',
        payload: { email: other.email, password: TEST_PASSWORD },
      })
    ).json();
    secrets.push(grant.accessToken, grant.refreshToken, other.token);
    await call({ method: 'GET', url: '/auth/me', headers: bearer(grant.accessToken) });
    const rotated = (
      await call({
        method: 'POST',
        url: '/auth/refresh',
        payload: { refreshToken: grant.refreshToken },
      })
    ).json();
    secrets.push(rotated.accessToken, rotated.refreshToken);
    await call({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refreshToken: grant.refreshToken },
    });
    await call({ method: 'GET', url: '/auth/me', headers: bearer(rotated.accessToken) });

    // Forged and malformed credentials.
    const [head, body] = grant.accessToken.split('.');
    const forged = `${head}.${body}.${'A'.repeat(43)}`;
    const garbage = 'garbage-token-5b9d-do-not-log';
    const bogusRefresh = 'Z'.repeat(43);
    secrets.push(forged, garbage, bogusRefresh);
    await call({ method: 'GET', url: '/auth/me', headers: bearer(forged) });
    await call({ method: 'GET', url: '/auth/me', headers: { authorization: garbage } });
    await call({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: bogusRefresh } });
    await call({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: garbage } });
    // The session cookie of the pages, valid and not.
    const browser = new WebClient(app);
    await browser.signIn(other.email, TEST_PASSWORD);
    const cookie = browser.cookies.get('hns_session');
    expect(cookie).toBeDefined();
    secrets.push(cookie!);
    await browser.get('/web/movements');
    await call({
      method: 'GET',
      url: '/web/movements',
      headers: { cookie: `hns_session=${garbage}` },
    });
    await call({
      method: 'GET',
      url: '/web/movements',
      headers: { cookie: `hns_session=${rotated.accessToken}` },
    });
    await call({ method: 'POST', url: '/auth/logout', headers: bearer(rotated.accessToken) });

    const output = captured.join('');
    // The capture works: the request log lines are in it, the refused sign-ins among them.
    expect(output).toMatch(/auth\/login/);
    expect(output).toMatch(/auth\/refresh/);
    for (const secret of secrets) expect(output.includes(secret)).toBe(false);
    expect(output).not.toMatch(/Bearer [A-Za-z0-9_-]{10,}/);
    expect(output).not.toMatch(/hns_session=[^;\s]/);

    const stored = JSON.stringify([
      await h.db.query(`SELECT details FROM audit_events`),
      await h.db.query(`SELECT payload FROM outbox`),
      await h.db.query(`SELECT subject, last_error FROM email_deliveries`),
    ]);
    expect(stored).toContain('lockedUntil');
    for (const secret of secrets) expect(stored.includes(secret)).toBe(false);
  });
});
