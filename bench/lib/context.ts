import type { Pool } from 'pg';
import { databaseName } from './db';
import { type ActivityEntry, PgActivitySampler, formatActivity } from './pg-activity';
import type { Options, Sizes } from './env';
import type { Service } from './processes';
import type { SystemQueues } from './queues';
import type { Row } from './report';
import type { SchemaFeatures } from './seed';
import type { SmtpSink } from './smtp-sink';

export interface Account {
  email: string;
  userId: string;
  token: string;
  organisationId?: string;
}

/** What every benchmark gets from the orchestrator (bench/run.ts). */
export interface Context {
  options: Options;
  sizes: Sizes;
  databaseUrl: string;
  redisUrl: string;
  /** The environment the API and worker run with (also for the CLI). */
  env: NodeJS.ProcessEnv;
  pool: Pool;
  apiBase: string;
  api: Service;
  worker: Service;
  sink: SmtpSink;
  queues: SystemQueues;
  accounts: {
    /** NGO focal point of the main organisation (intake, the organisation's list). */
    ngo: Account;
    /** Armed forces liaison: declares zones. */
    liaison: Account;
    /** WFP logistics seat: its review queue. */
    wfp: Account;
    /** OCHA seat: the cell's list. */
    ocha: Account;
  };
  /** A notification exactly as the API stored it, the template of every seeded movement. */
  template: Record<string, unknown>;
  features: SchemaFeatures;
  /** Next free movement index for seeding (references stay unique across benchmarks). */
  nextIndex: number;
  rows: Row[];
  results: Record<string, unknown>;
  /** Peak RSS (MB) per process and phase, from /proc. */
  memory: Record<string, Record<string, number>>;
  log(line?: string): void;
}

/**
 * In profiling mode (--cpu-prof), samples PostgreSQL's activity around `work` and logs where
 * the database's time went; otherwise just runs `work`.
 */
export async function withDbProfile<T>(
  ctx: Context,
  label: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!ctx.options.cpuProfile) return work();
  const sampler = await new PgActivitySampler(
    ctx.databaseUrl,
    databaseName(ctx.databaseUrl),
  ).start();
  try {
    return await work();
  } finally {
    const entries = await sampler.stop();
    ctx.log(
      `  PostgreSQL activity during ${label} (${sampler.samples} samples of pg_stat_activity):`,
    );
    ctx.log(formatActivity(entries));
    const all = (ctx.results.pgActivity ??= {}) as Record<string, ActivityEntry[]>;
    all[label] = entries;
  }
}

/** Reserves `n` movement indexes for a seed. */
export function reserve(ctx: Context, n: number): number {
  const from = ctx.nextIndex;
  ctx.nextIndex += n;
  return from;
}
