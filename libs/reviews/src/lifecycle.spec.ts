import type { Seat } from '../../config/src/review-policy';
import type { MovementStatus } from '../../movements/src/notification.schema';
import { transition } from './lifecycle';
import {
  type Effect,
  type FinalStatus,
  type LifecycleEvent,
  type OpenStatus,
  EXPIRING_STATUSES,
  FINAL_STATUSES,
  LIFECYCLE_EVENT_TYPES,
  LIFECYCLE_STATUSES,
} from './lifecycle-events';
import { type ReviewRule, reviewText } from './messages';

const ALL: Seat[] = ['armed_forces_liaison', 'undss', 'wfp_logistics', 'ocha'];

type Expected = { to: MovementStatus; effects: Effect[] } | { refused: ReviewRule };
const to = (status: MovementStatus, ...effects: Effect[]): Expected => ({ to: status, effects });
const refused = (rule: ReviewRule): Expected => ({ refused: rule });

// Nothing happens to a completed, cancelled or expired movement any more.
const closed: Record<FinalStatus, Expected> = {
  completed: refused('movement_closed'),
  cancelled: refused('movement_closed'),
  expired: refused('movement_closed'),
};
const row = (open: Record<OpenStatus, Expected>): Record<MovementStatus, Expected> => ({
  ...open,
  ...closed,
});

const resolved = (
  outcome: Extract<LifecycleEvent, { type: 'escalation_resolved' }>['outcome'],
  approvedSeats: Seat[],
  otherOpenEscalations = 0,
): LifecycleEvent => ({
  type: 'escalation_resolved',
  outcome,
  requiredSeats: ALL,
  approvedSeats,
  otherOpenEscalations,
});

/** Each situation a movement can meet, and what it does to the movement in every status. */
const scenarios: Record<
  string,
  { event: LifecycleEvent; outcomes: Record<MovementStatus, Expected> }
> = {
  'the worker fans the review out to the seats': {
    event: { type: 'review_fanned_out' },
    outcomes: row({
      submitted: to('in_review', 'schedule_review_deadlines'),
      in_review: to('in_review'),
      flagged: to('flagged'),
      escalated: to('escalated', 'schedule_review_deadlines'),
      acknowledged: refused('review_over'),
      in_progress: refused('review_over'),
    }),
  },
  'a seat approves while others are still pending': {
    event: { type: 'seat_approved', seat: 'ocha', requiredSeats: ALL, approvedSeats: ['undss'] },
    outcomes: row({
      submitted: refused('review_not_started'),
      in_review: to('in_review'),
      flagged: to('flagged'),
      escalated: to('escalated'),
      acknowledged: refused('review_over'),
      in_progress: refused('review_over'),
    }),
  },
  'the last required seat approves': {
    event: {
      type: 'seat_approved',
      seat: 'ocha',
      requiredSeats: ALL,
      approvedSeats: ['armed_forces_liaison', 'undss', 'wfp_logistics'],
    },
    outcomes: row({
      submitted: refused('review_not_started'),
      in_review: to('acknowledged', 'send_acknowledgement'),
      flagged: to('flagged'),
      escalated: to('escalated'),
      acknowledged: refused('review_over'),
      in_progress: refused('review_over'),
    }),
  },
  'a seat that is not required approves': {
    event: {
      type: 'seat_approved',
      seat: 'wfp_logistics',
      requiredSeats: ['armed_forces_liaison', 'undss'],
      approvedSeats: ['armed_forces_liaison', 'undss'],
    },
    outcomes: row({
      submitted: refused('seat_not_required'),
      in_review: refused('seat_not_required'),
      flagged: refused('seat_not_required'),
      escalated: refused('seat_not_required'),
      acknowledged: refused('seat_not_required'),
      in_progress: refused('seat_not_required'),
    }),
  },
  'a seat flags': {
    event: { type: 'seat_flagged', seat: 'wfp_logistics' },
    outcomes: row({
      submitted: refused('review_not_started'),
      in_review: to('flagged', 'send_flag_notice'),
      flagged: to('flagged', 'send_flag_notice'),
      escalated: to('flagged', 'send_flag_notice'),
      acknowledged: refused('review_over'),
      in_progress: refused('review_over'),
    }),
  },
  'a seat escalates to UNDSS': {
    event: { type: 'escalated', raisedBy: 'armed_forces_liaison' },
    outcomes: row({
      submitted: refused('review_not_started'),
      in_review: to('escalated', 'notify_undss'),
      flagged: to('flagged', 'notify_undss'),
      escalated: to('escalated', 'notify_undss'),
      acknowledged: refused('review_over'),
      in_progress: refused('review_over'),
    }),
  },
  'an automatic rule escalates (escort, short-notice emergency)': {
    event: { type: 'escalated', raisedBy: 'automatic_rule' },
    outcomes: row({
      submitted: to('escalated', 'notify_undss'),
      in_review: to('escalated', 'notify_undss'),
      flagged: to('flagged', 'notify_undss'),
      escalated: to('escalated', 'notify_undss'),
      acknowledged: refused('review_over'),
      in_progress: refused('review_over'),
    }),
  },
  'UNDSS clears the escalation while seats are still pending': {
    event: resolved('cleared', ['undss']),
    outcomes: row({
      submitted: refused('no_open_escalation'),
      in_review: refused('no_open_escalation'),
      flagged: to('flagged'),
      escalated: to('in_review'),
      acknowledged: refused('no_open_escalation'),
      in_progress: to('in_progress'),
    }),
  },
  'UNDSS clears the escalation after every required seat approved': {
    event: resolved('cleared', ALL),
    outcomes: row({
      submitted: refused('no_open_escalation'),
      in_review: refused('no_open_escalation'),
      flagged: to('flagged'),
      escalated: to('acknowledged', 'send_acknowledgement'),
      acknowledged: refused('no_open_escalation'),
      in_progress: to('in_progress'),
    }),
  },
  'UNDSS clears one of two open escalations': {
    event: resolved('cleared', ALL, 1),
    outcomes: row({
      submitted: refused('no_open_escalation'),
      in_review: refused('no_open_escalation'),
      flagged: to('flagged'),
      escalated: to('escalated'),
      acknowledged: refused('no_open_escalation'),
      in_progress: to('in_progress'),
    }),
  },
  ...Object.fromEntries(
    (['advise_reroute', 'advise_postpone', 'advise_cancel'] as const).map((advice) => [
      `UNDSS resolves the escalation with ${advice}`,
      {
        event: resolved(advice, ALL),
        outcomes: row({
          submitted: refused('no_open_escalation'),
          in_review: refused('no_open_escalation'),
          flagged: to('flagged', 'send_flag_notice'),
          escalated: to('flagged', 'send_flag_notice'),
          acknowledged: refused('no_open_escalation'),
          in_progress: to('in_progress', 'send_flag_notice'),
        }),
      },
    ]),
  ),
  'the organisation amends the movement': {
    event: { type: 'amended' },
    outcomes: row({
      submitted: to('submitted', 'restart_review'),
      in_review: to('submitted', 'restart_review'),
      flagged: to('submitted', 'restart_review'),
      escalated: to('submitted', 'restart_review'),
      acknowledged: to('submitted', 'restart_review'),
      in_progress: to('submitted', 'restart_review'),
    }),
  },
  'the organisation cancels the movement': {
    event: { type: 'cancelled' },
    outcomes: row({
      submitted: to('cancelled', 'send_cancellation_notice'),
      in_review: to('cancelled', 'send_cancellation_notice'),
      flagged: to('cancelled', 'send_cancellation_notice'),
      escalated: to('cancelled', 'send_cancellation_notice'),
      acknowledged: to('cancelled', 'send_cancellation_notice'),
      in_progress: to('cancelled', 'send_cancellation_notice'),
    }),
  },
  'the organisation reports the departure': {
    event: { type: 'departed' },
    outcomes: row({
      submitted: refused('not_acknowledged'),
      in_review: refused('not_acknowledged'),
      flagged: refused('not_acknowledged'),
      escalated: refused('not_acknowledged'),
      acknowledged: to('in_progress'),
      in_progress: refused('already_under_way'),
    }),
  },
  'the organisation reports the arrival': {
    event: { type: 'arrived' },
    outcomes: row({
      submitted: refused('not_under_way'),
      in_review: refused('not_under_way'),
      flagged: refused('not_under_way'),
      escalated: refused('not_under_way'),
      acknowledged: refused('not_under_way'),
      in_progress: to('completed'),
    }),
  },
  'the departure window closes': {
    event: { type: 'window_closed' },
    outcomes: row({
      submitted: to('expired', 'send_expiry_notice'),
      in_review: to('expired', 'send_expiry_notice'),
      flagged: to('expired', 'send_expiry_notice'),
      escalated: to('expired', 'send_expiry_notice'),
      acknowledged: refused('does_not_expire'),
      in_progress: refused('does_not_expire'),
    }),
  },
  'a new no-go zone crosses the route': {
    event: { type: 'zone_conflict_no_go' },
    outcomes: row({
      submitted: to('flagged', 'send_flag_notice', 'notify_undss'),
      in_review: to('flagged', 'send_flag_notice', 'notify_undss'),
      flagged: to('flagged', 'send_flag_notice', 'notify_undss'),
      escalated: to('flagged', 'send_flag_notice', 'notify_undss'),
      acknowledged: to('flagged', 'send_flag_notice', 'notify_undss'),
      in_progress: to('in_progress', 'send_flag_notice', 'notify_undss'),
    }),
  },
};

describe('movement lifecycle: every status meets every event', () => {
  it('has a rule for every event type and every status, and nothing else', () => {
    const covered = new Set(Object.values(scenarios).map((s) => s.event.type));
    expect([...covered].sort()).toEqual([...LIFECYCLE_EVENT_TYPES].sort());
    for (const { outcomes } of Object.values(scenarios)) {
      expect(Object.keys(outcomes).sort()).toEqual([...LIFECYCLE_STATUSES].sort());
    }
  });

  const cases = Object.entries(scenarios).flatMap(([scenario, { event, outcomes }]) =>
    LIFECYCLE_STATUSES.map((status) => ({ scenario, status, event, expected: outcomes[status] })),
  );

  it.each(cases)('$scenario when the movement is $status', ({ status, event, expected }) => {
    const result = transition(status, event);
    if ('to' in expected) {
      expect(result).toEqual({ ok: true, status: expected.to, effects: expected.effects });
    } else {
      expect(result).toMatchObject({
        ok: false,
        rule: expected.refused,
        messageKey: `review.rule.${expected.refused}`,
      });
      if (!result.ok) expect(result.reason).not.toMatch(/\{\w+\}/); // every placeholder filled
    }
  });
});

describe('movement lifecycle: refusals a person can act on', () => {
  it('tells the organisation it cannot mark an unacknowledged movement departed', () => {
    const result = transition('in_review', { type: 'departed' });
    expect(result).toMatchObject({ ok: false, params: { status: 'in_review' } });
    if (result.ok) return;
    expect(result.reason).toBe(
      'only an acknowledged movement can be marked departed; this one is in_review',
    );
    expect(reviewText('fr', result.messageKey, result.params)).toContain('« in_review »');
  });

  it('names the seat that is not required', () => {
    const result = transition('in_review', {
      type: 'seat_approved',
      seat: 'wfp_logistics',
      requiredSeats: ['undss'],
      approvedSeats: [],
    });
    expect(result).toMatchObject({
      ok: false,
      reason: 'the wfp_logistics seat is not required to review this movement',
    });
  });

  it('says a cancelled movement can no longer change', () => {
    expect(transition('cancelled', { type: 'amended' })).toMatchObject({
      ok: false,
      reason: 'the movement is cancelled: nothing about it can change any more',
    });
  });
});

describe('movement lifecycle: final and expiring statuses', () => {
  it('expires exactly the movements the cell has not acknowledged', () => {
    const expiring = LIFECYCLE_STATUSES.filter(
      (status) => transition(status, { type: 'window_closed' }).ok,
    );
    expect(expiring).toEqual([...EXPIRING_STATUSES]);
  });

  it('lets nothing happen to a completed, cancelled or expired movement', () => {
    for (const status of FINAL_STATUSES) {
      for (const { event } of Object.values(scenarios)) {
        expect(transition(status, event).ok).toBe(false);
      }
    }
  });
});
