import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseFilter, SchemaValidationPipe } from '@hns/http';
import { ApiModule } from './api.module';
import { registerOperations } from './operations/register-operations';

/** Largest JSON body accepted; a full convoy notice is a few kilobytes. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** Builds the API application (used by main.ts and by the end-to-end tests). */
export async function createApiApp(
  options: { logger?: false } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule,
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: true }),
    { logger: options.logger ?? ['error', 'warn', 'log'], abortOnError: false },
  );
  // The web pages' session and CSRF cookies (apps/api/src/web); the JSON API ignores cookies.
  await app.register(fastifyCookie);
  // HTTP latency histogram and the queue dashboard at /admin/queues (admins only).
  await registerOperations(app);
  app.useGlobalPipes(new SchemaValidationPipe());
  app.useGlobalFilters(new ErrorResponseFilter());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CMCoord HNS API')
      .setDescription(
        'Humanitarian notification system for civil-military deconfliction. ' +
          'A notification is not a permission nor a security guarantee. / ' +
          'Système de notification humanitaire pour la coordination civilo-militaire. ' +
          "Une notification n'est ni une autorisation ni une garantie de sécurité.",
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
