import { createHash, randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { sessionCache } from './session-cache';

export type SessionChannel = 'api' | 'web';
export type RevocationReason =
  'sign_out' | 'refresh_token_reused' | 'user_disabled' | 'password_reset';

/** A refresh token as the client holds it: 256 random bits, base64url (43 characters). */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newRefreshToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: refreshTokenHash(token) };
}

/** Only this is stored: a database leak gives no usable refresh token. */
export function refreshTokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Revokes every live session of a user (their refresh tokens and the access tokens naming those
 * sessions), in the caller's transaction: used when an administrator disables the account or
 * resets its password. Returns how many sessions were revoked.
 */
export async function revokeUserSessions(
  manager: EntityManager,
  userId: string,
  reason: RevocationReason,
): Promise<number> {
  // This process stops reusing the user's tokens now, and keeps from caching them again until
  // well after the caller's COMMIT (session-cache.ts).
  sessionCache().forgetUser(userId);
  // A CTE: TypeORM answers a bare UPDATE with [rows, count], a SELECT with rows.
  const [row]: { revoked: number }[] = await manager.query(
    `WITH revoked AS (
       UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2
       WHERE user_id = $1 AND revoked_at IS NULL RETURNING id)
     SELECT count(*)::int AS revoked FROM revoked`,
    [userId, reason],
  );
  sessionCache().forgetUser(userId);
  return row?.revoked ?? 0;
}
