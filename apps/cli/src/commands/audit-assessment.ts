/** What audit:verify reads from the database (see audit-verify.ts). */
export interface AuditFacts {
  triggers: { name: string; enabled: string; type: number; raises: boolean }[];
  /** UPDATE and DELETE attempted on the last event inside a rolled-back transaction. */
  refused: { update: boolean | null; delete: boolean | null };
  events: number;
  firstId: number | null;
  lastId: number | null;
  /** The id sequence's last value (null when it never gave one). */
  sequenceLastValue: number | null;
  gaps: { from: number; to: number }[];
  gapCount: number;
  missingIds: number;
  /** Events whose time is earlier than the event before them (by id). */
  regressions: number;
  /** Regressions larger than the tolerance, with the worst first. */
  lateEvents: { id: number; seconds: number }[];
  lateCount: number;
  toleranceSeconds: number;
  futureEvents: number;
}

export interface AuditAssessment {
  problems: string[];
  notes: string[];
}

// pg_trigger.tgtype bits
const ROW = 1;
const BEFORE = 2;
const DELETE = 8;
const UPDATE = 16;
const TRUNCATE = 32;

/**
 * Judges the audit log's record (no hash chain yet: issue 6 adds tamper evidence). Problems:
 * the append-only triggers missing, disabled or not refusing; ids missing between events;
 * ids past the sequence; times going back more than the tolerance or in the future.
 */
export function assessAuditLog(f: AuditFacts): AuditAssessment {
  const problems: string[] = [];
  const notes: string[] = [];
  const guards = f.triggers.filter(
    (t) => t.raises && (t.enabled === 'O' || t.enabled === 'A') && t.type & BEFORE,
  );
  const covers = (bits: number, row: boolean) =>
    guards.some((t) => (t.type & bits) === bits && Boolean(t.type & ROW) === row);
  for (const [operation, bits, row] of [
    ['UPDATE', UPDATE, true],
    ['DELETE', DELETE, true],
    ['TRUNCATE', TRUNCATE, false],
  ] as const) {
    if (!covers(bits, row)) {
      problems.push(
        `no enabled trigger refuses ${operation} on audit_events / aucun déclencheur actif ne refuse ${operation}`,
      );
    }
  }
  for (const [operation, refused] of Object.entries(f.refused)) {
    if (refused === false) {
      problems.push(
        `a test ${operation.toUpperCase()} was accepted (rolled back) / un ${operation.toUpperCase()} d’essai a été accepté (annulé)`,
      );
    }
  }
  if (f.gapCount > 0) {
    const ranges = f.gaps.map((g) => (g.from === g.to ? `${g.from}` : `${g.from}–${g.to}`));
    problems.push(
      `${f.missingIds} id(s) missing in ${f.gapCount} gap(s) / identifiant(s) manquant(s): ${ranges.join(', ')}` +
        (f.gapCount > f.gaps.length ? ', …' : '') +
        ' (deleted rows, or transactions rolled back after writing an event: check the database logs' +
        ' / lignes supprimées, ou transactions annulées : voir les journaux de la base)',
    );
  }
  if (f.lastId !== null && f.sequenceLastValue !== null && f.sequenceLastValue < f.lastId) {
    problems.push(
      `event ${f.lastId} is past the id sequence (${f.sequenceLastValue}): written with an explicit id / écrit avec un identifiant explicite`,
    );
  } else if (f.lastId !== null && f.sequenceLastValue !== null && f.sequenceLastValue > f.lastId) {
    notes.push(
      `ids ${f.lastId + 1}–${f.sequenceLastValue} given out after the last event (in flight or rolled back; run again if the system is busy) / attribués après le dernier événement`,
    );
  }
  if (f.lateCount > 0) {
    const worst = f.lateEvents.map((e) => `${e.id} (−${Math.round(e.seconds)} s)`).join(', ');
    problems.push(
      `${f.lateCount} event(s) dated more than ${f.toleranceSeconds} s before the event preceding them / événement(s) antidaté(s): ${worst}`,
    );
  }
  if (f.regressions > f.lateCount) {
    notes.push(
      `${f.regressions - f.lateCount} event(s) up to ${f.toleranceSeconds} s earlier than the one before (concurrent transactions) / transactions concurrentes`,
    );
  }
  if (f.futureEvents > 0) {
    problems.push(`${f.futureEvents} event(s) dated in the future / daté(s) dans le futur`);
  }
  return { problems, notes };
}
