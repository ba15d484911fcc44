import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@hns/config';
import { PinoNestLogger, configureLogging, getLogger } from '@hns/logging';
import { lowerCpuPriority } from './cpu-priority';
import { WorkerHttpServer } from './worker-operations';
import { WorkerModule } from './worker.module';

/** The worker: the same modules as the API, as an application context with no HTTP server. */
async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // JSON lines on standard output (@hns/logging), Nest's own lines included.
  configureLogging({ service: 'worker', level: config.LOG_LEVEL });
  // Before any of the worker's own threads start, so that they inherit it.
  const niceness = lowerCpuPriority(config.WORKER_NICE, (error) =>
    getLogger().warn(
      { err: error },
      `could not lower the worker's CPU priority to nice ${config.WORKER_NICE}`,
    ),
  );
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: new PinoNestLogger(),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  const logger = new Logger('Worker');
  logger.log(
    `CMCoord HNS worker started: outbox relay and mail queue (CPU priority: nice ${niceness})`,
  );
  // Health and metrics on their own small port. If it cannot listen, the jobs still run: the
  // error says so, and a supervisor polling /health/live will see the worker as unhealthy.
  try {
    const port = await app.get(WorkerHttpServer).listen(config.WORKER_HTTP_PORT, config.HOST);
    logger.log(`Worker health and metrics on http://${config.HOST}:${port}/health/ready`);
  } catch (error) {
    logger.error(
      `Worker HTTP port ${config.WORKER_HTTP_PORT} (WORKER_HTTP_PORT) unavailable: ${String(error)}`,
    );
  }
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else getLogger().fatal({ err: error }, 'the worker could not start');
  process.exit(1);
});
