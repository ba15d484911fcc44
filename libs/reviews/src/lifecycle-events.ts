import type { Seat } from '../../config/src/review-policy';
import type { MovementStatus } from '../../movements/src/notification.schema';
import type { SameType } from './same-type';

/** The statuses of DESIGN §4, in lifecycle order; pinned to @hns/movements' MovementStatus. */
export const LIFECYCLE_STATUSES = [
  'submitted',
  'in_review',
  'flagged',
  'escalated',
  'acknowledged',
  'in_progress',
  'completed',
  'cancelled',
  'expired',
] as const satisfies readonly MovementStatus[];
const _statusesMatch: SameType<(typeof LIFECYCLE_STATUSES)[number], MovementStatus> = true;

/** Nothing about a movement changes after these; it stays readable (DESIGN §1.6). */
export const FINAL_STATUSES = ['completed', 'cancelled', 'expired'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];
export type OpenStatus = Exclude<MovementStatus, FinalStatus>;

/** Not acknowledged yet: these expire when the departure window closes. */
export const EXPIRING_STATUSES = ['submitted', 'in_review', 'flagged', 'escalated'] as const;

export function isFinalStatus(status: MovementStatus): status is FinalStatus {
  return (FINAL_STATUSES as readonly MovementStatus[]).includes(status);
}

/** What UNDSS concluded (issue 3 item 5): `cleared` lets review go on, any advice flags it. */
export const ESCALATION_OUTCOMES = [
  'cleared',
  'advise_reroute',
  'advise_postpone',
  'advise_cancel',
] as const;
export type EscalationOutcome = (typeof ESCALATION_OUTCOMES)[number];

/**
 * Something that happened to a movement. Events carry what the rule needs to decide, so the
 * state machine never reads the database; the caller loads it.
 */
export type LifecycleEvent =
  /** The worker created one review task per required seat. */
  | { type: 'review_fanned_out' }
  /** `approvedSeats`: seats whose approval of the current version is recorded (this one may be). */
  | {
      type: 'seat_approved';
      seat: Seat;
      requiredSeats: readonly Seat[];
      approvedSeats: readonly Seat[];
    }
  | { type: 'seat_flagged'; seat: Seat }
  /** A seat's `escalate` decision, or an automatic rule (escort, emergency with short notice). */
  | { type: 'escalated'; raisedBy: Seat | 'automatic_rule' }
  /** `otherOpenEscalations`: escalations of this version still open after this one. */
  | {
      type: 'escalation_resolved';
      outcome: EscalationOutcome;
      requiredSeats: readonly Seat[];
      approvedSeats: readonly Seat[];
      otherOpenEscalations: number;
    }
  /** The organisation amended: a new version, reviewed again by every required seat. */
  | { type: 'amended' }
  | { type: 'cancelled' }
  | { type: 'departed' }
  | { type: 'arrived' }
  /** The expiry timer: the departure window closed. */
  | { type: 'window_closed' }
  /** Deconfliction found a `no_go` zone crossing the route in time and space (DESIGN §5). */
  | { type: 'zone_conflict_no_go' };

export type LifecycleEventType = LifecycleEvent['type'];

export const LIFECYCLE_EVENT_TYPES = [
  'review_fanned_out',
  'seat_approved',
  'seat_flagged',
  'escalated',
  'escalation_resolved',
  'amended',
  'cancelled',
  'departed',
  'arrived',
  'window_closed',
  'zone_conflict_no_go',
] as const;
const _eventsMatch: SameType<(typeof LIFECYCLE_EVENT_TYPES)[number], LifecycleEventType> = true;

/**
 * Follow-ups a transition asks for. Data, not actions: the caller writes them to the outbox in
 * the same transaction as the new status, so none is lost (DESIGN §1.7).
 */
export const EFFECTS = [
  /** Reminder to pending seats, overdue alert to OCHA, expiry when the departure window closes. */
  'schedule_review_deadlines',
  /** Deconfliction acknowledgement (with .ics) to the focal point, copy to the cell. */
  'send_acknowledgement',
  /** What to change and how to amend, to the focal point. */
  'send_flag_notice',
  /** Security escalation email to UNDSS at once, and its acknowledgement deadline. */
  'notify_undss',
  /** Fan the new version out to every required seat. */
  'restart_review',
  'send_cancellation_notice',
  'send_expiry_notice',
] as const;
export type Effect = (typeof EFFECTS)[number];
