/**
 * At most this many emails per process between being handed to the SMTP server and being
 * recorded as sent: also the most a killed worker can leave accepted but not recorded, which a
 * retry sends again with the same Message-ID (the fault suite's bound). Enough to keep the SMTP
 * pool's five connections busy while earlier emails' "sent" marks wait for their commit and the
 * job thread renders the next ones (bench, issue 7, `--only mail`, ratio to bare nodemailer on
 * the session-7 machine: 16 gave 0.53–0.69× in 11 runs, mean 0.59×; 32 gave 0.59–0.88× in 10,
 * mean 0.74×; 64 no more than 32; 8 had left the connections idle a third of the time in session
 * 5); a duplicate after a crash is the price, a lost email never is.
 */
export const MAIL_SENDS_IN_FLIGHT = 32;

/**
 * How long an attempt that has claimed an email holds it (email_deliveries.sending_until): any
 * other attempt at the same email waits that long at most, unless the email is recorded sent or
 * failed first. Longer than an email normally takes from its claim to its record (one that waits
 * longer for a sending place takes its hold again first, MAIL_HOLD_RECHECK_MS); a worker killed
 * in between delays the email's retry by that much.
 */
export const MAIL_SENDING_LEASE_SECONDS = 60;

/**
 * An attempt whose email has waited this long (half the hold) for a sending place takes its hold
 * again before sending, in one statement that fails if another attempt has claimed the email
 * since: on a slow SMTP server the emails claimed together can wait longer than the hold, and a
 * second attempt (a job run again after a Redis outage) could otherwise send the email too. An
 * email sent sooner costs nothing more.
 */
export const MAIL_HOLD_RECHECK_MS = (MAIL_SENDING_LEASE_SECONDS * 1000) / 2;
