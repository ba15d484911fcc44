/**
 * At most this many emails per process between being handed to the SMTP server and being
 * recorded as sent: also the most a killed worker can leave accepted but not recorded, which a
 * retry sends again (the fault suite's bound).
 */
export const MAIL_SENDS_IN_FLIGHT = 8;
