import './register-aliases';
import { Redis } from 'ioredis';
import { migrateDatabase } from '@hns/database';
import { dropFileDatabases, onMaintenance, quoteIdentifier } from './file-database';
import { databaseName, testDatabaseUrl, testRedisUrl } from './test-env';

/**
 * Runs once before the end-to-end tests: a fresh, migrated PostgreSQL database and an empty
 * Redis database, so that every run starts from the same state whatever the last one left. The
 * database is the template each harness copies into a database of its own (file-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  const databaseUrl = testDatabaseUrl();
  const redisUrl = testRedisUrl();
  await recreateDatabase(databaseUrl);
  await migrateDatabase({ url: databaseUrl, applicationName: 'hns-test-setup' });
  await flushRedis(redisUrl);
  // Tests run in this process (--runInBand) or in workers forked after it: both see these.
  process.env.TEST_DATABASE_URL = databaseUrl;
  process.env.TEST_REDIS_URL = redisUrl;
}

async function recreateDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  // The database is dropped: refuse anything that does not look like a test database.
  if (!/test/i.test(name)) {
    throw new Error(
      `TEST_DATABASE_URL names the database "${name}"; the end-to-end tests drop and recreate ` +
        'it, so its name must contain "test" (e.g. postgres://127.0.0.1:5432/hns_test)',
    );
  }
  await onMaintenance(url, 'hns-test-setup', async (admin) => {
    const quoted = quoteIdentifier(name);
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    await dropFileDatabases(admin, url);
    // FORCE also ends connections opened between the statement above and this one.
    await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoted}`);
  });
}

async function flushRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // Without a listener ioredis prints every connection error; the rejection below says it once.
  let cause: Error | undefined;
  redis.on('error', (error: Error) => (cause = error));
  try {
    await redis.connect();
    await redis.flushdb();
  } catch (error) {
    throw new Error(
      `Cannot empty the Redis database for the end-to-end tests at ${redact(new URL(url))}: ` +
        `${(cause ?? (error as Error)).message}\nStart Redis 7, or set TEST_REDIS_URL.`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
}

function redact(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password) copy.password = '***';
  return copy.toString();
}
