import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Env, envSchema } from './env.schema';

export class ConfigError extends Error {}

/** The validated configuration shared by the API, the worker and the CLI. */
export interface AppConfig extends Omit<Env, 'JWT_SECRET' | 'APP_URL'> {
  JWT_SECRET: string;
  APP_URL: string;
  /** Where the development mail sink writes, as an absolute path. */
  mailSinkDir: string;
  /** True when no SMTP_URL is set: mail goes to the embedded sink and /dev/mail lists it. */
  useMailSink: boolean;
}

/**
 * Reads and validates the environment once. Throws ConfigError listing every problem,
 * one per line, each naming the variable, so an operator can fix them all at once.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable is treated as unset, as docker-compose and shells often pass them.
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration (see config/.env.example):\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const mailSinkDir = resolve(env.MAIL_SINK_DIR);
  return {
    ...env,
    DATABASE_URL: withDefaultUser(env.DATABASE_URL, source),
    JWT_SECRET: env.JWT_SECRET ?? developmentJwtSecret(),
    APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    mailSinkDir,
    useMailSink: !env.SMTP_URL,
  };
}

/**
 * Outside production a secret is generated once and kept in var/, so that sessions
 * survive a restart and the API processes of one machine agree on it.
 */
function developmentJwtSecret(): string {
  const file = resolve('var/dev-jwt-secret');
  if (existsSync(file)) {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  }
  const secret = randomBytes(48).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Like psql, connect as the operating-system user when the URL names none: node-postgres
 * only looks at $USER, which service managers and CI shells often leave unset.
 */
function withDefaultUser(url: string, source: NodeJS.ProcessEnv): string {
  const parsed = new URL(url);
  if (parsed.username) return url;
  parsed.username = encodeURIComponent(source.PGUSER || source.USER || userInfo().username);
  return parsed.toString();
}
