import type { Seat } from '../../config/src/review-policy';
import type { MessageParams } from '../../i18n/src/translate';
import type { LifecycleEvent } from './lifecycle-events';
import { type Refusal, type ReviewRule, refusal } from './messages';
import type { ReasonCode } from './reason-codes';

/** What a seat can decide on a movement version (issue 3 item 2). */
export const DECISIONS = ['approve', 'flag', 'escalate'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Reason code "other" says nothing by itself: the comment must tell the organisation what to change. */
export const MIN_OTHER_COMMENT = 10;
export const MAX_COMMENT = 2000;

/** The body of `POST /movements/:id/reviews`, already shaped by the API's schema. */
export interface SeatDecisionRequest {
  version: number;
  decision: Decision;
  reasonCodes?: readonly ReasonCode[];
  comment?: string | null;
}

export interface RecordedDecision {
  seat: Seat;
  version: number;
  decision: Decision;
}

export interface DecisionContext {
  /** The seat of the cell member deciding. */
  seat: Seat;
  currentVersion: number;
  requiredSeats: readonly Seat[];
  /** Decisions already recorded on this movement, any version. */
  recorded: readonly RecordedDecision[];
}

/** A decision ready to record: reason codes without repeats, comment trimmed (null when blank). */
export interface SeatDecision {
  seat: Seat;
  version: number;
  decision: Decision;
  reasonCodes: ReasonCode[];
  comment: string | null;
}

export type DecisionProblem = Refusal & { field: string };

/** `forbidden`, `conflict` and `invalid` map to HTTP 403, 409 and 400. */
export type DecisionCheck =
  | { ok: true; decision: SeatDecision }
  | { ok: false; refusal: 'forbidden' | 'conflict' | 'invalid'; problems: DecisionProblem[] };

/**
 * Checks a seat's decision before it is recorded. A stale version is answered before the
 * content, so a reviewer on an outdated page reloads rather than fixing a form in vain.
 * An escalation does not use up the seat's decision: the seat approves or flags once UNDSS
 * has answered, otherwise a seat that escalated could never let the movement be acknowledged.
 */
export function checkSeatDecision(
  request: SeatDecisionRequest,
  context: DecisionContext,
): DecisionCheck {
  const { seat, currentVersion: version } = context;
  if (!context.requiredSeats.includes(seat)) {
    return refused('forbidden', problem('seat', 'seat_not_required', { seat }));
  }
  if (request.version !== version) {
    return refused(
      'conflict',
      problem('version', 'stale_version', { given: request.version, current: version }),
    );
  }
  const own = context.recorded.filter((d) => d.seat === seat && d.version === version);
  const final = own.find((d) => d.decision !== 'escalate');
  if (final) {
    return refused(
      'conflict',
      problem('decision', 'already_decided', { seat, version, decision: final.decision }),
    );
  }
  if (request.decision === 'escalate' && own.length > 0) {
    return refused('conflict', problem('decision', 'already_escalated', { seat, version }));
  }

  const reasonCodes = [...new Set(request.reasonCodes ?? [])];
  const comment = request.comment?.trim() || null;
  const problems = contentProblems(request.decision, reasonCodes, comment);
  if (problems.length > 0) return { ok: false, refusal: 'invalid', problems };
  return {
    ok: true,
    decision: { seat, version, decision: request.decision, reasonCodes, comment },
  };
}

function contentProblems(
  decision: Decision,
  reasonCodes: readonly ReasonCode[],
  comment: string | null,
): DecisionProblem[] {
  const problems: DecisionProblem[] = [];
  if (decision === 'approve' && reasonCodes.length > 0) {
    problems.push(problem('reasonCodes', 'reasons_not_allowed'));
  }
  if (decision !== 'approve' && reasonCodes.length === 0) {
    problems.push(problem('reasonCodes', 'reason_required'));
  }
  if (reasonCodes.includes('other') && (comment ?? '').length < MIN_OTHER_COMMENT) {
    problems.push(problem('comment', 'comment_required', { min: MIN_OTHER_COMMENT }));
  }
  if ((comment ?? '').length > MAX_COMMENT) {
    problems.push(problem('comment', 'comment_too_long', { max: MAX_COMMENT }));
  }
  return problems;
}

/** Seats whose approval of `version` is recorded. */
export function approvedSeats(recorded: readonly RecordedDecision[], version: number): Seat[] {
  return recorded
    .filter((d) => d.version === version && d.decision === 'approve')
    .map((d) => d.seat);
}

/** The lifecycle event a checked decision raises; feed it to transition(). */
export function decisionEvent(decision: SeatDecision, context: DecisionContext): LifecycleEvent {
  switch (decision.decision) {
    case 'approve':
      return {
        type: 'seat_approved',
        seat: decision.seat,
        requiredSeats: context.requiredSeats,
        approvedSeats: approvedSeats(context.recorded, decision.version),
      };
    case 'flag':
      return { type: 'seat_flagged', seat: decision.seat };
    case 'escalate':
      return { type: 'escalated', raisedBy: decision.seat };
  }
}

function problem(field: string, rule: ReviewRule, params: MessageParams = {}): DecisionProblem {
  return { field, ...refusal(rule, params) };
}

function refused(kind: 'forbidden' | 'conflict', only: DecisionProblem): DecisionCheck {
  return { ok: false, refusal: kind, problems: [only] };
}
