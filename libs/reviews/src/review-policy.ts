import type { Seat } from '../../config/src/review-policy';
import type { NotificationData } from '../../movements/src/notification.schema';
import type { SameType } from './same-type';

/** The cell's seats in the order of DESIGN §2; required seats are always listed in this order. */
export const REVIEW_SEATS = ['armed_forces_liaison', 'undss', 'wfp_logistics', 'ocha'] as const;
const _seatsMatch: SameType<(typeof REVIEW_SEATS)[number], Seat> = true;

export interface SeatPolicy {
  readonly defaultSeats: readonly Seat[];
}

/** What of a movement decides who reviews it. */
export interface MovementRouting {
  priority: NotificationData['priority'];
  escort: { status: NotificationData['escort']['status'] };
}

/** Why a seat reviews a movement, for the audit log and the reviewer's queue. */
export type RoutingReason = 'policy' | 'escort' | 'emergency';

/** Seats routed by rule whatever the policy says (DESIGN §1.4; emergencies need security and coordination). */
const RULE_SEATS: Record<Exclude<RoutingReason, 'policy'>, readonly Seat[]> = {
  escort: ['armed_forces_liaison', 'undss'],
  emergency: ['undss', 'ocha'],
};

/** Each required seat with every reason it is required, in cell order. */
export function seatRouting(
  policy: SeatPolicy,
  movement: MovementRouting,
): { seat: Seat; reasons: RoutingReason[] }[] {
  const reasonsBySeat = new Map<Seat, RoutingReason[]>();
  const route = (seats: readonly Seat[], reason: RoutingReason) => {
    for (const seat of seats) {
      const reasons = reasonsBySeat.get(seat) ?? [];
      if (!reasons.includes(reason)) reasons.push(reason);
      reasonsBySeat.set(seat, reasons);
    }
  };
  route(policy.defaultSeats, 'policy');
  if (movement.escort.status !== 'none') route(RULE_SEATS.escort, 'escort');
  if (movement.priority === 'emergency') route(RULE_SEATS.emergency, 'emergency');

  const routing = REVIEW_SEATS.filter((seat) => reasonsBySeat.has(seat)).map((seat) => ({
    seat,
    reasons: reasonsBySeat.get(seat) ?? [],
  }));
  // With no seat, nobody could ever acknowledge the movement: a broken policy, not a movement.
  if (routing.length === 0) throw new Error('review policy: defaultSeats names no seat');
  return routing;
}

/** The seats that must review a movement: the policy's, plus those its escort and priority call for. */
export function requiredSeats(policy: SeatPolicy, movement: MovementRouting): Seat[] {
  return seatRouting(policy, movement).map((entry) => entry.seat);
}
