import type { ChainBreakKind, ChainFacts, SealResult } from '@hns/audit';

/** What audit:verify reads from the database (see audit-verify.ts). */
export interface AuditFacts {
  triggers: { name: string; enabled: string; type: number; raises: boolean }[];
  /** UPDATE and DELETE attempted on the last event inside a rolled-back transaction. */
  refused: { update: boolean | null; delete: boolean | null };
  /** The same for audit_chain (absent: not read). */
  chainTriggers?: { name: string; enabled: string; type: number; raises: boolean }[];
  chainRefused?: { update: boolean | null; delete: boolean | null };
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
 * Judges the audit log's record (the hash chain is judged by assessAuditChain). Problems:
 * the append-only triggers missing, disabled or not refusing (on audit_events and audit_chain);
 * ids missing between events; ids past the sequence; times going back more than the tolerance
 * or in the future.
 */
export function assessAuditLog(f: AuditFacts): AuditAssessment {
  const problems: string[] = [];
  const notes: string[] = [];
  problems.push(...guardProblems('audit_events', f.triggers, f.refused));
  if (f.chainTriggers) {
    problems.push(...guardProblems('audit_chain', f.chainTriggers, f.chainRefused));
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

function guardProblems(
  table: string,
  triggers: AuditFacts['triggers'],
  refused: AuditFacts['refused'] | undefined,
): string[] {
  const problems: string[] = [];
  const on = table === 'audit_events' ? '' : ` on ${table}`;
  const guards = triggers.filter(
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
        `no enabled trigger refuses ${operation} on ${table} / aucun déclencheur actif ne refuse ${operation} sur ${table}`,
      );
    }
  }
  for (const [operation, accepted] of Object.entries(refused ?? {})) {
    if (accepted === false) {
      problems.push(
        `a test ${operation.toUpperCase()}${on} was accepted (rolled back) / un ${operation.toUpperCase()} d’essai${on ? ` sur ${table}` : ''} a été accepté (annulé)`,
      );
    }
  }
  return problems;
}

const KIND: Record<ChainBreakKind, string> = {
  content: 'content changed since it was sealed / contenu modifié depuis son scellement',
  link: 'link broken: this chain row does not follow from the one before (altered, removed or forged) / maillon rompu : cette ligne de la chaîne ne suit pas la précédente (modifiée, supprimée ou forgée)',
  missing: 'event missing: sealed, then deleted / événement manquant : scellé puis supprimé',
  inserted:
    'inserted: inside the sealed range but not in the chain, or written without its content hash / inséré : dans la plage scellée mais absent de la chaîne, ou écrit sans son empreinte',
};

export interface ChainAssessment {
  problems: string[];
  notes: string[];
  /** One line: intact (with the head to keep elsewhere) or the first broken link. */
  summary: string;
}

/** Judges the hash chain's verification (libs/audit verifyAuditChain) and the sealing before it. */
export function assessAuditChain(chain: ChainFacts, seal: SealResult): ChainAssessment {
  const problems: string[] = [];
  const notes: string[] = [];
  const [first] = chain.breaks;
  if (first) {
    problems.push(
      `hash chain broken, first broken link at event ${first.eventId}${first.seq === null ? '' : ` (link ${first.seq})`}: ${KIND[first.kind]} / chaîne rompue, premier maillon rompu à l’événement ${first.eventId}`,
    );
    if (chain.breakCount > 1) {
      const more = chain.breaks
        .slice(1)
        .map((b) => `${b.eventId} ${b.kind}`)
        .join(', ');
      problems.push(
        `${chain.breakCount} broken link(s) in all / maillon(s) rompu(s) au total: ${more}${chain.breakCount > chain.breaks.length ? ', …' : ''}`,
      );
    }
  }
  if (chain.unsealedAltered.count > 0) {
    problems.push(
      `${chain.unsealedAltered.count} event(s) not yet sealed no longer match the hash written with them (or have none), first ${chain.unsealedAltered.firstId} / événement(s) non scellé(s) modifié(s) ou sans empreinte, premier ${chain.unsealedAltered.firstId}`,
    );
  }
  if (chain.functionsChanged.length > 0) {
    problems.push(
      `chain function(s) not as the code defines them: ${chain.functionsChanged.join(', ')} / fonction(s) de chaînage modifiée(s) dans la base`,
    );
  }
  if (!chain.contentTriggerEnabled) {
    problems.push(
      'the trigger audit_events_content_hash is missing or disabled: new events get no content hash / déclencheur d’empreinte absent ou désactivé',
    );
  }
  if (seal.waitingFor > 0) {
    notes.push(
      `sealing skipped: ${seal.waitingFor} transaction(s) still writing events / scellement reporté : transaction(s) en cours d’écriture`,
    );
  }
  if (chain.unsealed > 0) {
    notes.push(
      `${chain.unsealed} event(s) not yet sealed, the oldest ${formatSeconds(chain.oldestUnsealedSeconds ?? 0)} old: edits to them before sealing that also rewrite content_hash cannot be seen / événement(s) pas encore scellé(s), le plus ancien depuis ${formatSeconds(chain.oldestUnsealedSeconds ?? 0)}`,
    );
  }
  const head = chain.head
    ? `head / tête: link ${chain.head.seq}, event ${chain.head.eventId}, sha256 ${chain.head.hash}`
    : 'no link yet / aucun maillon';
  const summary = first
    ? `Hash chain BROKEN / chaîne d’empreintes ROMPUE: first broken link / premier maillon rompu: event ${first.eventId} (${first.kind}); ${head}`
    : `Hash chain intact / chaîne d’empreintes intacte: ${chain.checked} link(s) recomputed / maillon(s) recalculé(s), ${seal.sealed} sealed now / scellé(s) maintenant; ${head}`;
  return { problems, notes, summary };
}

function formatSeconds(seconds: number): string {
  return seconds < 120 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds / 60)} min`;
}
