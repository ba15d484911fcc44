import type { OutboxMessage } from '../../queue/src/outbox';
import { QUEUES } from '../../queue/src/queues';
import type { Effect } from './lifecycle-events';

/** Jobs of the timers queue: deadlines that fire later and do nothing if their reason is gone. */
export const TIMER_JOBS = {
  reminder: 'review.reminder',
  overdue: 'review.overdue',
  expiry: 'movement.expiry',
  escalationDeadline: 'escalation.deadline',
} as const;

/** Jobs of the mail queue raised by the review workflow. */
export const REVIEW_MAIL_JOBS = {
  acknowledgement: 'movement.acknowledgement',
  flagNotice: 'movement.flag-notice',
  expiryNotice: 'movement.expiry-notice',
  seatReminder: 'review.seat-reminder',
  overdueAlert: 'review.overdue-alert',
  escalationAlert: 'escalation.alert',
  escalationOverdue: 'escalation.overdue',
  zoneCleared: 'zone.cleared-notice',
} as const;

export interface DeadlineSettings {
  REVIEW_REMINDER_HOURS: number;
  OVERDUE_ALERT_HOURS: number;
  EXPIRY_GRACE_MINUTES: number;
  ESCALATION_ACK_MINUTES: number;
  ESCALATION_ACK_CRITICAL_MINUTES: number;
}

export interface MovementRef {
  id: string;
  version: number;
  departureAt: string;
}

const HOUR = 3600_000;
const MINUTE = 60_000;

/** The outbox work a state change asks for (DESIGN §4): emails now, timers for later. */
export function followUps(
  movement: MovementRef,
  effects: Effect[],
  settings: DeadlineSettings,
): OutboxMessage[] {
  const payload = { movementId: movement.id, version: movement.version };
  const departure = new Date(movement.departureAt).getTime();
  const mail = (jobName: string): OutboxMessage => ({
    queue: QUEUES.mail,
    jobName,
    payload,
    correlationId: movement.id,
  });
  const timer = (jobName: string, at: number): OutboxMessage => ({
    queue: QUEUES.timers,
    jobName,
    payload,
    correlationId: movement.id,
    runAt: new Date(at),
  });
  return effects.flatMap((effect): OutboxMessage[] => {
    switch (effect) {
      case 'send_acknowledgement':
        return [mail(REVIEW_MAIL_JOBS.acknowledgement)];
      case 'send_flag_notice':
        return [mail(REVIEW_MAIL_JOBS.flagNotice)];
      case 'send_expiry_notice':
        return [mail(REVIEW_MAIL_JOBS.expiryNotice)];
      case 'schedule_review_deadlines':
        return [
          timer(TIMER_JOBS.reminder, departure - settings.REVIEW_REMINDER_HOURS * HOUR),
          timer(TIMER_JOBS.overdue, departure - settings.OVERDUE_ALERT_HOURS * HOUR),
          timer(TIMER_JOBS.expiry, departure + settings.EXPIRY_GRACE_MINUTES * MINUTE),
        ];
      // notify_undss travels with the escalation row's own alert; restart_review with the amendment's
      // fan-out; the cancellation notice with the cancellation itself.
      case 'notify_undss':
      case 'restart_review':
      case 'send_cancellation_notice':
        return [];
    }
  });
}

/** How long UNDSS has to acknowledge an escalation of this severity, in minutes. */
export function acknowledgementWindowMinutes(
  severity: 'critical' | 'high' | 'medium' | 'low',
  settings: DeadlineSettings,
): number {
  return severity === 'critical'
    ? settings.ESCALATION_ACK_CRITICAL_MINUTES
    : settings.ESCALATION_ACK_MINUTES;
}

/** A missed deadline re-alerts after each further window, never more often than once a minute. */
export function nextEscalationCheck(now: Date, windowMinutes: number): Date {
  return new Date(now.getTime() + Math.max(1, windowMinutes) * MINUTE);
}

/** Automatic escalations of DESIGN §1.2 and §1.4: escorts, and emergencies notified at short notice. */
export function automaticEscalations(
  notification: { priority: string; escort: { status: string }; departure: { at: string } },
  submittedAt: Date,
  leadTimeHours: number,
): { severity: 'high' | 'medium'; reasonCode: 'escort_requested' | 'emergency_short_notice' }[] {
  const found: {
    severity: 'high' | 'medium';
    reasonCode: 'escort_requested' | 'emergency_short_notice';
  }[] = [];
  const notice = new Date(notification.departure.at).getTime() - submittedAt.getTime();
  if (notification.priority === 'emergency' && notice < leadTimeHours * HOUR) {
    found.push({ severity: 'high', reasonCode: 'emergency_short_notice' });
  }
  if (notification.escort.status !== 'none')
    found.push({ severity: 'medium', reasonCode: 'escort_requested' });
  return found;
}
