/*
 * The intake baseline: the least a server can do for POST /movements — Fastify parses the JSON
 * and pg inserts it into a scratch table, one statement, no validation, no authentication.
 * Started by bench/intake.ts as a child process, with the API's pool size and body limit.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';

async function main(): Promise<void> {
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DATABASE_POOL_SIZE || 10),
    application_name: 'hns-bench-baseline',
  });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_intake_scratch (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now())`);
  const app = Fastify({ bodyLimit: 256 * 1024 });
  app.post('/movements', async (request, reply) => {
    const { rows } = await pool.query<{ id: string }>(
      'INSERT INTO bench_intake_scratch (body) VALUES ($1) RETURNING id',
      [request.body],
    );
    reply.status(201);
    return { id: rows[0].id };
  });
  const port = Number(process.env.PORT);
  await app.listen({ port, host: '127.0.0.1' });
  console.log(`baseline listening on ${port}`);
  const stop = async () => {
    await app.close();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGUSR2', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
