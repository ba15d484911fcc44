import type { FastifyReply, FastifyRequest } from 'fastify';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Scripts and styles from this site only, and nothing inline: an escaped text that slipped
 * through could still not run. Leaflet styles its map through the DOM, which CSP allows.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** Below this, compressing saves less than the header it costs. */
const MIN_COMPRESS_BYTES = 1024;

export type Encoding = 'br' | 'gzip' | undefined;

/** Brotli or gzip when the browser takes it (Chromium offers br over HTTPS only). */
export function acceptedEncoding(request: FastifyRequest): Encoding {
  const accepted = String(request.headers['accept-encoding'] ?? '').toLowerCase();
  const offers = accepted.split(',').map((part) => part.trim().split(';'));
  const ok = (name: string) =>
    offers.some(([coding, q]) => coding === name && !/^\s*q=0(\.0*)?\s*$/.test(q ?? ''));
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return undefined;
}

/** Sends a page: security headers, never cached (it holds movement data), compressed. */
export function sendHtml(
  request: FastifyRequest,
  reply: FastifyReply,
  page: string,
  status = 200,
): FastifyReply {
  reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .header('vary', 'accept-encoding, cookie');
  return sendCompressed(request, reply, Buffer.from(page, 'utf8'));
}

/** Sends a body compressed as the browser accepts, unless it is too small to gain. */
export function sendCompressed(
  request: FastifyRequest,
  reply: FastifyReply,
  body: Buffer,
  precompressed?: { br: Buffer; gzip: Buffer },
): FastifyReply {
  const encoding = body.length >= MIN_COMPRESS_BYTES ? acceptedEncoding(request) : undefined;
  if (encoding === 'br') {
    reply.header('content-encoding', 'br');
    return reply.send(
      precompressed?.br ??
        brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
    );
  }
  if (encoding === 'gzip') {
    reply.header('content-encoding', 'gzip');
    return reply.send(precompressed?.gzip ?? gzipSync(body, { level: 6 }));
  }
  return reply.send(body);
}
