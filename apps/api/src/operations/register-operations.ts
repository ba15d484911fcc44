import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiMetrics } from './api-metrics';
import { registerQueueDashboard } from './queue-dashboard';

/**
 * What the operations part adds to the Fastify instance itself, before Nest registers its
 * routes: the HTTP latency histogram (a hook on every response) and the queue dashboard.
 */
export async function registerOperations(app: NestFastifyApplication): Promise<void> {
  app.get(ApiMetrics).observeHttp(app.getHttpAdapter().getInstance());
  await registerQueueDashboard(app);
}
