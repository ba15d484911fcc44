import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LogContext, runWithLogContext } from './context';
import { getLogger } from './logger';
import { REQUEST_ID_HEADER } from './request-id';

/** The signed-in actor, as the access guard puts it on the request (libs/auth). */
interface ActorLike {
  userId?: string;
  role?: string;
  seat?: string | null;
  organisationId?: string | null;
}

/** The `code` of an error answer (ErrorResponseFilter's body), kept for the request's line. */
const errorCodes = new WeakMap<FastifyRequest, string>();

/** Error bodies are small; a large body is not parsed for its code. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * One JSON line per HTTP request, written when the response is finished, and the request's log
 * context for everything in between:
 *
 * - the request id (Fastify's `request.id`, from `genReqId: requestIdFrom`) is returned in the
 *   `X-Request-Id` header and put in the log context of the request, so that every line logged
 *   while handling it — and every outbox row it writes — carries it;
 * - the line: method, route pattern (never the URL, which may hold a secret such as a calendar
 *   token), status, duration, response size, the error code of an error answer, and the actor's
 *   user id, role, seat and organisation (never the email address).
 *
 * Install it before the routes are registered (in createApiApp, before `init`).
 */
export function installHttpLogging(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    // Everything after this hook runs in the context, body reading included (tested over a
    // socket with a body arriving in two pieces).
    runWithLogContext(contextOf(request), done);
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400) {
      const code = errorCodeOf(payload);
      if (code) errorCodes.set(request, code);
    }
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    logRequest(request, reply);
    done();
  });
}

function contextOf(request: FastifyRequest): LogContext {
  return { requestId: request.id };
}

function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  const logger = getLogger();
  const status = reply.statusCode;
  const level = status >= 500 ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const route = request.routeOptions?.url ?? '(no route)';
  const actor = (request as FastifyRequest & { actor?: ActorLike }).actor;
  const length = Number(reply.getHeader('content-length'));
  logger[level](
    {
      event: 'http.request',
      requestId: request.id,
      method: request.method,
      route,
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      responseBytes: Number.isFinite(length) ? length : undefined,
      errorCode: errorCodes.get(request),
      actor: actor
        ? {
            userId: actor.userId,
            role: actor.role,
            seat: actor.seat ?? undefined,
            organisationId: actor.organisationId ?? undefined,
          }
        : undefined,
    },
    `${request.method} ${route} ${status}`,
  );
}

function errorCodeOf(payload: unknown): string | undefined {
  const text = Buffer.isBuffer(payload)
    ? payload.length <= MAX_ERROR_BODY
      ? payload.toString('utf8')
      : undefined
    : typeof payload === 'string' && payload.length <= MAX_ERROR_BODY
      ? payload
      : undefined;
  if (!text || !text.startsWith('{')) return undefined;
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
