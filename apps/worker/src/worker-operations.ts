import { InjectQueue, WorkerHost } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job, Queue } from 'bullmq';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { negotiateLocale, t } from '@hns/i18n';
import {
  JOB_DURATION_BUCKETS,
  ReadinessProbe,
  createRegistry,
  metricsTokenMatches,
} from '@hns/metrics';
import { QUEUES } from '@hns/queue';

/**
 * Job durations by queue and outcome, measured in this worker from BullMQ's own timestamps
 * (processedOn → finishedOn) on every processor's Worker: any @Processor is found, so a queue
 * added later is measured without touching this file.
 */
@Injectable()
export class JobMetrics implements OnApplicationBootstrap {
  readonly registry: Registry = createRegistry();
  private readonly durations = new Histogram({
    name: 'hns_job_duration_seconds',
    help: 'BullMQ job processing time in this worker, by queue and outcome (completed, failed)',
    labelNames: ['queue', 'outcome'],
    buckets: JOB_DURATION_BUCKETS,
    registers: [this.registry],
  });

  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const host: unknown = wrapper.instance;
      if (!(host instanceof WorkerHost)) continue;
      const worker = host.worker;
      if (!worker) continue;
      const observe = (job: Job | undefined, outcome: 'completed' | 'failed') => {
        if (!job?.processedOn) return;
        const seconds = ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000;
        this.durations.observe({ queue: worker.name, outcome }, Math.max(0, seconds));
      };
      worker.on('completed', (job: Job) => observe(job, 'completed'));
      worker.on('failed', (job: Job | undefined) => observe(job, 'failed'));
    }
  }
}

/**
 * The worker's small HTTP server (WORKER_HTTP_PORT): GET /health/live, GET /health/ready and
 * GET /metrics (same METRICS_TOKEN rule as the API). Started by main.ts, not by the module, so
 * tests and tools that build the worker in-process choose whether and where it listens.
 */
@Injectable()
export class WorkerHttpServer implements OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private readonly readiness: ReadinessProbe;
  private server?: Server;
  private stopping = false;

  constructor(
    @InjectDataSource() db: DataSource,
    @InjectQueue(QUEUES.mail) mailQueue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobMetrics,
  ) {
    this.readiness = new ReadinessProbe(db, async () =>
      (await mailQueue.getBackend().client).info(),
    );
  }

  /** Listens; resolves with the port (useful with port 0). */
  listen(port: number, host: string): Promise<number> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.logger.error(`worker HTTP ${request.method} ${request.url}: ${String(error)}`);
        if (!response.headersSent) send(response, 500, { statusCode: 500 });
        else response.end();
      });
    });
    server.keepAliveTimeout = 5000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        this.server = server;
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  /** First step of a shutdown (SIGTERM): readiness answers 503 from now on. */
  onModuleDestroy(): void {
    this.stopping = true;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const locale = negotiateLocale(request.headers['accept-language']);
    const known = ['/health/live', '/health/ready', '/metrics'].includes(path);
    if (!known || (request.method !== 'GET' && request.method !== 'HEAD')) {
      const message = t(locale, 'http.route_not_found', { method: request.method ?? '', path });
      return send(response, 404, {
        statusCode: 404,
        error: 'Not Found',
        code: 'route_not_found',
        message,
      });
    }
    if (path === '/health/live') return send(response, 200, { status: 'live' });
    if (path === '/health/ready') {
      const readiness = await this.readiness.probe(this.stopping);
      return send(response, readiness.status === 'ready' ? 200 : 503, readiness);
    }
    const token = this.config.METRICS_TOKEN;
    if (!token) {
      const message = t(locale, 'http.route_not_found', { method: request.method ?? '', path });
      return send(response, 404, {
        statusCode: 404,
        error: 'Not Found',
        code: 'route_not_found',
        message,
      });
    }
    if (!metricsTokenMatches(request.headers.authorization, token)) {
      const message = t(locale, 'http.unauthorized');
      return send(response, 401, {
        statusCode: 401,
        error: 'Unauthorized',
        code: 'http.unauthorized',
        message,
      });
    }
    const body = await this.jobs.registry.metrics();
    response.writeHead(200, {
      'content-type': this.jobs.registry.contentType,
      'cache-control': 'no-store',
    });
    response.end(body);
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

/** The worker's job metrics and HTTP endpoints. */
@Module({
  imports: [DiscoveryModule],
  providers: [JobMetrics, WorkerHttpServer],
  exports: [WorkerHttpServer, JobMetrics],
})
export class WorkerOperationsModule {}
