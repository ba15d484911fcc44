import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@hns/config';
import { createApiApp } from './create-api';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp();
  await app.listen({ port: config.PORT, host: config.HOST });
  new Logger('API').log(
    `CMCoord HNS API listening on ${config.APP_URL} (docs: ${config.APP_URL}/docs)`,
  );
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
