import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { databaseName, testDatabaseUrl } from './test-env';

/**
 * Each harness works in a database of its own, a copy of the migrated test database made by
 * PostgreSQL from it as a template (about 0.1 s): zones, movements and statuses left by one test
 * file can no longer meet another's (they did: a browser test's map opened on other files'
 * zones, a zone re-check counted other files' convoys). The copy is dropped when the harness
 * closes; copies a crashed run left behind are dropped by the next run's global set-up.
 */
export const FILE_DATABASE_INFIX = '_f';

export interface FileDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createFileDatabase(): Promise<FileDatabase> {
  const template = testDatabaseUrl();
  const name = `${databaseName(template)}${FILE_DATABASE_INFIX}${randomBytes(4).toString('hex')}`;
  await onMaintenance(template, 'hns-test-harness', (admin) =>
    admin.query(
      `CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(databaseName(template))}`,
    ),
  );
  const url = Object.assign(new URL(template), { pathname: `/${name}` }).toString();
  return {
    url,
    drop: () =>
      onMaintenance(template, 'hns-test-harness', (admin) =>
        admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
      ).then(() => undefined),
  };
}

/** Drops the copies of the test database that earlier runs left (a crashed or killed run). */
export async function dropFileDatabases(admin: Client, template: string): Promise<void> {
  const prefix = `${databaseName(template)}${FILE_DATABASE_INFIX}`;
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
    [prefix],
  );
  for (const { datname } of rows) {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(datname)} WITH (FORCE)`);
  }
}

/**
 * Runs `work` on a connection to the server's maintenance database (postgres), where databases
 * are created and dropped; an unreachable server is said in words a developer can act on.
 */
export async function onMaintenance<T>(
  url: string,
  applicationName: string,
  work: (admin: Client) => Promise<T>,
): Promise<T> {
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = new Client({
    connectionString: maintenance.toString(),
    connectionTimeoutMillis: 5000,
    application_name: applicationName,
  });
  try {
    await admin.connect();
  } catch (error) {
    if (maintenance.password) maintenance.password = '***';
    throw new Error(
      `Cannot reach PostgreSQL for the end-to-end tests at ${maintenance}: ` +
        `${(error as Error).message}\n` +
        'Start PostgreSQL 15+ with PostGIS, or set TEST_DATABASE_URL.',
      { cause: error },
    );
  }
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Quotes an identifier the way PostgreSQL's quote_ident does; identifiers cannot be bound. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
