import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { gracefulStop } from './graceful-stop.scenario';
import { HnsDeployment, SEATS, Seat } from './hns';
import { HttpClient } from './http';
import { PostgresCluster, RedisServer } from './infrastructure';
import { DatabaseProbe } from './database-probe';
import { MailLedger } from './mail-ledger';
import { QueueProbe } from './queue-probe';
import { postgresRestart, redisOutage, smtpOutage } from './outages.scenario';
import { onExit, runExitCleanups } from './processes';
import { ScenarioResult, SuiteContext, ensureRunning } from './scenario';
import { FaultableSmtp } from './smtp';
import { printTable } from './table';
import { workerCrashes } from './worker-crash.scenario';

/**
 * `npm run test:faults`: the fault-injection suite of issue 6. Starts its own PostgreSQL, Redis
 * and SMTP servers on free ports of 127.0.0.1, runs the built API and worker against them,
 * injects one fault per scenario and checks that nothing is lost or doubled.
 */
const settings = {
  scenarios: (process.env.FAULTS_SCENARIOS ?? 'a,b,c,d,e').split(',').map((s) => s.trim()),
  movements: positive('FAULTS_MOVEMENTS', 2000),
  kills: positive('FAULTS_KILLS', 4),
  outageMs: positive('FAULTS_OUTAGE_SECONDS', 30) * 1000,
  postgresDownMs: positive('FAULTS_PG_DOWN_SECONDS', 15) * 1000,
};

const PASSWORD = 'fault injection passphrase';
/** Set once the logs exist: copies them to var/faults/ (a failed or aborted run). */
let saveLogs: (() => void) | undefined;

async function main(): Promise<number> {
  const startedAt = Date.now();
  const root = process.cwd();
  if (!existsSync(join(root, 'dist/apps/api/src/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm run test:faults does)');
  }
  const tmp = mkdtempSync(join(tmpdir(), 'hns-faults-'));
  // PostgreSQL runs as the postgres OS user when the suite runs as root: it must reach its dir.
  chmodSync(tmp, 0o755);
  onExit(() => rmSync(tmp, { recursive: true, force: true }));
  const logDir = join(tmp, 'logs');
  mkdirSync(logDir);
  const postgresLog = join(tmp, 'postgres', 'postgres.log');
  saveLogs = () => keepLogs(root, [logDir, postgresLog]);

  console.log(`[faults] servers in ${tmp}`);
  const postgres = new PostgresCluster(join(tmp, 'postgres'));
  const redis = new RedisServer(join(tmp, 'redis'), join(logDir, 'redis.log'));
  const smtp = new FaultableSmtp();
  mkdirSync(join(tmp, 'postgres'));
  await Promise.all([postgres.init().then(() => postgres.start()), redis.start(), smtp.start()]);
  onExit(() => void smtp.stop());

  const hns = await HnsDeployment.create(root, logDir, {
    databaseUrl: postgres.url('hns'),
    redisUrl: redis.url,
    smtpUrl: smtp.url,
  });
  await hns.cli('migrate');
  await hns.cli(
    'org:create',
    ...['--name', 'Fault Injection NGO', '--acronym', 'FAULTS', '--email', 'ops@faults.test'],
  );
  const ngoEmail = 'focal@faults.test';
  const seatEmail = (seat: Seat) => `${seat.replace(/_/g, '-')}@cell-faults.test`;
  const user = (email: string, ...role: string[]) =>
    hns.cli('user:create', '--email', email, '--password', PASSWORD, '--role', ...role);
  // The accounts as an administrator creates them (README), while the processes start.
  await Promise.all([
    user(ngoEmail, 'ngo', '--org', 'FAULTS'),
    ...SEATS.map((seat) => user(seatEmail(seat), 'cell', '--seat', seat)),
    hns.startWorker(),
    hns.startApi(),
  ]);

  const client = new HttpClient(hns.baseUrl);
  const tokens = await Promise.all(SEATS.map((seat) => client.login(seatEmail(seat), PASSWORD)));
  const ctx: SuiteContext = {
    hns,
    postgres,
    redis,
    smtp,
    client,
    db: new DatabaseProbe(postgres.url('hns')),
    queues: new QueueProbe(redis.url, hns.env.QUEUE_PREFIX ?? 'faults'),
    mail: new MailLedger(smtp),
    ngoToken: await client.login(ngoEmail, PASSWORD),
    seatTokens: Object.fromEntries(SEATS.map((seat, i) => [seat, tokens[i]])) as Record<
      Seat,
      string
    >,
  };
  console.log(
    `[faults] ready after ${seconds(startedAt)} s; scenarios ${settings.scenarios.join(', ')}; ` +
      `(a) ${settings.movements} movements, ${settings.kills} kills`,
  );

  const outage = { outageMs: settings.outageMs };
  const scenarios: Record<string, () => Promise<ScenarioResult>> = {
    a: () => workerCrashes(ctx, { movements: settings.movements, kills: settings.kills }),
    b: () => redisOutage(ctx, { ...outage, movements: 160 }),
    c: () => smtpOutage(ctx, { ...outage, movements: 120 }),
    d: () => postgresRestart(ctx, { outageMs: settings.postgresDownMs, movements: 80 }),
    e: () => gracefulStop(ctx, { movements: 200 }),
  };
  const results: ScenarioResult[] = [];
  for (const key of settings.scenarios) {
    const scenario = scenarios[key];
    if (!scenario) throw new Error(`FAULTS_SCENARIOS: unknown scenario "${key}" (a to e)`);
    await ensureRunning(ctx);
    const result = await scenario();
    console.log(
      `[faults] ${result.scenario}: ${result.failures.length ? 'FAILED' : 'ok'} (${result.seconds} s)`,
    );
    results.push(result);
  }
  const strays = ctx.mail.strays;
  printTable(results, strays);

  const failed = strays.length > 0 || results.some((r) => r.failures.length > 0);
  if (failed || process.env.FAULTS_KEEP_LOGS === 'true') saveLogs();
  console.log(`[faults] ${failed ? 'FAILED' : 'passed'} in ${seconds(startedAt)} s`);
  await hns.close();
  await ctx.db.close();
  await Promise.all([redis.close(), smtp.stop(), postgres.stop()]);
  return failed ? 1 : 0;
}

function keepLogs(root: string, sources: string[]): void {
  const target = resolve(root, 'var/faults', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(target, { recursive: true });
  for (const source of sources.filter((path) => existsSync(path))) {
    const into = statSync(source).isDirectory() ? target : join(target, basename(source));
    cpSync(source, into, { recursive: true });
  }
  console.log(`[faults] process logs kept in ${target}`);
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: must be a positive integer`);
  return value;
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}

process.on('exit', runExitCleanups);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`[faults] ${signal}: stopping every server the suite started`);
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      '[faults] aborted:',
      error instanceof Error ? (error.stack ?? error.message) : error,
    );
    saveLogs?.();
    process.exit(1);
  },
);
