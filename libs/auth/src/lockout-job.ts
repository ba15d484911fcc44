/** The mail job asked for (through the outbox) when an account is locked after failed sign-ins. */
export const AUTH_MAIL_JOBS = { lockoutNotice: 'auth.lockout-notice' } as const;

/** Its payload. The email itself is rendered and sent by the worker (apps/worker/src/account-mail.ts). */
export interface LockoutNoticeJob {
  /** Identifies this lock-out: one email per lock-out, however often the job runs. */
  lockoutId: string;
  userId: string;
  lockedUntil: string;
  failures: number;
  address: string;
}
