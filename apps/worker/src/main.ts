import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@hns/config';
import { WorkerModule } from './worker.module';

/** The worker: the same modules as the API, as an application context with no HTTP server. */
async function bootstrap(): Promise<void> {
  loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: ['error', 'warn', 'log'],
    abortOnError: false,
  });
  app.enableShutdownHooks();
  new Logger('Worker').log('CMCoord HNS worker started: outbox relay and mail queue');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
