import { HttpStatus } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { LocalizedHttpException } from '@hns/http';
import { exportsText } from '../messages';

/** Largest CSV upload: 500 full notices are about 400 KiB. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

export const tooLarge = () =>
  new LocalizedHttpException(
    HttpStatus.PAYLOAD_TOO_LARGE,
    'http.payload_too_large',
    {},
    'import_too_large',
    {},
    exportsText('import.too_large', {
      max: MAX_IMPORT_BYTES,
      maxKb: MAX_IMPORT_BYTES / 1024,
    }),
  );

/**
 * Reads `text/csv` (and `application/csv`) bodies as UTF-8 text, up to MAX_IMPORT_BYTES; a larger one is refused with a
 * 413 that names the limit (Fastify's own limit error cannot). Other routes never see CSV:
 * their schemas refuse a string body.
 */
export function registerCsvBodyParser(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser('text/csv')) return;
  fastify.addContentTypeParser(['text/csv', 'application/csv'], (request, payload, done) => {
    if (Number(request.headers['content-length'] ?? 0) > MAX_IMPORT_BYTES) {
      payload.resume();
      done(tooLarge(), undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (error: Error | null, body?: string) => {
      if (finished) return;
      finished = true;
      done(error, body);
    };
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_IMPORT_BYTES) finish(tooLarge());
      else if (!finished) chunks.push(chunk);
    });
    payload.on('end', () => finish(null, Buffer.concat(chunks).toString('utf8')));
    payload.on('error', (error: Error) => finish(error));
  });
}
