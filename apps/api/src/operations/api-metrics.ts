import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { HTTP_DURATION_BUCKETS, createRegistry } from '@hns/metrics';
import { ALL_QUEUE_NAMES, OUTBOX_READY_SQL, TIMER_RELAY_HORIZON_SECONDS } from '@hns/queue';

/** The BullMQ states reported per queue (BullMQ keeps prioritised jobs apart from waiting ones). */
export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** A scrape must answer even when PostgreSQL or Redis does not: each source has this long. */
const SOURCE_TIMEOUT_MS = 3000;
/**
 * The email counts scan email_deliveries (0.8 s at a million rows on the 2-core test machine):
 * read at most once a minute, whatever the scrape interval and the number of scrapers.
 */
const EMAIL_COUNTS_MAX_AGE_MS = 60_000;

type EmailCount = { kind: string; status: string; n: string };

/**
 * The API process's Prometheus metrics. HTTP latency is observed on every response; the rest
 * is read at scrape time from BullMQ and PostgreSQL (state lives there, not in this process,
 * so every API replica reports the same figures). A source that fails is reported by
 * `hns_metrics_source_up` = 0 and its series are left out, instead of failing the scrape.
 */
@Injectable()
export class ApiMetrics {
  readonly registry: Registry = createRegistry();
  private readonly logger = new Logger(ApiMetrics.name);
  private readonly http: Histogram<'method' | 'route' | 'status_class'>;
  private emailCounts?: { at: number; rows: Promise<EmailCount[]> };

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly moduleRef: ModuleRef,
  ) {
    const registers = [this.registry];
    this.http = new Histogram({
      name: 'hns_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern (never the raw URL) and status class',
      labelNames: ['method', 'route', 'status_class'],
      buckets: HTTP_DURATION_BUCKETS,
      registers,
    });
    const sourceUp = new Gauge({
      name: 'hns_metrics_source_up',
      help: '1 when the last scrape could read this source (postgres, redis), else 0',
      labelNames: ['source'],
      registers,
    });
    const queueJobs = new Gauge({
      name: 'hns_queue_jobs',
      help: 'BullMQ jobs by queue and state, read at scrape time',
      labelNames: ['queue', 'state'],
      registers,
    });
    const outboxPending = new Gauge({
      name: 'hns_outbox_pending',
      help: 'Outbox rows due to be relayed to BullMQ and not yet relayed (timers due later wait there by design)',
      registers,
    });
    const outboxLag = new Gauge({
      name: 'hns_outbox_lag_seconds',
      help: 'How long the oldest outbox row due to be relayed has waited (0 when none)',
      registers,
    });
    const escalationsOpen = new Gauge({
      name: 'hns_escalations_open',
      help: 'Security escalations not resolved (open or acknowledged), by severity',
      labelNames: ['severity'],
      registers,
    });
    const escalationsOverdue = new Gauge({
      name: 'hns_escalations_overdue',
      help: 'Security escalations past their acknowledgement deadline and not acknowledged, by severity',
      labelNames: ['severity'],
      registers,
    });
    const emailsSent = new Gauge({
      name: 'hns_emails_sent',
      help: 'Emails sent since installation, by kind (email_deliveries)',
      labelNames: ['kind'],
      registers,
    });
    const emailsFailed = new Gauge({
      name: 'hns_emails_failed',
      help: 'Emails whose last attempt failed and that are not sent (retrying or given up), by kind',
      labelNames: ['kind'],
      registers,
    });
    const emailsPending = new Gauge({
      name: 'hns_emails_pending',
      help: 'Emails recorded and not yet sent nor failed, by kind',
      labelNames: ['kind'],
      registers,
    });

    // Every series below is read by one query round per scrape: prom-client calls each
    // metric's collect at once, and they all await the same refresh.
    let current: Promise<void> | undefined;
    const refresh = () =>
      (current ??= (async () => {
        const [redisUp, pgUp] = await Promise.all([
          this.collectQueues(queueJobs),
          this.collectDatabase({
            outboxPending,
            outboxLag,
            escalationsOpen,
            escalationsOverdue,
            emailsSent,
            emailsFailed,
            emailsPending,
          }),
        ]);
        sourceUp.set({ source: 'redis' }, redisUp ? 1 : 0);
        sourceUp.set({ source: 'postgres' }, pgUp ? 1 : 0);
      })().finally(() => (current = undefined)));
    for (const gauge of [
      sourceUp,
      queueJobs,
      outboxPending,
      outboxLag,
      escalationsOpen,
      escalationsOverdue,
      emailsSent,
      emailsFailed,
      emailsPending,
    ] as { collect?: () => Promise<void> }[]) {
      gauge.collect = refresh;
    }
  }

  /** Times every response of the Fastify instance (Nest routes and plain Fastify routes alike). */
  observeHttp(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      const method = METHODS.has(request.method) ? request.method : 'OTHER';
      // The registered pattern (/movements/:id), or one label for every unmatched URL.
      const route = request.routeOptions.url ?? '(unmatched)';
      this.http.observe(
        { method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }

  /** The email counts, re-read when older than EMAIL_COUNTS_MAX_AGE_MS (a failure is not kept). */
  private countEmails(): Promise<EmailCount[]> {
    const cached = this.emailCounts;
    if (cached && Date.now() - cached.at < EMAIL_COUNTS_MAX_AGE_MS) return cached.rows;
    const rows = this.db.query<EmailCount[]>(
      `SELECT kind, status, count(*) AS n FROM email_deliveries GROUP BY kind, status`,
    );
    const entry = { at: Date.now(), rows };
    this.emailCounts = entry;
    rows.catch(() => {
      if (this.emailCounts === entry) this.emailCounts = undefined;
    });
    return rows;
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async collectQueues(gauge: Gauge<'queue' | 'state'>): Promise<boolean> {
    try {
      const counts = await withTimeout(
        Promise.all(
          ALL_QUEUE_NAMES.map(async (name) => {
            const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
            return [name, await queue.getJobCounts(...QUEUE_STATES)] as const;
          }),
        ),
      );
      gauge.reset();
      for (const [queue, byState] of counts) {
        for (const state of QUEUE_STATES) gauge.set({ queue, state }, byState[state] ?? 0);
      }
      return true;
    } catch (error) {
      gauge.reset();
      this.logger.warn(`metrics: could not read the queues: ${describe(error)}`);
      return false;
    }
  }

  private async collectDatabase(g: {
    outboxPending: Gauge;
    outboxLag: Gauge;
    escalationsOpen: Gauge<'severity'>;
    escalationsOverdue: Gauge<'severity'>;
    emailsSent: Gauge<'kind'>;
    emailsFailed: Gauge<'kind'>;
    emailsPending: Gauge<'kind'>;
  }): Promise<boolean> {
    const all = Object.values(g);
    try {
      const [outbox, escalations, emails] = await withTimeout(
        Promise.all([
          this.db.query<{ pending: string; lag: number | null }[]>(
            // Timers due later wait in the outbox by design: neither pending nor late.
            `SELECT count(*) AS pending,
                    EXTRACT(EPOCH FROM now() - min(CASE WHEN run_at IS NULL THEN created_at
                      ELSE greatest(created_at, run_at - make_interval(secs => $1)) END))::float8 AS lag
             FROM outbox WHERE ${OUTBOX_READY_SQL}`,
            [TIMER_RELAY_HORIZON_SECONDS],
          ),
          this.db.query<{ severity: string; open: string; overdue: string }[]>(
            `SELECT severity, count(*) AS open,
                    count(*) FILTER (WHERE status = 'open' AND acknowledge_by < now()) AS overdue
             FROM security_escalations WHERE status <> 'resolved' GROUP BY severity`,
          ),
          this.countEmails(),
        ]),
      );
      for (const gauge of all) gauge.reset();
      g.outboxPending.set(Number(outbox[0]?.pending ?? 0));
      g.outboxLag.set(Math.max(0, Number(outbox[0]?.lag ?? 0)));
      for (const severity of SEVERITIES) {
        const row = escalations.find((r) => r.severity === severity);
        g.escalationsOpen.set({ severity }, Number(row?.open ?? 0));
        g.escalationsOverdue.set({ severity }, Number(row?.overdue ?? 0));
      }
      const byStatus = { sent: g.emailsSent, failed: g.emailsFailed, pending: g.emailsPending };
      for (const row of emails) {
        byStatus[row.status as keyof typeof byStatus]?.set({ kind: row.kind }, Number(row.n));
      }
      return true;
    } catch (error) {
      for (const gauge of all) gauge.reset();
      // Unlabelled gauges always have a value: NaN (unknown), never a reassuring 0.
      g.outboxPending.set(NaN);
      g.outboxLag.set(NaN);
      this.logger.warn(`metrics: could not read PostgreSQL: ${describe(error)}`);
      return false;
    }
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${SOURCE_TIMEOUT_MS} ms`)),
        SOURCE_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0].slice(0, 200) : String(error);
}
