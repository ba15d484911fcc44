import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A parameterised statement run as a named prepared statement: PostgreSQL parses and plans it
 * once per pooled connection instead of on every call, and the rows come back without TypeORM's
 * query runner around them. For statements run once or more per email or job (bench, issue 7);
 * TypeORM's query() has no named statements. `name` must stand for this one text everywhere.
 * The connection comes from the data source's own pool, so its settings and limits apply.
 */
export async function preparedQuery<T extends QueryResultRow = QueryResultRow>(
  db: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const pool = (db.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error(`preparedQuery ${name}: the data source is not initialised`);
  const result = await pool.query<T>({ name, text, values });
  return result.rows;
}
