import type { Seat } from '../../config/src/review-policy';
import type { MovementStatus } from '../../movements/src/notification.schema';
import {
  type Decision,
  type RecordedDecision,
  checkSeatDecision,
  decisionEvent,
} from './decisions';
import { transition } from './lifecycle';
import type { Effect, LifecycleEvent } from './lifecycle-events';
import type { ReasonCode } from './reason-codes';
import { type MovementRouting, requiredSeats } from './review-policy';

const ALL_FOUR = {
  defaultSeats: ['armed_forces_liaison', 'undss', 'wfp_logistics', 'ocha'] as Seat[],
};
const routineConvoy: MovementRouting = { priority: 'routine', escort: { status: 'none' } };

/** A movement as the API and the worker would hold it, in memory: status, version, decisions. */
class Movement {
  status: MovementStatus = 'submitted';
  version = 1;
  decisions: RecordedDecision[] = [];
  effects: Effect[] = [];

  constructor(readonly seats: Seat[]) {}

  happen(event: LifecycleEvent): void {
    const result = transition(this.status, event);
    if (!result.ok) throw new Error(`${event.type} refused: ${result.reason}`);
    this.status = result.status;
    this.effects.push(...result.effects);
  }

  decide(seat: Seat, decision: Decision, reasonCodes: ReasonCode[] = [], version = this.version) {
    const context = {
      seat,
      currentVersion: this.version,
      requiredSeats: this.seats,
      recorded: this.decisions,
    };
    const check = checkSeatDecision({ version, decision, reasonCodes }, context);
    if (!check.ok) return check;
    this.happen(decisionEvent(check.decision, context));
    this.decisions.push({ seat, version, decision });
    return check;
  }

  resolve(outcome: 'cleared' | 'advise_reroute', otherOpenEscalations = 0): void {
    this.happen({
      type: 'escalation_resolved',
      outcome,
      requiredSeats: this.seats,
      approvedSeats: this.decisions
        .filter((d) => d.version === this.version && d.decision === 'approve')
        .map((d) => d.seat),
      otherOpenEscalations,
    });
  }

  amend(): void {
    this.version += 1;
    this.happen({ type: 'amended' });
    this.happen({ type: 'review_fanned_out' });
  }

  count(effect: Effect): number {
    return this.effects.filter((e) => e === effect).length;
  }
}

function fannedOut(seats: Seat[]): Movement {
  const movement = new Movement(seats);
  movement.happen({ type: 'review_fanned_out' });
  return movement;
}

describe('the review workflow, as the cell lives it', () => {
  it('an amendment after a flag restarts review by every seat', () => {
    const convoy = fannedOut(requiredSeats(ALL_FOUR, routineConvoy));
    convoy.decide('wfp_logistics', 'flag', ['missing_vehicle_markings']);
    convoy.decide('armed_forces_liaison', 'approve');
    convoy.decide('undss', 'approve');
    convoy.decide('ocha', 'approve');
    expect(convoy.status).toBe('flagged');
    expect(convoy.count('send_flag_notice')).toBe(1);

    convoy.amend();
    expect(convoy.status).toBe('in_review');
    expect(convoy.count('restart_review')).toBe(1);
    for (const seat of ['armed_forces_liaison', 'undss', 'wfp_logistics'] as const) {
      convoy.decide(seat, 'approve');
      expect(convoy.status).toBe('in_review');
    }
    convoy.decide('ocha', 'approve');
    expect(convoy.status).toBe('acknowledged');
    expect(convoy.count('send_acknowledgement')).toBe(1);
  });

  it('a decision on the version before the amendment is refused as stale', () => {
    const convoy = fannedOut(requiredSeats(ALL_FOUR, routineConvoy));
    convoy.decide('undss', 'flag', ['security_threat_on_route']);
    convoy.amend();
    expect(convoy.decide('ocha', 'approve', [], 1)).toMatchObject({
      ok: false,
      refusal: 'conflict',
      problems: [{ rule: 'stale_version' }],
    });
    expect(convoy.status).toBe('in_review');
  });

  it('an escorted convoy goes to UNDSS at once and is acknowledged only when UNDSS clears it', () => {
    const escorted: MovementRouting = { priority: 'routine', escort: { status: 'requested' } };
    const convoy = new Movement(requiredSeats({ defaultSeats: ['wfp_logistics'] }, escorted));
    expect(convoy.seats).toEqual(['armed_forces_liaison', 'undss', 'wfp_logistics']);

    convoy.happen({ type: 'escalated', raisedBy: 'automatic_rule' });
    convoy.happen({ type: 'review_fanned_out' });
    for (const seat of convoy.seats) convoy.decide(seat, 'approve');
    expect(convoy.status).toBe('escalated');
    expect(convoy.count('send_acknowledgement')).toBe(0);

    convoy.resolve('cleared');
    expect(convoy.status).toBe('acknowledged');
    expect(convoy.effects).toEqual([
      'notify_undss',
      'schedule_review_deadlines',
      'send_acknowledgement',
    ]);
  });

  it('a seat that escalated still has its say once UNDSS clears the movement', () => {
    const convoy = fannedOut(requiredSeats(ALL_FOUR, routineConvoy));
    convoy.decide('armed_forces_liaison', 'escalate', ['security_threat_on_route']);
    convoy.decide('undss', 'approve');
    convoy.decide('wfp_logistics', 'approve');
    convoy.decide('ocha', 'approve');
    convoy.resolve('cleared');
    expect(convoy.status).toBe('in_review');

    convoy.decide('armed_forces_liaison', 'approve');
    expect(convoy.status).toBe('acknowledged');
  });

  it('UNDSS advising a reroute flags the movement and the organisation hears why', () => {
    const convoy = fannedOut(requiredSeats(ALL_FOUR, routineConvoy));
    convoy.decide('ocha', 'escalate', ['security_threat_on_route']);
    expect(convoy.count('notify_undss')).toBe(1);
    convoy.resolve('advise_reroute');
    expect(convoy.status).toBe('flagged');
    expect(convoy.count('send_flag_notice')).toBe(1);
  });

  it('a flag while UNDSS looks at the movement is not undone when UNDSS clears it', () => {
    const convoy = fannedOut(requiredSeats(ALL_FOUR, routineConvoy));
    convoy.decide('undss', 'escalate', ['escort_not_justified']);
    convoy.decide('wfp_logistics', 'flag', ['impassable_road']);
    convoy.resolve('cleared');
    expect(convoy.status).toBe('flagged');
  });

  it('a no-go zone declared after acknowledgement re-flags the movement and alerts UNDSS', () => {
    const convoy = fannedOut(requiredSeats(ALL_FOUR, routineConvoy));
    for (const seat of convoy.seats) convoy.decide(seat, 'approve');
    expect(convoy.status).toBe('acknowledged');

    convoy.happen({ type: 'zone_conflict_no_go' });
    expect(convoy.status).toBe('flagged');
    expect(convoy.effects.slice(-2)).toEqual(['send_flag_notice', 'notify_undss']);

    convoy.amend();
    expect(convoy.status).toBe('in_review');
  });

  it('a movement nobody acknowledged expires when its window closes; an acknowledged one waits for its convoy', () => {
    const pending = fannedOut(requiredSeats(ALL_FOUR, routineConvoy));
    pending.decide('ocha', 'approve');
    pending.happen({ type: 'window_closed' });
    expect(pending.status).toBe('expired');
    expect(pending.count('send_expiry_notice')).toBe(1);

    const acknowledged = fannedOut(['ocha']);
    acknowledged.decide('ocha', 'approve');
    expect(transition(acknowledged.status, { type: 'window_closed' })).toMatchObject({
      ok: false,
      rule: 'does_not_expire',
    });
    acknowledged.happen({ type: 'departed' });
    acknowledged.happen({ type: 'arrived' });
    expect(acknowledged.status).toBe('completed');
  });
});
