import { createBullBoard } from '@bull-board/api';
import type { IServerAdapter } from '@bull-board/api/typings/app';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthService, SESSION_COOKIE } from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { ErrorResponseFilter, forbidden, unauthorized } from '@hns/http';
import { negotiateLocale } from '@hns/i18n';
import { ALL_QUEUE_NAMES, QUEUES } from '@hns/queue';

/** Where the BullMQ dashboard lives (administrators only). */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * The dashboard's own Content-Security-Policy: Bull Board's page sets inline styles (hence
 * 'unsafe-inline' for styles only) and a <base href>; scripts stay 'self' only, and nothing is
 * loaded from another site (its Google Fonts link is removed: the system fonts are used).
 * Checked in Chromium: the dashboard renders and acts with no CSP violation.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join('; ');

/**
 * Actions the dashboard would offer that drop, forge or put off work already handed over by the
 * outbox (its rows are marked relayed, so nothing would bring the jobs back), or stop the
 * worker's own schedules (audit sealing, outbox retention): refused. Putting off includes a new
 * delay (an escalation's deadline) and a new priority (escalations go first); a deadline
 * (the timers queue) is not promoted either. Retrying, promoting other jobs, pausing and removing
 * finished (completed or failed) jobs stay available; removing one job is checked against its
 * state (FINISHED_JOB_ONLY).
 */
const REFUSED_ACTIONS: RegExp[] = [
  /^\/api\/queues\/[^/]+\/add$/,
  /^\/api\/queues\/[^/]+\/empty$/,
  /^\/api\/queues\/[^/]+\/obliterate$/,
  /^\/api\/queues\/[^/]+\/[^/]+\/update-data$/,
  /^\/api\/queues\/[^/]+\/clean\/(?!(?:completed|failed)$)[^/]+$/,
  /^\/api\/queues\/[^/]+\/[^/]+\/(?:delay|priority|remove-unprocessed-children)$/,
  /^\/api\/queues\/[^/]+\/job-schedulers\/[^/]+(?:\/remove)?$/,
  // A deadline run early would record it missed and alert UNDSS and OCHA before its time.
  new RegExp(`^/api/queues/${QUEUES.timers}/(?:[^/]+/)?promote$`),
];

/** Removing one job (Bull Board's "clean" of a job): only once it has completed or failed. */
const FINISHED_JOB_ONLY = /^\/api\/queues\/([^/]+)\/([^/]+)\/clean$/;

type CookieRequest = FastifyRequest & { cookies?: Record<string, string | undefined> };

/**
 * Bull Board at /admin/queues, showing every queue of libs/queue (with QUEUE_PREFIX). Its
 * routes are plain Fastify routes, outside Nest and its AccessGuard, so a hook of their own
 * scope authenticates each request as the guard does (bearer token, or the pages' session
 * cookie) and admits role `admin` only. A write (PUT, POST, PATCH, DELETE) authenticated by the
 * cookie must come from this site's own pages (Origin check): the cookie is SameSite=Lax, which
 * already keeps it off cross-site writes, but not off those of a sibling subdomain.
 */
export async function registerQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const auth = app.get(AuthService);
  const config = app.get<AppConfig>(APP_CONFIG);
  const appOrigin = new URL(config.APP_URL).origin;
  const errors = new ErrorResponseFilter();

  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: ALL_QUEUE_NAMES.map(
      (name) =>
        new BullMQAdapter(app.get<Queue>(getQueueToken(name), { strict: false }), {
          readOnlyMode: false,
          allowRetries: true,
        }),
    ),
    // @bull-board/fastify 9.10.1 types itself against its own copy of @bull-board/api 9.10.1;
    // the interface is the same.
    serverAdapter: serverAdapter as unknown as IServerAdapter,
    options: {
      uiConfig: {
        boardTitle: 'CMCoord HNS',
        miscLinks: [{ text: 'CMCoord HNS (web)', url: '/web' }],
      },
    },
  });

  const fail = (request: FastifyRequest, reply: FastifyReply, exception: unknown) => {
    const locale = negotiateLocale(request.headers['accept-language']);
    const { body, headers } = errors.render(exception, locale, request);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    return reply
      .status(body.statusCode)
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(body);
  };

  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const cookie = bearer ? undefined : (request as CookieRequest).cookies?.[SESSION_COOKIE];
    const token = bearer ?? cookie;
    const browser =
      request.method === 'GET' && String(request.headers.accept ?? '').includes('text/html');
    let role: string;
    try {
      if (!token) throw unauthorized();
      role = (await auth.authenticate(token)).role;
    } catch (exception) {
      if (browser && exceptionStatus(exception) === 401) {
        const next = encodeURIComponent(request.url);
        return reply
          .status(303)
          .header('location', `/web/sign-in?next=${next}`)
          .header('cache-control', 'no-store')
          .send();
      }
      return fail(request, reply, exception);
    }
    if (role !== 'admin') return fail(request, reply, forbidden());
    const write = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
    if (write && cookie && !sameOrigin(request, appOrigin)) {
      return fail(request, reply, forbidden('operations.dashboard_cross_origin'));
    }
    const action = path.slice(QUEUE_DASHBOARD_PATH.length);
    if (!write) return;
    const single = FINISHED_JOB_ONLY.exec(action);
    if (
      REFUSED_ACTIONS.some((pattern) => pattern.test(action)) ||
      (single && !(await isFinished(single[1], single[2])))
    ) {
      return fail(request, reply, forbidden('operations.dashboard_action_refused'));
    }
  };

  /** Whether job `jobId` of queue `name` has completed or failed (a job not found: true). */
  const isFinished = async (name: string, jobId: string): Promise<boolean> => {
    let queueName: string;
    let id: string;
    try {
      [queueName, id] = [decodeURIComponent(name), decodeURIComponent(jobId)];
    } catch {
      return false; // not a name Bull Board could have given: refused
    }
    if (!ALL_QUEUE_NAMES.includes(queueName)) return true; // Bull Board answers 404
    const queue = app.get<Queue>(getQueueToken(queueName), { strict: false });
    const job = await queue.getJob(id);
    if (!job) return true;
    return ['completed', 'failed'].includes(await job.getState());
  };

  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onRequest', admit);
    scope.addHook('onSend', async (request, reply, payload) => {
      reply
        .header('content-security-policy', DASHBOARD_CSP)
        .header('x-frame-options', 'DENY')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'same-origin');
      // Pages and API answers hold job data (ids of movements and escalations): never cached.
      if (!request.url.startsWith(`${QUEUE_DASHBOARD_PATH}/static/`)) {
        reply.header('cache-control', 'no-store');
      }
      // The page links Google Fonts, which the CSP blocks anyway: leave the link out so that
      // no browser tries (nothing leaves for another site, no console error; system fonts).
      if (typeof payload === 'string' && payload.includes('fonts.googleapis.com')) {
        return payload.replace(/<link\b[^>]*fonts\.googleapis\.com[^>]*>/g, '');
      }
      return payload;
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  });
}

/** A browser's write from this site's own pages: its Origin is ours (or, without Origin, Sec-Fetch-Site says so). */
function sameOrigin(request: FastifyRequest, appOrigin: string): boolean {
  const origin = request.headers.origin;
  if (origin) return origin === appOrigin || origin === `${request.protocol}://${request.host}`;
  return request.headers['sec-fetch-site'] === 'same-origin';
}

function exceptionStatus(exception: unknown): number | undefined {
  const getStatus = (exception as { getStatus?: () => number }).getStatus;
  return typeof getStatus === 'function' ? getStatus.call(exception) : undefined;
}
