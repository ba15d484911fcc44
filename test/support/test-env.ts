import { userInfo } from 'node:os';

/** Where the end-to-end tests keep their data; the global set-up wipes both before a run. */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://127.0.0.1:5432/hns_test';
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379/15';

/**
 * The test database URL, with the user name filled in from the operating system when the URL
 * has none, as psql does. node-postgres only looks at $USER, which CI shells often leave unset.
 */
export function testDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL);
  if (!url.username) url.username = encodeURIComponent(env.USER || userInfo().username);
  return url.toString();
}

export function testRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEST_REDIS_URL || DEFAULT_TEST_REDIS_URL;
}

/** The database name of a postgres:// URL, decoded. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}
