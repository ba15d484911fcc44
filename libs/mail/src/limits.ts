/**
 * At most this many emails per process between being handed to the SMTP server and being
 * recorded as sent: also the most a killed worker can leave accepted but not recorded, which a
 * retry sends again with the same Message-ID (the fault suite's bound). 16 keeps the SMTP pool's
 * five connections busy while earlier emails' "sent" marks wait for their commit (8 left them
 * idle about a third of the time: 1,000 emails/s against 1,185, bench, issue 7); a duplicate
 * after a crash is the price, a lost email never is.
 */
export const MAIL_SENDS_IN_FLIGHT = 16;

/**
 * How long an attempt that has claimed an email holds it (email_deliveries.sending_until): any
 * other attempt at the same email waits that long at most, unless the email is recorded sent or
 * failed first. Longer than an email normally takes from its claim to its record; a worker
 * killed in between delays the email's retry by that much.
 */
export const MAIL_SENDING_LEASE_SECONDS = 60;
