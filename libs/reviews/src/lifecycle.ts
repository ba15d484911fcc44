import type { Seat } from '../../config/src/review-policy';
import type { MovementStatus } from '../../movements/src/notification.schema';
import {
  type Effect,
  type EscalationOutcome,
  type LifecycleEvent,
  type OpenStatus,
  isFinalStatus,
} from './lifecycle-events';
import { type Refusal, refusal } from './messages';

export type TransitionResult =
  { ok: true; status: MovementStatus; effects: Effect[] } | ({ ok: false } & Refusal);

/**
 * The movement lifecycle of DESIGN §4 as one pure function. Two rules shape it beyond the
 * diagram: a flag outranks everything still in review (only an amendment lifts it), and an open
 * escalation holds the acknowledgement back until UNDSS clears it.
 */
export function transition(status: MovementStatus, event: LifecycleEvent): TransitionResult {
  if (isFinalStatus(status)) return refuse('movement_closed', { status });
  switch (event.type) {
    case 'review_fanned_out':
      return onFanOut(status);
    case 'seat_approved':
      return onApproval(status, event);
    case 'seat_flagged':
      return onFlag(status);
    case 'escalated':
      return onEscalation(status, event.raisedBy);
    case 'escalation_resolved':
      return onResolution(status, event);
    case 'amended':
      return to('submitted', 'restart_review');
    case 'cancelled':
      return to('cancelled', 'send_cancellation_notice');
    case 'departed':
      if (status === 'acknowledged') return to('in_progress');
      if (status === 'in_progress') return refuse('already_under_way');
      return refuse('not_acknowledged', { status });
    case 'arrived':
      return status === 'in_progress' ? to('completed') : refuse('not_under_way', { status });
    case 'window_closed':
      return onWindowClosed(status);
    case 'zone_conflict_no_go':
      // The convoy is already moving: its status stays, but the organisation and UNDSS hear at once.
      if (status === 'in_progress') return to(status, 'send_flag_notice', 'notify_undss');
      return to('flagged', 'send_flag_notice', 'notify_undss');
  }
}

function onFanOut(status: OpenStatus): TransitionResult {
  switch (status) {
    case 'submitted':
      return to('in_review', 'schedule_review_deadlines');
    case 'escalated': // escalated automatically before the fan-out; seats still review meanwhile
      return to(status, 'schedule_review_deadlines');
    case 'in_review': // the fan-out job ran twice
    case 'flagged': // a no-go conflict was found first; the amendment will fan out again
      return to(status);
    case 'acknowledged':
    case 'in_progress':
      return refuse('review_over', { status });
  }
}

function onApproval(
  status: OpenStatus,
  event: Extract<LifecycleEvent, { type: 'seat_approved' }>,
): TransitionResult {
  if (!event.requiredSeats.includes(event.seat)) {
    return refuse('seat_not_required', { seat: event.seat });
  }
  switch (status) {
    case 'submitted':
      return refuse('review_not_started');
    case 'in_review':
      return allApproved(event.requiredSeats, [...event.approvedSeats, event.seat])
        ? to('acknowledged', 'send_acknowledgement')
        : to(status);
    case 'flagged': // recorded, but the flag stands until the organisation amends
    case 'escalated': // recorded; acknowledgement waits for UNDSS
      return to(status);
    case 'acknowledged':
    case 'in_progress':
      return refuse('review_over', { status });
  }
}

function onFlag(status: OpenStatus): TransitionResult {
  switch (status) {
    case 'submitted':
      return refuse('review_not_started');
    case 'in_review':
    case 'flagged': // each flagging seat's reasons reach the organisation
    case 'escalated': // the escalation stays open with UNDSS
      return to('flagged', 'send_flag_notice');
    case 'acknowledged':
    case 'in_progress':
      return refuse('review_over', { status });
  }
}

function onEscalation(status: OpenStatus, raisedBy: Seat | 'automatic_rule'): TransitionResult {
  switch (status) {
    case 'submitted':
      // Automatic rules may run before the fan-out; a seat has nothing to decide on yet.
      return raisedBy === 'automatic_rule'
        ? to('escalated', 'notify_undss')
        : refuse('review_not_started');
    case 'in_review':
    case 'escalated':
      return to('escalated', 'notify_undss');
    case 'flagged': // UNDSS is told, but the flag still decides what the organisation must do
      return to(status, 'notify_undss');
    case 'acknowledged':
    case 'in_progress':
      return refuse('review_over', { status });
  }
}

function onResolution(
  status: OpenStatus,
  event: Extract<LifecycleEvent, { type: 'escalation_resolved' }>,
): TransitionResult {
  const advised = isAdvice(event.outcome);
  switch (status) {
    case 'escalated':
      if (advised) return to('flagged', 'send_flag_notice');
      if (event.otherOpenEscalations > 0) return to(status);
      return allApproved(event.requiredSeats, event.approvedSeats)
        ? to('acknowledged', 'send_acknowledgement')
        : to('in_review');
    case 'flagged':
    case 'in_progress': // after a no-go conflict on the road: pass UNDSS's advice on
      return advised ? to(status, 'send_flag_notice') : to(status);
    case 'submitted':
    case 'in_review':
    case 'acknowledged':
      return refuse('no_open_escalation', { status });
  }
}

function onWindowClosed(status: OpenStatus): TransitionResult {
  switch (status) {
    case 'submitted':
    case 'in_review':
    case 'flagged':
    case 'escalated':
      return to('expired', 'send_expiry_notice');
    case 'acknowledged':
    case 'in_progress':
      return refuse('does_not_expire', { status });
  }
}

function isAdvice(outcome: EscalationOutcome): boolean {
  return outcome !== 'cleared';
}

function allApproved(required: readonly Seat[], approved: readonly Seat[]): boolean {
  return required.every((seat) => approved.includes(seat));
}

function to(status: MovementStatus, ...effects: Effect[]): TransitionResult {
  return { ok: true, status, effects };
}

function refuse(...args: Parameters<typeof refusal>): TransitionResult {
  return { ok: false, ...refusal(...args) };
}
