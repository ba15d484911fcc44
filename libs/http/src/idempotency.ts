import { HttpStatus } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { LocalizedHttpException } from './problems';

export interface IdempotencyRequest {
  userId: string;
  key: string;
  method: string;
  path: string;
  body: unknown;
}

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export function assertIdempotencyKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new LocalizedHttpException(
      HttpStatus.BAD_REQUEST,
      'idempotency.key_invalid',
      {},
      'idempotency_key_invalid',
    );
  }
}

/**
 * Runs `work` in one transaction with the claim on the Idempotency-Key: the same key and the
 * same request return the stored answer without doing the work again; the same key with
 * another request gets 422. Concurrent requests with one key wait on the key's row, so only
 * one of them does the work.
 */
export async function withIdempotency<T>(
  db: DataSource,
  request: IdempotencyRequest | undefined,
  work: (manager: EntityManager) => Promise<{ status: number; body: T }>,
): Promise<StoredResponse<T>> {
  if (!request) {
    const result = await db.transaction((manager) => work(manager));
    return { ...result, replayed: false };
  }
  assertIdempotencyKey(request.key);
  const hash = requestHash(request);
  const outcome = await db.transaction(async (manager) => {
    const claimed: unknown[] = await manager.query(
      `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, response_status, response_body)
       VALUES ($1, $2, $3, $4, $5, 0, '{}'::jsonb)
       ON CONFLICT (user_id, key) DO NOTHING
       RETURNING 1`,
      [request.userId, request.key, request.method, request.path, hash],
    );
    if (claimed.length === 0) return undefined;
    const result = await work(manager);
    await manager.query(
      `UPDATE idempotency_keys SET response_status = $3, response_body = $4::jsonb WHERE user_id = $1 AND key = $2`,
      [request.userId, request.key, result.status, JSON.stringify(result.body)],
    );
    return result;
  });
  if (outcome) return { ...outcome, replayed: false };

  const rows: { request_hash: string; response_status: number; response_body: T }[] =
    await db.query(
      `SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [request.userId, request.key],
    );
  const stored = rows[0];
  if (!stored || stored.response_status === 0) {
    throw new LocalizedHttpException(
      HttpStatus.CONFLICT,
      'idempotency.in_progress',
      { key: request.key },
      'idempotency_in_progress',
      { 'retry-after': '1' },
    );
  }
  if (stored.request_hash !== hash) {
    throw new LocalizedHttpException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'idempotency.key_reused',
      { key: request.key },
      'idempotency_key_reused',
    );
  }
  return { status: stored.response_status, body: stored.response_body, replayed: true };
}

/** SHA-256 of the method, path and body with object keys sorted, so key order does not matter. */
export function requestHash(request: Pick<IdempotencyRequest, 'method' | 'path' | 'body'>): string {
  return createHash('sha256')
    .update(`${request.method} ${request.path}\n${canonicalJson(request.body)}`)
    .digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
