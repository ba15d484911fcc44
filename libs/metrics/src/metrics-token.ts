import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * True when the Authorization header is `Bearer <token>` with exactly the configured token.
 * Both sides are hashed first so the comparison takes the same time whatever their lengths.
 */
export function metricsTokenMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!given || !token) return false;
  return timingSafeEqual(digest(given), digest(token));
}
