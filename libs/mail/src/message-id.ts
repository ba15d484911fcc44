import { createHash } from 'node:crypto';

const FALLBACK_DOMAIN = 'hns.localhost';

/**
 * The Message-ID of the email sent for an idempotency key: the same key always gives the same
 * id, so a message sent twice (a crash between sending and recording it) is recognisable as a
 * duplicate by the receiving mail systems. The domain comes from MAIL_FROM, because spam
 * filters score Message-IDs whose right-hand side is not a domain name.
 */
export function deliveryMessageId(idempotencyKey: string, mailFrom: string): string {
  const digest = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 40);
  return `<hns.${digest}@${senderDomain(mailFrom)}>`;
}

/** "CMCoord HNS <no-reply@hns.example.org>" → "hns.example.org". */
export function senderDomain(mailFrom: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom.trim());
  const domain = match?.[1].replace(/^\.+|\.+$/g, '').toLowerCase();
  return domain && domain.includes('.') ? domain : FALLBACK_DOMAIN;
}
