import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@hns/config';
import { configureLogging, getLogger } from '@hns/logging';
import { createApiApp } from './create-api';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // JSON lines on standard output (@hns/logging): one per request, Nest's own lines included.
  configureLogging({ service: 'api', level: config.LOG_LEVEL });
  const app = await createApiApp();
  await app.listen({ port: config.PORT, host: config.HOST });
  new Logger('API').log(
    `CMCoord HNS API listening on ${config.APP_URL} (docs: ${config.APP_URL}/docs)`,
  );
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else getLogger().fatal({ err: error }, 'the API could not start');
  process.exit(1);
});
