import { AuditFacts, assessAuditLog } from './audit-assessment';

const healthy: AuditFacts = {
  triggers: [
    { name: 'audit_events_no_update_delete', enabled: 'O', type: 1 | 2 | 8 | 16, raises: true },
    { name: 'audit_events_no_truncate', enabled: 'O', type: 2 | 32, raises: true },
  ],
  refused: { update: true, delete: true },
  events: 3,
  firstId: 1,
  lastId: 3,
  sequenceLastValue: 3,
  gaps: [],
  gapCount: 0,
  missingIds: 0,
  regressions: 0,
  lateEvents: [],
  lateCount: 0,
  toleranceSeconds: 60,
  futureEvents: 0,
};

describe('audit log assessment', () => {
  it('finds nothing wrong with guarded, gapless, ordered events', () => {
    expect(assessAuditLog(healthy)).toEqual({ problems: [], notes: [] });
  });

  it('names a disabled trigger, a trigger that does not raise, and an accepted change', () => {
    const { problems } = assessAuditLog({
      ...healthy,
      triggers: [
        { ...healthy.triggers[0], enabled: 'D' },
        { ...healthy.triggers[1], raises: false },
      ],
      refused: { update: false, delete: true },
    });
    expect(problems).toEqual([
      expect.stringContaining('refuses UPDATE'),
      expect.stringContaining('refuses DELETE'),
      expect.stringContaining('refuses TRUNCATE'),
      expect.stringContaining('a test UPDATE was accepted'),
    ]);
  });

  it('reports gaps, ids past the sequence, and events dated back beyond the tolerance', () => {
    const { problems, notes } = assessAuditLog({
      ...healthy,
      gaps: [{ from: 2, to: 2 }],
      gapCount: 1,
      missingIds: 1,
      sequenceLastValue: 2,
      regressions: 3,
      lateEvents: [{ id: 3, seconds: 120 }],
      lateCount: 1,
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^1 id\(s\) missing in 1 gap\(s\) .*: 2 /);
    expect(problems[1]).toMatch(/past the id sequence/);
    expect(problems[2]).toMatch(/3 \(−120 s\)/);
    expect(notes).toEqual([expect.stringContaining('concurrent transactions')]);
  });
});
