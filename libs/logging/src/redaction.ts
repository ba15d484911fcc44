import { createHash } from 'node:crypto';

/** What replaces a secret or a person's contact data in a log line. */
export const REDACTED = '[redacted]';

/**
 * Header paths pino removes before anything else looks at a line (fast-redact). The scrubber
 * below catches the same keys anywhere else, at any depth.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
];

/**
 * Keys whose value is never logged, whatever it holds: credentials (authorization, cookies,
 * passwords, access/refresh/any token, secrets, API keys) and a person's contact data (email
 * addresses, phone and satellite phone numbers). Compared without case, `-` or `_`.
 */
const SECRET_KEY_PARTS = ['authorization', 'cookie', 'password', 'passphrase', 'secret', 'token'];
const SECRET_KEYS = new Set(['apikey', 'credentials']);
const PERSONAL_KEY_PARTS = ['email', 'phone'];

/** Values that look like an address but are not a person's: the Message-ID of an email. */
const VERBATIM_KEYS = new Set(['messageId']);

export function isRedactedKey(key: string): boolean {
  const normalised = key.toLowerCase().replace(/[-_]/g, '');
  return (
    SECRET_KEYS.has(normalised) ||
    SECRET_KEY_PARTS.some((part) => normalised.includes(part)) ||
    PERSONAL_KEY_PARTS.some((part) => normalised.includes(part))
  );
}

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
/**
 * The secret in a calendar feed URL (/calendar/<token>.ics; not the route pattern
 * /calendar/:file) and secrets in query strings.
 */
const CALENDAR_PATH = /(\/calendar\/)(?!:)[^/\s?#"']+/g;
const QUERY_SECRET = /([?&](?:[a-z_]*token|key|secret|password|code)=)[^&\s#"']+/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** International numbers (+223 76 00 00 01, +88 16 2100 0001) and local ones (76 00 00 01). */
const PHONE_INTERNATIONAL = /\+\d[\d ().-]{5,23}\d/g;
const PHONE_LOCAL = /\b\d{2}(?:[ .]\d{2}){3,}\b/g;

/**
 * Free text with its secrets and contact data replaced: credentials in URLs, calendar feed
 * tokens and secret query parameters, bearer and basic credentials, JWTs, email addresses and
 * phone numbers.
 */
export function scrubText(text: string): string {
  // Most strings of a line (ids, routes, event names) hold none of what the patterns need; one
  // cheap test spares them the eight replacements (~35 µs per request line; bench, issue 7).
  return MAY_HOLD_SECRET.test(text) ? replaceSecrets(text) : text;
}

/**
 * True for any text one of the patterns above could match: each needs an `@`, a `=`, a `+`,
 * `/calendar/`, `bearer`/`basic`, `eyJ`, or two digits around a space or a dot. A necessary
 * condition only (false positives go through the replacements, which then change nothing).
 */
const MAY_HOLD_SECRET = /[@=+]|\/calendar\/|bearer|basic|eyJ|\d[ .]\d/i;

/** The replacements themselves (exported for the test that checks the shortcut above). */
export function replaceSecrets(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(CALENDAR_PATH, `$1${REDACTED}`)
    .replace(QUERY_SECRET, `$1${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(JWT, '[jwt]')
    .replace(EMAIL, '[email]')
    .replace(PHONE_INTERNATIONAL, '[phone]')
    .replace(PHONE_LOCAL, '[phone]');
}

const MAX_DEPTH = 8;

/**
 * A copy of `value` safe to log: redacted keys replaced at any depth, strings scrubbed, errors
 * serialised (serializeError). Cycles and depth beyond 8 are cut.
 */
export function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (value instanceof Error) return serializeError(value, depth, seen);
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (isRedactedKey(key)) copy[key] = item === undefined || item === null ? item : REDACTED;
    else if (VERBATIM_KEYS.has(key) && typeof item === 'string') copy[key] = item;
    else copy[key] = scrub(item, depth + 1, seen);
  }
  return copy;
}

/**
 * An error as a log field: its type, message, code and stack, scrubbed, and its cause. Other
 * properties are left out on purpose: mail and database errors carry recipients, SQL parameters
 * and server answers.
 */
export function serializeError(
  error: unknown,
  depth = 0,
  seen = new WeakSet<object>(),
): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, message: scrubText(String(error)) };
  if (seen.has(error) || depth >= MAX_DEPTH) return { type: error.name, message: '[circular]' };
  seen.add(error);
  const fields = error as Error & { code?: unknown; responseCode?: unknown; cause?: unknown };
  const result: Record<string, unknown> = {
    type: error.constructor?.name || error.name,
    message: scrubText(error.message),
  };
  if (typeof fields.code === 'string' || typeof fields.code === 'number') {
    result.code = fields.code;
  }
  if (typeof fields.responseCode === 'number') result.responseCode = fields.responseCode;
  if (error.stack) result.stack = scrubText(error.stack);
  if (fields.cause !== undefined) result.cause = serializeError(fields.cause, depth + 1, seen);
  return result;
}

/**
 * How an email address appears in the logs: the first 16 hex digits of the SHA-256 of the
 * address in lower case. To check whether x@y.org received an email:
 * `printf %s x@y.org | sha256sum | cut -c1-16`.
 */
export function hashAddress(address: string): string {
  return `sha256:${createHash('sha256').update(address.trim().toLowerCase(), 'utf8').digest('hex').slice(0, 16)}`;
}

const REFERENCE = /\bHNS-[A-Z]{2,3}-\d{4}-\d{6,}\b/;

/** The movement reference (HNS-ML-2026-000123) a text mentions, if any. */
export function referenceIn(text: string | undefined): string | undefined {
  return text ? REFERENCE.exec(text)?.[0] : undefined;
}
