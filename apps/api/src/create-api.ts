import fastifyCookie from '@fastify/cookie';
import type { IncomingHttpHeaders } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseFilter, SchemaValidationPipe } from '@hns/http';
import { PinoNestLogger, REQUEST_ID_HEADER, installHttpLogging, requestIdFrom } from '@hns/logging';
import { ApiModule } from './api.module';
import { registerHardening } from './http-hardening';
import { registerOperations } from './operations/register-operations';

/** Largest JSON body accepted; a full convoy notice is a few kilobytes. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** Builds the API application (used by main.ts and by the end-to-end tests). */
export async function createApiApp(
  options: { logger?: false } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule,
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      trustProxy: true,
      // The caller's X-Request-Id when it is a safe token, else a new UUID (@hns/logging).
      genReqId: (request: { headers: IncomingHttpHeaders }) =>
        requestIdFrom(request.headers[REQUEST_ID_HEADER]),
    }),
    { logger: options.logger ?? new PinoNestLogger(), abortOnError: false },
  );
  // First of the hooks: X-Request-Id, the request's log context, one JSON log line per request.
  installHttpLogging(app.getHttpAdapter().getInstance());
  // The web pages' session and CSRF cookies (apps/api/src/web); the JSON API ignores cookies.
  await app.register(fastifyCookie);
  // Security headers (helmet, HSTS in production) and CORS, closed unless CORS_ORIGINS is set.
  await registerHardening(app);
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
