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
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { JOB_OPTIONS, QUEUE_NAMES, QueueName } from './queues';

interface OutboxRow {
  id: string;
  queue: QueueName;
  job_name: string;
  payload: Record<string, unknown>;
  correlation_id: string | null;
  run_at: Date | null;
}

const BATCH_SIZE = 500;
const POLL_INTERVAL_MS = 1000;
const MAX_BACKOFF_MS = 15_000;

/**
 * Moves committed outbox rows to BullMQ. The job id is the outbox id, so a relay that crashes
 * between enqueueing and marking the rows relayed enqueues nothing twice when it runs again.
 * Several workers may relay at once: rows are claimed with FOR UPDATE SKIP LOCKED.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly queues = new Map<QueueName, Queue>();
  private listener?: Client;
  private running = false;
  private wake?: () => void;
  private loop?: Promise<void>;

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
    this.loop = this.run();
    void this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  /** Relays one batch; returns how many rows it moved. */
  async relayBatch(): Promise<number> {
    return this.db.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, queue, job_name, payload, correlation_id, run_at FROM outbox
         WHERE relayed_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH_SIZE],
      );
      if (rows.length === 0) return 0;
      const byQueue = new Map<QueueName, OutboxRow[]>();
      for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
      for (const [name, queueRows] of byQueue) {
        const queue = this.queues.get(name);
        if (!queue) throw new Error(`outbox row for unknown queue "${name}"`);
        await queue.addBulk(
          queueRows.map((row) => ({
            name: row.job_name,
            data: { ...row.payload, outboxId: row.id, correlationId: row.correlation_id },
            opts: {
              ...JOB_OPTIONS[name],
              jobId: row.id,
              ...(row.run_at ? { delay: Math.max(0, row.run_at.getTime() - Date.now()) } : {}),
            },
          })),
        );
      }
      await manager.query(`UPDATE outbox SET relayed_at = now() WHERE id = ANY($1::uuid[])`, [
        rows.map((row) => row.id),
      ]);
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const moved = await this.relayBatch();
        failures = 0;
        if (moved === BATCH_SIZE) continue;
        await this.sleep(POLL_INTERVAL_MS);
      } catch (error) {
        failures += 1;
        const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** failures);
        this.logger.warn(`outbox relay failed (${describe(error)}); retrying in ${delay} ms`);
        await this.sleep(delay);
      }
    }
  }

  /** LISTEN for new outbox rows so work moves at once; polling covers a lost notification. */
  private async listen(): Promise<void> {
    if (!this.running) return;
    const client = new Client({
      connectionString: this.config.DATABASE_URL,
      application_name: 'hns-outbox-listener',
    });
    client.on('notification', () => this.wake?.());
    client.on('error', () => undefined);
    const retry = () => {
      if (this.running) setTimeout(() => void this.listen(), 2000).unref();
    };
    try {
      await client.connect();
      await client.query('LISTEN outbox');
      this.listener = client;
      client.on('end', retry);
    } catch {
      await client.end().catch(() => undefined);
      retry();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}
