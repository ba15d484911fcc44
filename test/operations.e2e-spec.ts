import { randomUUID } from 'node:crypto';
// The harness first: it loads the application's modules in the application's order.
import {
  Harness,
  TEST_PASSWORD,
  bearer,
  cellAccount,
  convoyNotice,
  login,
  ngoAccount,
  startHarness,
  uniqueSuffix,
} from './support/harness';
import { getQueueToken } from '@nestjs/bullmq';
import { NotFoundException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { ReadinessProbe } from '@hns/metrics';
import { ALL_QUEUE_NAMES, AUDIT_SEAL_QUEUE, OUTBOX_PRUNE_QUEUE } from '@hns/queue';
import type { DataSource } from 'typeorm';
import { ApiMetrics, QUEUE_STATES } from '../apps/api/src/operations/api-metrics';
import { MetricsController } from '../apps/api/src/operations/metrics.controller';
import { WorkerHttpServer } from '../apps/worker/src/worker-operations';
import { WebClient } from './browser/support/web-client';
import { waitFor } from './support/wait-for';

const METRICS_TOKEN = randomBytes(24).toString('base64url'); // 32 characters
const DASHBOARD = '/admin/queues';

/** The value of one series in Prometheus text format, or undefined when it is absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('operations: metrics, health, queue dashboard', () => {
  let h: Harness;
  let closed = false;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;
  let cell: { token: string };
  let admin: { email: string; token: string };
  let workerPort: number;

  beforeAll(async () => {
    h = await startHarness({
      worker: true,
      env: { METRICS_TOKEN, SHUTDOWN_DRAIN_SECONDS: '1' },
    });
    ngo = await ngoAccount(h);
    cell = await cellAccount(h, 'ocha');
    const email = `admin-${uniqueSuffix().toLowerCase()}@hns.test`;
    await h.accounts.createUser({ email, password: TEST_PASSWORD, role: 'admin' });
    admin = { email, token: await login(h, email) };
    workerPort = await h.worker!.get(WorkerHttpServer).listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    if (!closed) await h?.close();
  });

  const scrape = async () => {
    const response = await h.api.inject({
      method: 'GET',
      url: '/metrics',
      headers: bearer(METRICS_TOKEN),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    return response.body;
  };
  const workerGet = (path: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${workerPort}${path}`, { headers });

  describe('health', () => {
    it('answers liveness without checking anything, readiness after checking the dependencies', async () => {
      const live = await h.api.inject({ method: 'GET', url: '/health/live' });
      expect(live.statusCode).toBe(200);
      expect(live.json()).toEqual({ status: 'live' });

      const ready = await h.api.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      const body = ready.json();
      expect(body.status).toBe('ready');
      for (const name of ['postgres', 'redis', 'migrations']) {
        expect(body.checks[name].status).toBe('up');
      }
      // The original combined check is still there.
      expect((await h.api.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    });

    it('is not ready while a migration is missing or Redis does not answer, naming the check', async () => {
      const pending = new ReadinessProbe(
        {
          query: (sql: string, parameters?: unknown[]) => h.db.query(sql, parameters),
          migrations: [
            ...h.db.migrations,
            { name: 'NotYetApplied1999999999999', up: async () => {} },
          ],
        } as unknown as DataSource,
        async () => undefined,
      );
      const withoutMigration = await pending.probe(false);
      expect(withoutMigration.status).toBe('not_ready');
      expect(withoutMigration.checks.migrations).toMatchObject({ status: 'down' });
      expect(withoutMigration.checks.migrations.error).toContain('NotYetApplied1999999999999');
      expect(withoutMigration.checks.postgres.status).toBe('up');

      const noRedis = new ReadinessProbe(h.db, () => Promise.reject(new Error('ECONNREFUSED')));
      const down = await noRedis.probe(false);
      expect(down.status).toBe('not_ready');
      expect(down.checks.redis).toMatchObject({ status: 'down', error: 'ECONNREFUSED' });
      expect(down.checks.migrations.status).toBe('up');
      expect((await noRedis.probe(true)).status).toBe('shutting_down');
    });

    it("serves the worker's liveness and readiness on its own port", async () => {
      const live = await workerGet('/health/live');
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'live' });
      const ready = await workerGet('/health/ready');
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { status: string }).status).toBe('ready');
      const unknown = await workerGet('/nothing', { 'accept-language': 'fr' });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { message: string }).message).toBe(
        'Route inconnue : GET /nothing.',
      );
    });
  });

  describe('/metrics', () => {
    it('requires the metrics token (401, in the caller’s language), not a user token', async () => {
      for (const headers of [
        {},
        bearer('x'.repeat(32)),
        bearer(`${METRICS_TOKEN}x`),
        bearer(admin.token),
        { authorization: METRICS_TOKEN },
      ]) {
        const response = await h.api.inject({
          method: 'GET',
          url: '/metrics',
          headers: { ...headers, 'accept-language': 'fr' },
        });
        expect(response.statusCode).toBe(401);
        expect(response.json().message).toContain('Authorization: Bearer');
        expect(response.body).not.toContain('hns_');
      }
    });

    it('answers 404 when no METRICS_TOKEN is configured', async () => {
      const config = h.api.get<AppConfig>(APP_CONFIG);
      const disabled = new MetricsController(h.api.get(ApiMetrics), {
        ...config,
        METRICS_TOKEN: undefined,
      });
      const request = { headers: bearer(METRICS_TOKEN) } as unknown as FastifyRequest;
      await expect(disabled.scrape(request, {} as FastifyReply)).rejects.toBeInstanceOf(
        NotFoundException,
      );
    });

    it('exposes every named series after a request, a job and an email went through', async () => {
      // One request (a submission), its jobs (receipt email, review fan-out) and its email.
      const created = await h.api.inject({
        method: 'POST',
        url: '/movements',
        headers: bearer(ngo.token),
        payload: convoyNotice(72),
      });
      expect(created.statusCode).toBe(201);
      const { id } = created.json();
      // A short-notice emergency is escalated to UNDSS automatically (severity high).
      const emergency = await h.api.inject({
        method: 'POST',
        url: '/movements',
        headers: bearer(ngo.token),
        payload: convoyNotice(20, {
          priority: 'emergency',
          emergencyReason: 'Cholera outbreak in Gao, urgent medical resupply',
        }),
      });
      expect(emergency.statusCode).toBe(201);
      const read = await h.api.inject({
        method: 'GET',
        url: `/movements/${id}`,
        headers: bearer(ngo.token),
      });
      expect(read.statusCode).toBe(200);
      await waitFor(
        async () =>
          (
            await h.db.query(
              `SELECT 1 FROM email_deliveries WHERE movement_id = $1 AND kind = 'movement.receipt' AND status = 'sent'`,
              [id],
            )
          ).length > 0,
        { description: 'the receipt email to be sent', timeoutMs: 20_000 },
      );
      await waitFor(
        async () =>
          (
            await h.db.query(`SELECT 1 FROM security_escalations WHERE movement_id = $1`, [
              emergency.json().id,
            ])
          ).length > 0,
        { description: 'the emergency to be escalated', timeoutMs: 20_000 },
      );

      // A deadline due in five minutes: within the relay's horizon, so a delayed job now (later
      // timers wait in the outbox). Its escalation does not exist: when it fires, it does nothing.
      const [timer] = await h.db.query(
        `INSERT INTO outbox (queue, job_name, payload, run_at)
         VALUES ('timers', 'escalation.deadline', $1::jsonb, now() + interval '5 minutes') RETURNING id`,
        [JSON.stringify({ escalationId: randomUUID(), alert: 1 })],
      );
      await waitFor(
        async () =>
          (await h.db.query(`SELECT relayed_at FROM outbox WHERE id = $1`, [timer.id]))[0]
            .relayed_at !== null,
        { description: 'the deadline to be relayed' },
      );

      const text = await scrape();
      // HTTP latency by method, route pattern and status class.
      expect(
        sample(text, 'hns_http_request_duration_seconds_count', {
          method: 'POST',
          route: '/movements',
          status_class: '2xx',
        }),
      ).toBeGreaterThanOrEqual(2);
      expect(
        sample(text, 'hns_http_request_duration_seconds_count', {
          method: 'GET',
          route: '/movements/:id',
          status_class: '2xx',
        }),
      ).toBeGreaterThanOrEqual(1);
      // Route labels are patterns: no id ever becomes a label.
      expect(text).not.toContain(id);
      expect(text).not.toMatch(/route="[^"]*[0-9a-f]{8}-[0-9a-f]{4}-/);

      // Queue depths by queue and state.
      for (const queue of ALL_QUEUE_NAMES) {
        for (const state of QUEUE_STATES) {
          expect(sample(text, 'hns_queue_jobs', { queue, state })).toBeGreaterThanOrEqual(0);
        }
      }
      expect(sample(text, 'hns_queue_jobs', { queue: 'timers', state: 'delayed' })).toBeGreaterThan(
        0,
      );

      // Outbox lag, open escalations by severity, emails by kind.
      expect(sample(text, 'hns_outbox_pending')).toBeGreaterThanOrEqual(0);
      // Relayed within a second or so: the oldest unrelayed row (if any) is young.
      expect(sample(text, 'hns_outbox_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'hns_outbox_lag_seconds')).toBeLessThan(60);
      const [{ open }] = await h.db.query(
        `SELECT count(*)::int AS open FROM security_escalations WHERE status <> 'resolved' AND severity = 'high'`,
      );
      expect(sample(text, 'hns_escalations_open', { severity: 'high' })).toBe(open);
      expect(open).toBeGreaterThanOrEqual(1);
      for (const severity of ['critical', 'medium', 'low']) {
        expect(sample(text, 'hns_escalations_open', { severity })).toBeGreaterThanOrEqual(0);
      }
      const [{ overdue }] = await h.db.query(
        `SELECT count(*)::int AS overdue FROM security_escalations
         WHERE status = 'open' AND severity = 'high' AND acknowledge_by < now()`,
      );
      expect(sample(text, 'hns_escalations_overdue', { severity: 'high' })).toBe(overdue);
      expect(sample(text, 'hns_emails_sent', { kind: 'movement.receipt' })).toBeGreaterThanOrEqual(
        1,
      );
      expect(text).toContain('# TYPE hns_emails_failed gauge');
      expect(sample(text, 'hns_metrics_source_up', { source: 'postgres' })).toBe(1);
      expect(sample(text, 'hns_metrics_source_up', { source: 'redis' })).toBe(1);
      // Node's default metrics.
      expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(text).toContain('nodejs_eventloop_lag_seconds');
    });

    it('still answers when PostgreSQL does not, saying which source failed', async () => {
      const failing = new ApiMetrics(
        { query: () => Promise.reject(new Error('connection refused')) } as unknown as DataSource,
        h.api.get(ModuleRef),
      );
      const { body } = await failing.metrics();
      expect(sample(body, 'hns_metrics_source_up', { source: 'postgres' })).toBe(0);
      expect(sample(body, 'hns_metrics_source_up', { source: 'redis' })).toBe(1);
      expect(sample(body, 'hns_outbox_pending')).toBeNaN();
      expect(sample(body, 'hns_outbox_lag_seconds')).toBeNaN();
      expect(sample(body, 'hns_escalations_open', { severity: 'high' })).toBeUndefined();
      expect(sample(body, 'hns_emails_sent', { kind: 'movement.receipt' })).toBeUndefined();
      expect(
        sample(body, 'hns_queue_jobs', { queue: 'mail', state: 'waiting' }),
      ).toBeGreaterThanOrEqual(0);
    });

    it("exposes the worker's job durations by queue and outcome, behind the same token", async () => {
      expect((await workerGet('/metrics')).status).toBe(401);
      expect((await workerGet('/metrics', bearer(`${METRICS_TOKEN}x`))).status).toBe(401);
      const text = await waitFor(
        async () => {
          const response = await workerGet('/metrics', bearer(METRICS_TOKEN));
          expect(response.status).toBe(200);
          const body = await response.text();
          const done = (queue: string) =>
            sample(body, 'hns_job_duration_seconds_count', { queue, outcome: 'completed' }) ?? 0;
          return done('mail') >= 1 && done('review') >= 1 && body;
        },
        { description: 'the worker to report a mail job and a review job' },
      );
      expect(text).toContain('# TYPE hns_job_duration_seconds histogram');
      expect(
        sample(text, 'hns_job_duration_seconds_bucket', {
          queue: 'mail',
          outcome: 'completed',
          le: '+Inf',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    });
  });

  describe('queue dashboard', () => {
    it('refuses anonymous callers (401, or the sign-in page for a browser) and other roles (403)', async () => {
      const anonymous = await h.api.inject({
        method: 'GET',
        url: `${DASHBOARD}/api/queues`,
        headers: { 'accept-language': 'fr' },
      });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().code).toBe('http.unauthorized');
      expect(anonymous.json().message).toContain('Authorization: Bearer');

      const browser = await h.api.inject({
        method: 'GET',
        url: DASHBOARD,
        headers: { accept: 'text/html,application/xhtml+xml' },
      });
      expect(browser.statusCode).toBe(303);
      expect(browser.headers.location).toBe('/web/sign-in?next=%2Fadmin%2Fqueues');

      const forged = await h.api.inject({
        method: 'GET',
        url: DASHBOARD,
        headers: bearer('not-a-token'),
      });
      expect(forged.statusCode).toBe(401);

      const asset = await h.api.inject({
        method: 'GET',
        url: `${DASHBOARD}/static/images/logo.svg`,
      });
      expect(asset.statusCode).toBe(401);

      for (const token of [ngo.token, cell.token]) {
        for (const url of [DASHBOARD, `${DASHBOARD}/api/queues`]) {
          const response = await h.api.inject({ method: 'GET', url, headers: bearer(token) });
          expect(response.statusCode).toBe(403);
          expect(response.json().code).toBe('http.forbidden');
        }
        const write = await h.api.inject({
          method: 'PUT',
          url: `${DASHBOARD}/api/queues/deconfliction/pause`,
          headers: bearer(token),
        });
        expect(write.statusCode).toBe(403);
      }
    });

    it('shows an administrator the dashboard, its assets and every queue', async () => {
      const page = await h.api.inject({
        method: 'GET',
        url: DASHBOARD,
        headers: bearer(admin.token),
      });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('<div id="root">');
      expect(page.body).toContain('<base href="/admin/queues/"');
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).not.toContain('fonts.googleapis.com');

      const scripts = [...page.body.matchAll(/src="(static\/js\/[^"]+\.js)"/g)].map((m) => m[1]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) {
        const asset = await h.api.inject({
          method: 'GET',
          url: `${DASHBOARD}/${script}`,
          headers: bearer(admin.token),
        });
        expect(asset.statusCode).toBe(200);
        expect(asset.headers['content-type']).toContain('javascript');
      }

      const api = await h.api.inject({
        method: 'GET',
        url: `${DASHBOARD}/api/queues`,
        headers: bearer(admin.token),
      });
      expect(api.statusCode).toBe(200);
      const names = (api.json().queues as { name: string }[]).map((q) => q.name).sort();
      expect(names).toEqual([...ALL_QUEUE_NAMES].sort());
      // The worker's sealing and retention schedulers are there too.
      expect(names).toEqual(expect.arrayContaining([AUDIT_SEAL_QUEUE, OUTBOX_PRUNE_QUEUE]));
    });

    it('accepts the session cookie for reading, and for writing only from its own pages', async () => {
      const web = new WebClient(h.api);
      await web.signIn(admin.email, TEST_PASSWORD);
      const cookie = [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const queue = h.api.get<Queue>(getQueueToken('deconfliction'), { strict: false });

      const read = await h.api.inject({
        method: 'GET',
        url: `${DASHBOARD}/api/queues`,
        headers: { cookie },
      });
      expect(read.statusCode).toBe(200);

      const pause = (headers: Record<string, string | undefined>) =>
        h.api.inject({
          method: 'PUT',
          url: `${DASHBOARD}/api/queues/deconfliction/pause`,
          headers: { cookie, ...(headers as Record<string, string>) },
        });
      for (const headers of [
        { origin: 'https://evil.example' },
        {},
        { 'sec-fetch-site': 'same-site' },
      ]) {
        const refused = await pause({ ...headers, 'accept-language': 'en' });
        expect(refused.statusCode).toBe(403);
        expect(refused.json().code).toBe('operations.dashboard_cross_origin');
        expect(await queue.isPaused()).toBe(false);
      }

      const allowed = await pause({ origin: 'http://hns.test' });
      expect(allowed.statusCode).toBe(200);
      expect(await queue.isPaused()).toBe(true);
      const resumed = await h.api.inject({
        method: 'PUT',
        url: `${DASHBOARD}/api/queues/deconfliction/resume`,
        headers: bearer(admin.token),
      });
      expect(resumed.statusCode).toBe(200);
      expect(await queue.isPaused()).toBe(false);
    });

    it('refuses the actions that would drop or forge work handed over by the outbox', async () => {
      const mail = h.api.get<Queue>(getQueueToken('mail'), { strict: false });
      await mail.add('probe', { probe: true }, { delay: 3_600_000, jobId: 'ops-probe' });
      for (const [method, url] of [
        ['PUT', '/api/queues/mail/empty'],
        ['PUT', '/api/queues/mail/obliterate'],
        ['POST', '/api/queues/mail/add'],
        ['PUT', '/api/queues/mail/clean/delayed'],
        ['PATCH', '/api/queues/mail/ops-probe/update-data'],
        // Removing a job not finished, putting it off or reordering it.
        ['PUT', '/api/queues/mail/ops-probe/clean'],
        ['PATCH', '/api/queues/mail/ops-probe/delay'],
        ['PATCH', '/api/queues/mail/ops-probe/priority'],
        ['PUT', '/api/queues/mail/ops-probe/remove-unprocessed-children'],
        // The worker's own schedules.
        ['PUT', `/api/queues/${AUDIT_SEAL_QUEUE}/job-schedulers/audit.seal/remove`],
        ['PATCH', `/api/queues/${AUDIT_SEAL_QUEUE}/job-schedulers/audit.seal`],
        // A deadline run before its time.
        ['PUT', '/api/queues/timers/promote'],
        ['PUT', '/api/queues/timers/ops-probe-timer/promote'],
      ] as const) {
        const response = await h.api.inject({
          method,
          url: `${DASHBOARD}${url}`,
          headers: { ...bearer(admin.token), 'accept-language': 'fr' },
          payload: {},
        });
        expect(response.statusCode).toBe(403);
        expect(response.json().code).toBe('operations.dashboard_action_refused');
        expect(response.json().message).toContain('désactivée');
      }
      expect(await mail.getJob('ops-probe')).toBeDefined();
      expect(await mail.getDelayedCount()).toBeGreaterThanOrEqual(1);
      // Another queue's delayed job may be promoted.
      const promoted = await h.api.inject({
        method: 'PUT',
        url: `${DASHBOARD}/api/queues/deconfliction/promote`,
        headers: bearer(admin.token),
      });
      expect(promoted.statusCode).toBeLessThan(300);
      // Cleaning finished jobs is allowed.
      const clean = await h.api.inject({
        method: 'PUT',
        url: `${DASHBOARD}/api/queues/mail/clean/completed`,
        headers: bearer(admin.token),
      });
      expect(clean.statusCode).toBe(200);
      // So is removing one finished job: a job the worker failed (no handler for it).
      await mail.add('probe', { probe: true }, { jobId: 'ops-probe-failed', attempts: 1 });
      await waitFor(
        async () => (await (await mail.getJob('ops-probe-failed'))?.getState()) === 'failed',
        { description: 'the probe job to fail' },
      );
      const removed = await h.api.inject({
        method: 'PUT',
        url: `${DASHBOARD}/api/queues/mail/ops-probe-failed/clean`,
        headers: bearer(admin.token),
      });
      expect(removed.statusCode).toBe(204);
      expect(await mail.getJob('ops-probe-failed')).toBeUndefined();
      await (await mail.getJob('ops-probe'))?.remove();
    });
  });

  it('answers readiness 503 as soon as shutdown begins, while still serving', async () => {
    closed = true;
    const closing = h.close();
    const during = await waitFor(
      async () => {
        const response = await h.api.inject({ method: 'GET', url: '/health/ready' });
        return response.statusCode === 503 && response;
      },
      {
        description: 'readiness to turn 503 once shutdown begins',
        timeoutMs: 30_000,
        intervalMs: 20,
      },
    );
    expect(during.json().status).toBe('shutting_down');
    // Liveness still answers during the drain.
    expect((await h.api.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    await closing;
  });
});
