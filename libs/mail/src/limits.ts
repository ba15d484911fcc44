/**
 * At most this many emails per process between being handed to the SMTP server and being
 * recorded as sent: also the most a killed worker can leave accepted but not recorded, which a
 * retry sends again with the same Message-ID (the fault suite's bound). 16 keeps the SMTP pool's
 * five connections busy while earlier emails' "sent" marks wait for their commit (8 left them
 * idle about a third of the time: 1,000 emails/s against 1,185, bench, issue 7); a duplicate
 * after a crash is the price, a lost email never is.
 */
export const MAIL_SENDS_IN_FLIGHT = 16;
