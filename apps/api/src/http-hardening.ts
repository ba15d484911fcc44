import fastifyCors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import { APP_CONFIG, AppConfig } from '@hns/config';

/**
 * Content-Security-Policy of every answer that does not set its own: the JSON API, /docs
 * (Swagger UI: its scripts and styles are served from here; it styles itself inline) and the
 * development mail pages. The web pages (apps/api/src/web/send.ts) replace it with their
 * stricter one.
 */
function contentSecurityPolicy(production: boolean) {
  return {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'base-uri': ["'none'"],
      'connect-src': ["'self'"],
      'font-src': ["'self'", 'data:'],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
      'img-src': ["'self'", 'data:'],
      'object-src': ["'none'"],
      'script-src': ["'self'"],
      'script-src-attr': ["'none'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      // Behind HTTPS only: on plain http://localhost it would break every asset.
      ...(production ? { 'upgrade-insecure-requests': [] } : {}),
    },
  };
}

/** Headers a browser may read from a cross-origin answer (CORS), besides the safe ones. */
const EXPOSED_HEADERS = [
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
  'location',
  'content-disposition',
];

/**
 * Security headers (helmet) on every answer, HSTS in production, and CORS closed by default:
 * only the exact origins of CORS_ORIGINS may call the API from a browser, without cookies
 * (the API takes bearer tokens). With CORS_ORIGINS empty no answer ever carries
 * Access-Control-Allow-Origin.
 */
export async function registerHardening(app: NestFastifyApplication): Promise<void> {
  const config = app.get<AppConfig>(APP_CONFIG);
  const production = config.NODE_ENV === 'production';
  // helmet's middleware, built once: @fastify/helmet builds it again for every request (it parses
  // the options and the CSP each time, ~0.15 ms per request; bench, issue 7). Same options, same
  // headers, set on every answer (errors and unknown routes included) from the first hook on.
  const securityHeaders = helmet({
    contentSecurityPolicy: contentSecurityPolicy(production),
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: production ? { maxAge: 365 * 24 * 3600, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      try {
        // helmet 8 calls back at once, and throws instead of passing an error.
        securityHeaders(request.raw, reply.raw, () => undefined);
      } catch (error) {
        return done(error as Error);
      }
      done();
    });
  if (config.CORS_ORIGINS.length > 0) {
    await app.register(fastifyCors, {
      origin: config.CORS_ORIGINS,
      credentials: false,
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'accept-language', 'idempotency-key'],
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    });
  }
}
