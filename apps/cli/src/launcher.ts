import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AccountsService, DemoLogin, seedDemo } from '@hns/auth';
import { AppConfig, ConfigError, loadConfig } from '@hns/config';
import { DatabaseSetupError, migrateDatabase } from '@hns/database';
import { AdminModule } from './admin.module';

/**
 * `npm start`: migrate, seed a demo on an empty database (outside production), then run the
 * API and the worker as child processes, restarting one that crashes and stopping both cleanly.
 */
async function launch(): Promise<void> {
  const config = loadConfig();
  const applied = await migrateDatabase({ url: config.DATABASE_URL });
  if (applied.length) console.log(`[start] migrations applied: ${applied.join(', ')}`);

  let logins: DemoLogin[] = [];
  if (config.NODE_ENV !== 'production' && config.DEMO_SEED) {
    logins = await seedIfEmpty();
  }

  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const start = (name: keyof typeof HEAP_FLAGS, script: string, restarts = 0) => {
    const execArgv = [...process.execArgv, HEAP_FLAGS[name]];
    const child = fork(script, [], { stdio: 'inherit', env: process.env, execArgv });
    children.set(name, child);
    const startedAt = Date.now();
    child.on('exit', (code, signal) => {
      children.delete(name);
      if (stopping) {
        if (children.size === 0) process.exit(0);
        return;
      }
      const quick = Date.now() - startedAt < 10_000;
      const next = quick ? restarts + 1 : 0;
      if (next > 5) {
        console.error(`[start] ${name} keeps crashing (exit ${code ?? signal}); stopping.`);
        shutdown('SIGTERM');
        return;
      }
      const delay = Math.min(30_000, 1000 * 2 ** next);
      console.error(`[start] ${name} exited (${code ?? signal}); restarting in ${delay / 1000} s`);
      setTimeout(() => start(name, script, next), delay);
    });
  };
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const child of children.values()) child.kill(signal);
    if (children.size === 0) process.exit(0);
    setTimeout(() => process.exit(1), 30_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  start('worker', join(__dirname, '../../worker/src/main.js'));
  start('api', join(__dirname, '../../api/src/main.js'));
  printWelcome(config, logins);
}

/**
 * The worker's V8 heap is capped (issue 7): its live heap is under 50 MB after a full GC, but
 * without a cap V8 grows the heap towards its default limit and keeps what it freed, so the
 * worker's RSS reached 643 MB during the benchmarks (201 MB with a 128 MB cap, same throughput).
 * 192 MB leaves room for a zone re-check batch. The API's likewise: 325 MB RSS during the intake
 * and pipeline benchmarks uncapped, 225 MB with 256 MB at the same throughput; its heap holds
 * requests in flight (bodies up to 256 KB, export pages), hence the larger cap. Also in
 * package.json start:api / start:worker, the Dockerfile and docker-compose.yml.
 */
const HEAP_FLAGS = {
  api: '--max-old-space-size=256',
  worker: '--max-old-space-size=192',
} as const;

async function seedIfEmpty(): Promise<DemoLogin[]> {
  const app = await NestFactory.createApplicationContext(AdminModule, { logger: ['error'] });
  try {
    const accounts = app.get(AccountsService);
    if ((await accounts.countUsers()) > 0) return [];
    return await seedDemo(accounts);
  } finally {
    await app.close();
  }
}

function printWelcome(config: AppConfig, logins: DemoLogin[]): void {
  const lines = [
    '',
    'CMCoord HNS',
    `  API / API:                 ${config.APP_URL}`,
    `  Documentation (OpenAPI):   ${config.APP_URL}/docs`,
    `  Health / état:             ${config.APP_URL}/health`,
  ];
  if (config.useMailSink) lines.push(`  Emails (dev sink):         ${config.APP_URL}/dev/mail`);
  if (logins.length) {
    const file = resolve('var/demo-logins.txt');
    mkdirSync(resolve('var'), { recursive: true });
    const table = logins.map(
      (l) =>
        `  ${l.email.padEnd(34)} ${l.password.padEnd(20)} ${l.role}${l.seat ? ` (${l.seat})` : ''}${l.organisation ? ` (${l.organisation})` : ''}`,
    );
    writeFileSync(file, `${table.join('\n')}\n`, { mode: 0o600 });
    lines.push(
      '',
      'Demo accounts / comptes de démonstration (also in var/demo-logins.txt):',
      ...table,
    );
  }
  console.log(lines.join('\n') + '\n');
}

launch().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DatabaseSetupError;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
