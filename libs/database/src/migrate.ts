import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DatabaseOptions, createDataSource } from './data-source';

export class DatabaseSetupError extends Error {}

const POSTGIS_HELP =
  'PostGIS is not installed in this PostgreSQL server. Install it, then start again:\n' +
  '  Debian/Ubuntu: sudo apt-get install postgresql-15-postgis-3   (match your PostgreSQL major version)\n' +
  '  macOS (Homebrew): brew install postgis\n' +
  '  Docker: use the postgis/postgis:15-3.4 image (docker compose up does this)';

/**
 * Creates the database if it does not exist yet (a fresh machine needs no manual step),
 * checks that PostGIS can be enabled, and applies pending migrations.
 * Returns the names of the migrations applied.
 */
export async function migrateDatabase(options: DatabaseOptions): Promise<string[]> {
  await ensureDatabaseExists(options.url);
  await ensurePostgisAvailable(options.url);
  const dataSource: DataSource = createDataSource({ ...options, poolSize: 2 });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new DatabaseSetupError('DATABASE_URL: must name a database, e.g. /hns');
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw explain(error, url);
  } finally {
    await probe.end().catch(() => undefined);
  }
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = new Client({
    connectionString: maintenance.toString(),
    connectionTimeoutMillis: 5000,
  });
  try {
    await admin.connect();
    // Identifiers cannot be bound as parameters; quote it the way PostgreSQL does.
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42P04') throw explain(error, url);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

async function ensurePostgisAvailable(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'`,
    );
    if (rows.length === 0) throw new DatabaseSetupError(POSTGIS_HELP);
  } finally {
    await client.end();
  }
}

function explain(error: unknown, url: string): Error {
  const safeUrl = new URL(url);
  if (safeUrl.password) safeUrl.password = '***';
  const message = error instanceof Error ? error.message : String(error);
  return new DatabaseSetupError(
    `Cannot reach PostgreSQL at ${safeUrl.toString()}: ${message}\n` +
      'Start PostgreSQL 15+ with PostGIS, or set DATABASE_URL (see config/.env.example).',
  );
}
