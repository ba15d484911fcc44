import { Logger } from '@nestjs/common';
import Fastify, { FastifyInstance } from 'fastify';
import { request as httpRequest } from 'node:http';
import { currentRequestId } from './context';
import { installHttpLogging } from './http-logging';
import { configureLogging } from './logger';
import { PinoNestLogger } from './nest-logger';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

type Line = Record<string, unknown>;

describe('HTTP logging (Fastify hooks)', () => {
  const raw: string[] = [];
  const lines = () => raw.map((s) => JSON.parse(s) as Line);
  let app: FastifyInstance;

  beforeAll(async () => {
    configureLogging({ service: 'test', destination: { write: (s: string) => raw.push(s) } });
    Logger.overrideLogger(new PinoNestLogger());
    app = Fastify({ genReqId: (request) => requestIdFrom(request.headers[REQUEST_ID_HEADER]) });
    installHttpLogging(app);
    app.post('/things/:id', async (request) => {
      // After the body is read and an await: the request's context is still there.
      await new Promise((resolve) => setImmediate(resolve));
      return { seen: currentRequestId(), body: request.body };
    });
    app.get('/boom', async () => {
      new Logger('HTTP').error('GET /boom failed', 'Error: boom\n    at handler');
      throw new Error('boom');
    });
    app.get('/calendar/:token', async (_request, reply) =>
      reply.code(404).send({ statusCode: 404, code: 'calendar.not_found' }),
    );
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    Logger.overrideLogger(false);
  });
  beforeEach(() => raw.splice(0));

  it('keeps the request context through body parsing and returns the id in X-Request-Id', async () => {
    // Over a real socket, the body in two pieces: it is read in events of its own, after the
    // onRequest hook has returned.
    const address = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
    const payload = JSON.stringify({ password: 'hunter2 hunter2', padding: 'x'.repeat(1000) });
    const body = await new Promise<string>((resolve, reject) => {
      const request = httpRequest(
        {
          host: address.hostname,
          port: address.port,
          method: 'POST',
          path: '/things/42?email=a@b.org',
          headers: {
            'x-request-id': 'req-42',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (response) => {
          expect(response.headers['x-request-id']).toBe('req-42');
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve(text));
        },
      );
      request.on('error', reject);
      request.write(payload.slice(0, 10));
      setTimeout(() => request.end(payload.slice(10)), 50);
    });
    expect(JSON.parse(body).seen).toBe('req-42');
    expect(lines()).toEqual([
      expect.objectContaining({
        event: 'http.request',
        requestId: 'req-42',
        method: 'POST',
        route: '/things/:id',
        status: 200,
        responseBytes: Buffer.byteLength(body),
      }),
    ]);
    expect(raw.join('')).not.toMatch(/hunter2|a@b\.org|things\/42/);
  });

  it('logs a 5xx at error level, with the request id on the error line too', async () => {
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    const id = response.headers['x-request-id'];
    const [errorLine, requestLine] = lines();
    expect(errorLine).toMatchObject({ level: 'error', context: 'HTTP', requestId: id });
    expect(requestLine).toMatchObject({ level: 'error', status: 500, requestId: id });
  });

  it('logs the route pattern, not the URL holding a secret, and the error code', async () => {
    await app.inject({ method: 'GET', url: '/calendar/s3cr3t-calendar-token.ics' });
    expect(lines()[0]).toMatchObject({
      route: '/calendar/:token',
      status: 404,
      errorCode: 'calendar.not_found',
    });
    expect(raw.join('')).not.toContain('s3cr3t');
  });

  it('logs a request that matched no route', async () => {
    await app.inject({ method: 'GET', url: '/nowhere?token=abc' });
    expect(lines()[0]).toMatchObject({ route: '(no route)', status: 404 });
    expect(raw.join('')).not.toContain('abc');
  });
});
