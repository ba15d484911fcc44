import { randomUUID } from 'node:crypto';

/** The response header that returns the id, and the request header a caller may set it with. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A caller's request id is kept only when it is a short, inert token, so it can never inject a
 * line break, markup or a secret-looking blob into the logs: 1–64 characters of [A-Za-z0-9._:-].
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function isSafeRequestId(value: unknown): value is string {
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value);
}

/**
 * The id of a request: the incoming `X-Request-Id` when it is safe (the first one, if the header
 * was repeated), otherwise a new UUID.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return isSafeRequestId(value) ? value : randomUUID();
}
