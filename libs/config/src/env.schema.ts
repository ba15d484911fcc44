import { z } from 'zod';

/** Seats of the CMCoord cell (DESIGN §2). */
export const SEATS = ['armed_forces_liaison', 'undss', 'wfp_logistics', 'ocha'] as const;

const emailList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .pipe(z.array(z.email({ error: 'must be a comma-separated list of email addresses' })));

/** An origin as browsers send it: http(s)://host[:port], nothing else (no path, no wildcard). */
function isExactOrigin(value: string): boolean {
  try {
    const parsed = new URL(value);
    return (
      (parsed.protocol === 'https:' || parsed.protocol === 'http:') &&
      parsed.origin === value &&
      !value.includes('*')
    );
  } catch {
    return false;
  }
}

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}` },
  );

const bbox = z
  .string()
  .transform((value) => value.split(',').map((part) => Number(part.trim())))
  .refine((n) => n.length === 4 && n.every(Number.isFinite), {
    error: 'must be four numbers "minLon,minLat,maxLon,maxLat"',
  })
  .refine(([minLon, minLat, maxLon, maxLat]) => minLon < maxLon && minLat < maxLat, {
    error: 'min must be below max (order: minLon,minLat,maxLon,maxLat)',
  })
  .refine(
    ([minLon, minLat, maxLon, maxLat]) =>
      minLon >= -180 && maxLon <= 180 && minLat >= -90 && maxLat <= 90,
    { error: 'must lie within longitude -180..180 and latitude -90..90' },
  )
  .transform(([minLon, minLat, maxLon, maxLat]) => ({ minLon, minLat, maxLon, maxLat }));

/**
 * Every environment variable the services read. Documented in config/.env.example;
 * validated once at start-up so a mistake stops the process with a message naming it.
 */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    APP_URL: url(['http:', 'https:']).optional(),
    DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://127.0.0.1:5432/hns'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-z0-9_-]{1,40}$/, { error: 'must be 1-40 characters a-z, 0-9, _ or -' })
      .default('hns'),
    SMTP_URL: url(['smtp:', 'smtps:']).optional(),
    MAIL_FROM: z.string().min(3).default('CMCoord HNS <no-reply@hns.localhost>'),
    MAIL_SINK_PORT: z.coerce.number().int().min(1).max(65535).default(2525),
    MAIL_SINK_DIR: z.string().min(1).default('var/mail'),
    JWT_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
    JWT_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(86400)
      .default(15 * 60),
    // How long this process may reuse a successful token check (ms; 0: every request reads the
    // session and the account). See libs/auth/src/session-cache.ts for what it guarantees.
    AUTH_SESSION_CACHE_MS: z.coerce.number().int().min(0).max(10_000).default(2000),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    WEB_SESSION_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(7 * 86400)
      .default(8 * 3600),
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(60).max(86400).default(900),
    LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(60).max(86400).default(900),
    LOGIN_MAX_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(30),
    API_RATE_LIMIT_PER_USER: z.coerce.number().int().min(0).max(1_000_000).default(600),
    API_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(0).max(1_000_000).default(1200),
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part.length > 0),
      )
      .pipe(
        z.array(
          z.string().refine(isExactOrigin, {
            error:
              'must be a comma-separated list of exact origins such as https://hns.example.org (scheme, host and optional port; no path, no wildcard)',
          }),
        ),
      ),
    UNDSS_ESCALATION_EMAILS: emailList,
    OCHA_CELL_EMAILS: emailList,
    LEAD_TIME_HOURS: z.coerce.number().min(0).max(720).default(48),
    REVIEW_REMINDER_HOURS: z.coerce.number().min(0).max(10_000).default(24),
    OVERDUE_ALERT_HOURS: z.coerce.number().min(0).max(10_000).default(12),
    ESCALATION_ACK_MINUTES: z.coerce.number().min(0).max(10_080).default(120),
    ESCALATION_ACK_CRITICAL_MINUTES: z.coerce.number().min(0).max(10_080).default(30),
    EXPIRY_GRACE_MINUTES: z.coerce.number().min(0).max(10_080).default(0),
    CORRIDOR_WIDTH_KM: z.coerce.number().min(0).max(100).default(5),
    ZONE_RECHECK_BATCH_SIZE: z.coerce.number().int().min(100).max(100_000).default(5000),
    AUDIT_SEAL_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
    OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
    OPERATION_AREA_BBOX: bbox.default(() => ({
      minLon: -12.3,
      minLat: 10.1,
      maxLon: 4.3,
      maxLat: 25.05,
    })),
    OPERATION_COUNTRY_CODE: z
      .string()
      .regex(/^[A-Z]{2}$/, { error: 'must be a two-letter ISO country code in capitals' })
      .default('ML'),
    DEMO_SEED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    // Operations: Prometheus scrapes /metrics with this bearer token; unset, /metrics answers 404.
    METRICS_TOKEN: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
    // The worker's own HTTP port: /health/live, /health/ready and /metrics (0: any free port).
    WORKER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    // The worker's CPU priority below the API's (a Unix nice value, 0 = the same): where both
    // share cores, a burst of submissions is answered first and the worker catches up after.
    WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
    // After SIGTERM the API answers 503 on /health/ready but keeps serving this long.
    SHUTDOWN_DRAIN_SECONDS: z.coerce.number().min(0).max(120).default(0),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production') {
      if (!env.JWT_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_SECRET'],
          message: 'is required in production',
        });
      }
      if (!env.SMTP_URL) {
        ctx.addIssue({
          code: 'custom',
          path: ['SMTP_URL'],
          message: 'is required in production (the embedded mail sink is for development only)',
        });
      }
      if (!env.APP_URL) {
        ctx.addIssue({ code: 'custom', path: ['APP_URL'], message: 'is required in production' });
      }
    }
  });

export type Env = z.output<typeof envSchema>;
