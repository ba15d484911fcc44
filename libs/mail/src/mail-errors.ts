const MAX_ERROR_LENGTH = 1000;

/**
 * The SMTP server accepted some recipients of an email and asked to try the others again later
 * (4xx): the email is not done, and its retry goes to those only.
 */
export class MailDeferredError extends Error {
  readonly permanent = false;
  readonly code = 'EDEFERRED';

  constructor(readonly recipients: string[]) {
    super(`the SMTP server asked to try again later for ${recipients.join(', ')}`);
    this.name = 'MailDeferredError';
  }
}

/**
 * Another attempt claimed the email and may be sending it now (until `until`): this one sends
 * nothing, and is retried; by then the email is recorded sent (and the retry does nothing), or
 * that attempt failed or died and the retry sends it.
 */
export class MailBusyError extends Error {
  readonly permanent = false;
  readonly code = 'EBUSY';

  constructor(readonly until: Date | null) {
    super(
      `another attempt is sending this email${until ? ` (until ${until.toISOString()} at most)` : ''}; retried later`,
    );
    this.name = 'MailBusyError';
  }
}

/**
 * A one-line description of a mail failure fit to store and log: SMTP reply code and text,
 * credentials of any URL removed, known secrets masked, truncated.
 */
export function describeMailError(error: unknown, secrets: string[] = []): string {
  const details = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  const parts = [
    typeof details.code === 'string' ? details.code : undefined,
    typeof details.responseCode === 'number' ? String(details.responseCode) : undefined,
    typeof details.message === 'string' ? details.message : String(error),
  ].filter((part): part is string => Boolean(part));
  let text = parts.join(' ').replace(/\s+/g, ' ').trim();
  text = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@');
  for (const secret of secrets) {
    if (secret.length >= 3) text = text.split(secret).join('***');
  }
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/**
 * True when the SMTP server refused the message for good (5xx): retrying sends the same
 * refusal, so a job processor may stop retrying (e.g. throw BullMQ's UnrecoverableError).
 */
export function isPermanentMailError(error: unknown): boolean {
  const { permanent, responseCode } = error as { permanent?: unknown; responseCode?: unknown };
  if (typeof permanent === 'boolean') return permanent;
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
}

/** The user name and password of a connection URL, to mask them in error texts. */
export function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const parsed = new URL(url);
    return [parsed.password, decodeURIComponent(parsed.password)].filter(Boolean);
  } catch {
    return [];
  }
}
