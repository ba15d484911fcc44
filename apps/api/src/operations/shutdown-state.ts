import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hns/config';

/**
 * Whether this API process has begun to stop. On SIGTERM Nest runs onModuleDestroy first:
 * from then on GET /health/ready answers 503, and for SHUTDOWN_DRAIN_SECONDS the process still
 * serves requests, so a load balancer polling readiness stops sending traffic before the
 * server closes. Only then do the HTTP server, the queues and the database pool close.
 */
@Injectable()
export class ShutdownState implements OnModuleDestroy {
  private stopping = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get shuttingDown(): boolean {
    return this.stopping;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    const seconds = this.config.SHUTDOWN_DRAIN_SECONDS;
    if (seconds > 0) {
      new Logger('API').log(`Shutting down: not ready, serving ${seconds} s more before closing`);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
}
