import { createHash } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { OutboxSignal, outboxChannel } from './outbox';
import { RelayPacer } from './relay-pacer';
import {
  BATCHED_JOBS,
  BATCHED_QUEUES,
  JOB_OPTIONS,
  QUEUE_NAMES,
  QueueName,
  TIMER_RELAY_HORIZON_SECONDS,
  isUrgentJob,
  priorityOf,
} from './queues';

export interface OutboxRow {
  id: string;
  queue: QueueName;
  job_name: string;
  payload: Record<string, unknown>;
  correlation_id: string | null;
  run_at: Date | null;
}

const BATCH_SIZE = 500;
/**
 * Relay loops in each process, each claiming its own rows (SKIP LOCKED): a batch spends most of
 * its time waiting on PostgreSQL and Redis, so two overlap (pipeline benchmark: the relay was
 * what bounded the review fan-out once fan-outs ran in batches).
 */
const RELAY_LOOPS = 2;
/** Idle polling backs off from the first to the last delay; any work found resets it. */
const IDLE_POLL_MS = [50, 100, 200, 250];
const MAX_BACKOFF_MS = 15_000;
/**
 * Once caught up, batches start at most every RELAY_GATHER_MS (RelayPacer): under a stream of
 * submissions each batch carries several instead of one, for a delay of at most this much.
 */
export const RELAY_GATHER_MS = 25;

/**
 * Moves committed outbox rows to BullMQ. The job id is the outbox id, so a relay that crashes
 * between enqueueing and marking the rows relayed enqueues nothing twice when it runs again.
 * Several workers may relay at once: rows are claimed with FOR UPDATE SKIP LOCKED.
 *
 * It polls adaptively (at once again while it finds work, then every 50 ms backing off to
 * 250 ms when idle) and is woken by a nudge published after each commit that wrote outbox rows
 * (OutboxSignal, over Redis pub/sub and in process), so a single submission moves in a few ms.
 * Under a stream of commits, batches are paced (RelayPacer): at most one every RELAY_GATHER_MS
 * once the relay has caught up, so that each carries the rows of several commits.
 * No LISTEN/NOTIFY: a NOTIFY in the writing transaction serialises the commits of the whole
 * database.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly queues = new Map<QueueName, Queue>();
  private subscriber?: Redis;
  private unsubscribeLocal?: () => void;
  private running = false;
  /** The loops' sleeps a nudge (or the shutdown) ends. */
  private readonly wakers = new Set<() => void>();
  /** A nudge that came while a batch was running: poll again at once. */
  private nudged = false;
  private loops: Promise<void>[] = [];
  private readonly pacer = new RelayPacer(RELAY_GATHER_MS, BATCH_SIZE);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    for (const name of QUEUE_NAMES) {
      this.queues.set(name, this.moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
    }
    this.running = true;
    this.loops = Array.from({ length: RELAY_LOOPS }, () => this.run());
    this.unsubscribeLocal = this.localSignal()?.onNudge(() => this.nudge());
    this.listen();
  }

  /** Idempotent: called by the worker's graceful shutdown, then by Nest. */
  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    for (const wake of [...this.wakers]) wake();
    await Promise.all(this.loops);
    this.unsubscribeLocal?.();
    this.unsubscribeLocal = undefined;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }

  /** Outbox rows were committed: relay them now rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * Relays one batch; returns how many rows it moved. Work to do now, in the order it was
   * written, and timers due within TIMER_RELAY_HORIZON_SECONDS, soonest first: later timers
   * wait in the outbox (each read from its own partial index).
   *
   * One statement claims the rows (FOR UPDATE SKIP LOCKED) and marks them relayed, then the jobs
   * go to BullMQ, then the transaction commits: if enqueueing fails, the rollback leaves them
   * unrelayed, as when the marking came after it (two round trips fewer per batch).
   */
  async relayBatch(): Promise<number> {
    return this.db.transaction(async (manager) => {
      // The rows in the order of the two reads (each numbered as it returns them), as when they
      // were read by two statements and marked by a third.
      const rows: OutboxRow[] = await manager.query(
        `WITH ready AS MATERIALIZED (
           SELECT id FROM outbox WHERE relayed_at IS NULL AND run_at IS NULL
           ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED),
         due AS MATERIALIZED (
           SELECT id FROM outbox
           WHERE relayed_at IS NULL AND run_at IS NOT NULL
             AND run_at <= now() + make_interval(secs => $2)
           ORDER BY run_at LIMIT $1 FOR UPDATE SKIP LOCKED),
         claimed AS (
           SELECT id, 0 AS part, row_number() OVER () AS n FROM ready
           UNION ALL
           SELECT id, 1 AS part, row_number() OVER () AS n FROM due),
         moved AS (
           UPDATE outbox o SET relayed_at = now() FROM claimed c WHERE o.id = c.id
           RETURNING o.id, o.queue, o.job_name, o.payload, o.correlation_id, o.run_at, c.part, c.n)
         SELECT id, queue, job_name, payload, correlation_id, run_at FROM moved ORDER BY part, n`,
        [BATCH_SIZE, TIMER_RELAY_HORIZON_SECONDS],
      );
      if (rows.length === 0) return 0;
      const byQueue = new Map<QueueName, OutboxRow[]>();
      for (const row of rows) {
        const queueRows = byQueue.get(row.queue) ?? [];
        queueRows.push(row);
        byQueue.set(row.queue, queueRows);
      }
      for (const [name, queueRows] of byQueue) {
        const queue = this.queues.get(name);
        if (!queue) throw new Error(`outbox row for unknown queue "${name}"`);
        await queue.addBulk(toJobs(name, queueRows));
      }
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    let idle = 0;
    while (this.running) {
      try {
        const wait = this.pacer.claim(Date.now());
        if (wait > 0) {
          await this.sleep(wait, false);
          continue;
        }
        this.nudged = false;
        const moved = await this.relayBatch();
        this.pacer.done(moved);
        failures = 0;
        if (moved > 0) {
          idle = 0;
          continue;
        }
        if (this.nudged) continue;
        await this.sleep(IDLE_POLL_MS[Math.min(idle, IDLE_POLL_MS.length - 1)]);
        idle += 1;
      } catch (error) {
        failures += 1;
        const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** failures);
        this.logger.warn(`outbox relay failed (${describe(error)}); retrying in ${delay} ms`);
        await this.sleep(delay, false);
      }
    }
  }

  private localSignal(): OutboxSignal | undefined {
    try {
      return this.moduleRef.get(OutboxSignal, { strict: false });
    } catch {
      return undefined; // an application without OutboxSignal: polling and Redis nudges only
    }
  }

  /** Nudges from other processes (the API) over Redis; ioredis resubscribes after a reconnect. */
  private listen(): void {
    const subscriber = new Redis(this.config.REDIS_URL, {
      maxRetriesPerRequest: null,
      connectionName: 'hns-outbox-relay',
    });
    subscriber.on('error', () => undefined);
    subscriber.on('message', () => this.nudge());
    subscriber.subscribe(outboxChannel(this.config)).catch((error: unknown) => {
      this.logger.warn(`outbox nudges unavailable (${describe(error)}); polling only`);
    });
    this.subscriber = subscriber;
  }

  /** Sleeps; a nudge ends an idle sleep early, never a backoff after a failure. */
  private sleep(ms: number, wakeable = true): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      // A backoff ends early only for the shutdown.
      const wake = wakeable ? done : () => this.running || done();
      const timer = setTimeout(done, ms);
      this.wakers.add(wake);
    });
  }
}

/**
 * The BullMQ jobs of one queue's rows: one per row, whose id is the outbox id, except rows of
 * BATCHED_JOBS or of a queue of BATCHED_QUEUES, grouped in order of the outbox (each item also
 * names its job). A group's id names every row in it (its first row's id and a hash of all of
 * them): a relay that crashed after enqueueing but before committing may group the same rows
 * differently the next time, and BullMQ ignores a job whose id it already has, so an id naming
 * only the first row dropped the rows the new group added (fault suite (a): 94 movements never
 * fanned out). The same group gets the same id again; a different one is a new job, and rows in
 * both are handled twice, which the batch processors allow (their work is idempotent per item).
 */
export function toJobs(name: QueueName, rows: OutboxRow[]) {
  const data = (row: OutboxRow) => ({
    ...row.payload,
    outboxId: row.id,
    correlationId: row.correlation_id,
  });
  const jobs = [];
  // Urgent rows (URGENT_JOBS) are grouped apart: their batch goes ahead of the others.
  const groups = new Map<string, { as: string; max: number; rows: OutboxRow[] }>();
  for (const row of rows) {
    const batched = BATCHED_JOBS[row.job_name] ?? BATCHED_QUEUES[name];
    if (batched && !row.run_at) {
      const key = `${batched.as}${isUrgentJob(name, row.job_name) ? ':urgent' : ''}`;
      const group = groups.get(key) ?? { as: batched.as, max: batched.max, rows: [] };
      group.rows.push(row);
      groups.set(key, group);
      continue;
    }
    jobs.push({
      name: row.job_name,
      data: data(row),
      opts: {
        ...JOB_OPTIONS[name],
        ...priorityOf(name, [row.job_name]),
        jobId: row.id,
        ...(row.run_at ? { delay: Math.max(0, row.run_at.getTime() - Date.now()) } : {}),
      },
    });
  }
  for (const { as, max, rows: grouped } of groups.values()) {
    for (let i = 0; i < grouped.length; i += max) {
      const chunk = grouped.slice(i, i + max);
      jobs.push({
        name: as,
        data: { items: chunk.map((row) => ({ ...data(row), job: row.job_name })) },
        opts: {
          ...JOB_OPTIONS[name],
          ...priorityOf(
            name,
            chunk.map((row) => row.job_name),
          ),
          jobId: batchJobId(chunk),
        },
      });
    }
  }
  return jobs;
}

/** The id of a batch job: its first outbox row's id and a hash of all its rows' ids. */
export function batchJobId(rows: { id: string }[]): string {
  const all = createHash('sha256')
    .update(rows.map((row) => row.id).join(','))
    .digest('hex')
    .slice(0, 16);
  return `batch-${rows[0].id}-${all}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}
