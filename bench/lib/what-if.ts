import type { Pool } from 'pg';

/**
 * What-if experiments (BENCH_WHATIF=a,b): changes applied to the benchmark's own database only,
 * after the migrations, to measure in the real system what a proposed change to the schema or
 * the database settings would gain, before anyone changes the code. A run with any of them
 * writes bench/results/whatif-latest.json, never latest.json.
 */
export const WHAT_IFS: Record<string, { description: string; sql: string[] }> = {
  'no-notify': {
    description:
      'no NOTIFY in the writing transactions (outbox_notify trigger dropped; the relay polls, ' +
      'continuously while batches are full, else every second)',
    sql: ['DROP TRIGGER outbox_notify ON outbox'],
  },
  'admin1-planar': {
    description:
      'admin1_of() on a planar geometry copy of the regions with its own GiST index, ' +
      'instead of ST_Covers on geography',
    sql: [
      `ALTER TABLE admin1_regions
         ADD COLUMN geom_planar geometry(MultiPolygon, 4326) GENERATED ALWAYS AS (geom::geometry) STORED`,
      'CREATE INDEX admin1_regions_planar_gist ON admin1_regions USING gist (geom_planar)',
      `CREATE OR REPLACE FUNCTION admin1_of(lat double precision, lon double precision) RETURNS text
       LANGUAGE sql STABLE AS $$
         SELECT code FROM admin1_regions
         WHERE ST_Covers(geom_planar, ST_SetSRID(ST_MakePoint(lon, lat), 4326))
         ORDER BY code LIMIT 1
       $$`,
    ],
  },
  'async-commit': {
    description:
      'synchronous_commit = off for the whole database (an upper bound of what fewer WAL ' +
      'flushes, e.g. for email bookkeeping, would gain; not a proposal as such)',
    sql: [], // applied with ALTER DATABASE, see applyWhatIfs
  },
};

export function parseWhatIfs(value: string | undefined): string[] {
  const names = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!WHAT_IFS[name]) {
      throw new Error(
        `BENCH_WHATIF: unknown "${name}" (known: ${Object.keys(WHAT_IFS).join(', ')})`,
      );
    }
  }
  return names;
}

export async function applyWhatIfs(pool: Pool, database: string, names: string[]): Promise<void> {
  for (const name of names) {
    for (const sql of WHAT_IFS[name].sql) await pool.query(sql);
    if (name === 'async-commit') {
      await pool.query(
        `ALTER DATABASE "${database.replace(/"/g, '""')}" SET synchronous_commit = off`,
      );
    }
  }
}
