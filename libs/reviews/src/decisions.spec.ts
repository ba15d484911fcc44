import type { Seat } from '../../config/src/review-policy';
import {
  type DecisionContext,
  type RecordedDecision,
  type SeatDecisionRequest,
  MAX_COMMENT,
  approvedSeats,
  checkSeatDecision,
  decisionEvent,
} from './decisions';

const ALL: Seat[] = ['armed_forces_liaison', 'undss', 'wfp_logistics', 'ocha'];

function context(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return {
    seat: 'wfp_logistics',
    currentVersion: 2,
    requiredSeats: ALL,
    recorded: [],
    ...overrides,
  };
}
const approve: SeatDecisionRequest = { version: 2, decision: 'approve' };
const flag = (extra: Partial<SeatDecisionRequest> = {}): SeatDecisionRequest => ({
  version: 2,
  decision: 'flag',
  reasonCodes: ['unclear_cargo'],
  ...extra,
});

describe('a seat decides on a movement version', () => {
  it('records an approval by a required seat on the current version', () => {
    expect(checkSeatDecision({ ...approve, comment: '  Road checked.  ' }, context())).toEqual({
      ok: true,
      decision: {
        seat: 'wfp_logistics',
        version: 2,
        decision: 'approve',
        reasonCodes: [],
        comment: 'Road checked.',
      },
    });
  });

  it('records a flag with its reasons, each once, and no comment when blank', () => {
    const result = checkSeatDecision(
      flag({
        reasonCodes: ['unclear_cargo', 'missing_vehicle_markings', 'unclear_cargo'],
        comment: ' ',
      }),
      context(),
    );
    expect(result).toMatchObject({
      ok: true,
      decision: { reasonCodes: ['unclear_cargo', 'missing_vehicle_markings'], comment: null },
    });
  });

  it('refuses a seat the movement is not routed to (403)', () => {
    const result = checkSeatDecision(approve, context({ requiredSeats: ['undss', 'ocha'] }));
    expect(result).toMatchObject({
      ok: false,
      refusal: 'forbidden',
      problems: [{ field: 'seat', rule: 'seat_not_required', params: { seat: 'wfp_logistics' } }],
    });
  });

  it.each([1, 3])('refuses a decision on version %i when version 2 is current (409)', (version) => {
    const result = checkSeatDecision({ ...approve, version }, context());
    expect(result).toMatchObject({
      ok: false,
      refusal: 'conflict',
      problems: [
        {
          field: 'version',
          rule: 'stale_version',
          reason: `version ${version} is not the current version (2); reload the movement and review the current version`,
        },
      ],
    });
  });

  it('tells a reviewer on an outdated page to reload before pointing at the form', () => {
    const result = checkSeatDecision(flag({ version: 1, reasonCodes: [] }), context());
    expect(result).toMatchObject({ ok: false, refusal: 'conflict' });
  });

  describe('once per version', () => {
    const recorded = (seat: Seat, version: number, decision: RecordedDecision['decision']) => ({
      seat,
      version,
      decision,
    });

    it.each(['approve', 'flag'] as const)('refuses a second decision after %s (409)', (first) => {
      const result = checkSeatDecision(
        flag(),
        context({ recorded: [recorded('wfp_logistics', 2, first)] }),
      );
      expect(result).toMatchObject({
        ok: false,
        refusal: 'conflict',
        problems: [
          {
            rule: 'already_decided',
            params: { seat: 'wfp_logistics', version: 2, decision: first },
          },
        ],
      });
    });

    it('lets a seat decide again on a new version after an amendment', () => {
      const result = checkSeatDecision(
        approve,
        context({ recorded: [recorded('wfp_logistics', 1, 'flag')] }),
      );
      expect(result.ok).toBe(true);
    });

    it('is not blocked by another seat’s decision', () => {
      const result = checkSeatDecision(
        approve,
        context({ recorded: [recorded('undss', 2, 'flag')] }),
      );
      expect(result.ok).toBe(true);
    });

    it('lets a seat that escalated approve or flag once UNDSS has answered, but not escalate twice', () => {
      const escalated = context({ recorded: [recorded('wfp_logistics', 2, 'escalate')] });
      expect(checkSeatDecision(approve, escalated).ok).toBe(true);
      expect(checkSeatDecision(flag(), escalated).ok).toBe(true);
      expect(checkSeatDecision(flag({ decision: 'escalate' }), escalated)).toMatchObject({
        ok: false,
        refusal: 'conflict',
        problems: [{ rule: 'already_escalated' }],
      });
    });
  });

  describe('reasons the organisation can act on', () => {
    it.each(['flag', 'escalate'] as const)(
      'requires at least one reason code to %s',
      (decision) => {
        const result = checkSeatDecision({ version: 2, decision, reasonCodes: [] }, context());
        expect(result).toMatchObject({
          ok: false,
          refusal: 'invalid',
          problems: [{ field: 'reasonCodes', rule: 'reason_required' }],
        });
      },
    );

    it('refuses reason codes on an approval: the organisation is never told why it was approved', () => {
      const result = checkSeatDecision({ ...approve, reasonCodes: ['unclear_cargo'] }, context());
      expect(result).toMatchObject({ problems: [{ rule: 'reasons_not_allowed' }] });
    });

    it.each([undefined, '', '   ', 'see me'])(
      'requires a comment with reason "other" (comment %p)',
      (comment) => {
        const result = checkSeatDecision(flag({ reasonCodes: ['other'], comment }), context());
        expect(result).toMatchObject({
          ok: false,
          refusal: 'invalid',
          problems: [{ field: 'comment', rule: 'comment_required', params: { min: 10 } }],
        });
      },
    );

    it('accepts reason "other" with a comment that says what to change', () => {
      const comment = 'Leave Gao after the curfew ends at 06:00.';
      const result = checkSeatDecision(flag({ reasonCodes: ['other'], comment }), context());
      expect(result).toMatchObject({ ok: true, decision: { comment } });
    });

    it('refuses a comment longer than the limit', () => {
      const result = checkSeatDecision(
        { ...approve, comment: 'x'.repeat(MAX_COMMENT + 1) },
        context(),
      );
      expect(result).toMatchObject({
        problems: [{ rule: 'comment_too_long', params: { max: 2000 } }],
      });
    });

    it('names every problem of the form at once', () => {
      const result = checkSeatDecision(
        {
          version: 2,
          decision: 'approve',
          reasonCodes: ['other'],
          comment: 'x'.repeat(MAX_COMMENT + 1),
        },
        context(),
      );
      expect(result.ok || result.problems.map((p) => p.rule)).toEqual([
        'reasons_not_allowed',
        'comment_too_long',
      ]);
    });
  });
});

describe('a decision as a lifecycle event', () => {
  const recorded: RecordedDecision[] = [
    { seat: 'undss', version: 1, decision: 'approve' },
    { seat: 'undss', version: 2, decision: 'approve' },
    { seat: 'ocha', version: 2, decision: 'approve' },
    { seat: 'armed_forces_liaison', version: 2, decision: 'escalate' },
  ];

  it('counts only approvals of the version under review', () => {
    expect(approvedSeats(recorded, 1)).toEqual(['undss']);
    expect(approvedSeats(recorded, 2)).toEqual(['undss', 'ocha']);
  });

  it('turns each decision into the event the state machine expects', () => {
    const ctx = context({ recorded });
    const decided = (decision: SeatDecisionRequest) => {
      const check = checkSeatDecision(decision, ctx);
      if (!check.ok) throw new Error(check.problems[0].reason);
      return decisionEvent(check.decision, ctx);
    };
    expect(decided(approve)).toEqual({
      type: 'seat_approved',
      seat: 'wfp_logistics',
      requiredSeats: ALL,
      approvedSeats: ['undss', 'ocha'],
    });
    expect(decided(flag())).toEqual({ type: 'seat_flagged', seat: 'wfp_logistics' });
    expect(decided(flag({ decision: 'escalate' }))).toEqual({
      type: 'escalated',
      raisedBy: 'wfp_logistics',
    });
  });
});
