import type { ChainFacts, SealResult } from '@hns/audit';
import { AuditFacts, assessAuditChain, assessAuditLog } from './audit-assessment';

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

describe('audit chain guards', () => {
  it('judges the audit_chain triggers and test changes like those of audit_events', () => {
    const { problems } = assessAuditLog({
      ...healthy,
      chainTriggers: [{ ...healthy.triggers[0], name: 'audit_chain_no_update_delete' }],
      chainRefused: { update: true, delete: false },
    });
    expect(problems).toEqual([
      'no enabled trigger refuses TRUNCATE on audit_chain / aucun déclencheur actif ne refuse TRUNCATE sur audit_chain',
      'a test DELETE on audit_chain was accepted (rolled back) / un DELETE d’essai sur audit_chain a été accepté (annulé)',
    ]);
  });
});

describe('audit chain assessment', () => {
  const intact: ChainFacts = {
    checked: 5,
    head: { seq: 5, eventId: 7, hash: 'ab'.repeat(32) },
    breaks: [],
    breakCount: 0,
    unsealed: 0,
    oldestUnsealedSeconds: null,
    unsealedAltered: { count: 0, firstId: null },
    functionsChanged: [],
    contentTriggerEnabled: true,
  };
  const sealed: SealResult = { sealed: 2, horizon: 7, waitingFor: 0 };

  it('says intact, with the head to keep elsewhere', () => {
    expect(assessAuditChain(intact, sealed)).toEqual({
      problems: [],
      notes: [],
      summary: `Hash chain intact / chaîne d’empreintes intacte: 5 link(s) recomputed / maillon(s) recalculé(s), 2 sealed now / scellé(s) maintenant; head / tête: link 5, event 7, sha256 ${'ab'.repeat(32)}`,
    });
  });

  it('names the first broken link, what differs, and how many more', () => {
    const { problems, summary } = assessAuditChain(
      {
        ...intact,
        breaks: [
          { eventId: 3, seq: 2, kind: 'content' },
          { eventId: 4, seq: null, kind: 'inserted' },
          { eventId: 6, seq: 4, kind: 'missing' },
        ],
        breakCount: 12,
      },
      sealed,
    );
    expect(problems).toEqual([
      'hash chain broken, first broken link at event 3 (link 2): content changed since it was sealed / contenu modifié depuis son scellement / chaîne rompue, premier maillon rompu à l’événement 3',
      '12 broken link(s) in all / maillon(s) rompu(s) au total: 4 inserted, 6 missing, …',
    ]);
    expect(summary).toMatch(/^Hash chain BROKEN .*: event 3 \(content\); head/);
  });

  it('reports altered unsealed events, changed functions, a disabled trigger and the unsealed window', () => {
    const { problems, notes } = assessAuditChain(
      {
        ...intact,
        unsealed: 40,
        oldestUnsealedSeconds: 3.25,
        unsealedAltered: { count: 1, firstId: 9 },
        functionsChanged: ['audit_canonical'],
        contentTriggerEnabled: false,
      },
      { sealed: 0, horizon: 8, waitingFor: 2 },
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^1 event\(s\) not yet sealed no longer match .*first 9 /);
    expect(problems[1]).toMatch(/not as the code defines them: audit_canonical /);
    expect(problems[2]).toMatch(/audit_events_content_hash is missing or disabled/);
    expect(notes).toEqual([
      expect.stringMatching(/^sealing skipped: 2 transaction\(s\) still writing/),
      expect.stringMatching(/^40 event\(s\) not yet sealed, the oldest 3\.3 s old/),
    ]);
  });
});
