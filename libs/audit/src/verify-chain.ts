import { DataSource } from 'typeorm';
import { AUDIT_CHAIN_FUNCTIONS, AUDIT_GENESIS_HEX } from './chain-sql';

/**
 * What is wrong with one link:
 * - content: the event's content no longer has the hash it was sealed with (hand-edited);
 * - link: the chain row itself does not follow from the one before (altered, removed or forged);
 * - missing: a sealed event is no longer in audit_events (deleted);
 * - inserted: an event inside the sealed range that the chain does not hold (written there
 *   afterwards, or its chain row removed), or one sealed without a content hash (written with
 *   the database's trigger disabled).
 */
export type ChainBreakKind = 'content' | 'link' | 'missing' | 'inserted';

export interface ChainBreak {
  eventId: number;
  /** The chain position, when the event has one. */
  seq: number | null;
  kind: ChainBreakKind;
}

export interface ChainFacts {
  /** Chain rows checked (from the first one at or after sinceId). */
  checked: number;
  /** The last link: print it, keep it elsewhere, compare later (a rewritten chain changes it). */
  head: { seq: number; eventId: number; hash: string } | null;
  /** The first breaks in id order (at most `shown`). */
  breaks: ChainBreak[];
  breakCount: number;
  /** Events after the last sealed one: not yet chained. */
  unsealed: number;
  /** Age in seconds of the oldest unsealed event (null: none). */
  oldestUnsealedSeconds: number | null;
  /** Unsealed events whose content no longer matches the hash written with them, or without one. */
  unsealedAltered: { count: number; firstId: number | null };
  /** Chain functions whose definition differs from the code's (or that are missing). */
  functionsChanged: string[];
  /** Whether the BEFORE INSERT trigger that hashes each event is enabled. */
  contentTriggerEnabled: boolean;
}

interface LinkRow {
  seq: string;
  event_id: string;
  hash: string;
  last: boolean;
  kind: ChainBreakKind | null;
}

/**
 * Recomputes the chain in seq order, batch by batch (constant memory, whatever the size): each
 * link's content hash from the event's current columns (audit_content_hash, the SQL the trigger
 * uses), each link's hash from the previous one, and which events in the sealed range are not
 * in the chain. Only the breaks and each batch's last link leave the database.
 */
export async function verifyAuditChain(
  db: DataSource,
  { sinceId = 0, batchSize = 20_000, shown = 10 } = {},
): Promise<ChainFacts> {
  const breaks: ChainBreak[] = [];
  let breakCount = 0;
  const note = (found: ChainBreak[]) => {
    breakCount += found.length;
    breaks.push(...found);
    breaks.sort((a, b) => a.eventId - b.eventId);
    breaks.splice(shown);
  };

  // Where to start: the genesis, or the first link at or after sinceId (its previous hash trusted).
  let afterSeq = 0;
  let carryHash = AUDIT_GENESIS_HEX;
  let afterEvent = Math.max(0, sinceId - 1);
  if (sinceId > 0) {
    const [start]: { seq: string; prev_hash: string }[] = await db.query(
      `SELECT seq, encode(prev_hash, 'hex') AS prev_hash FROM audit_chain
       WHERE event_id >= $1 ORDER BY event_id LIMIT 1`,
      [sinceId],
    );
    if (start) {
      afterSeq = Number(start.seq) - 1;
      carryHash = start.prev_hash;
    } else {
      afterSeq = Number.MAX_SAFE_INTEGER;
    }
  }

  let checked = 0;
  for (;;) {
    const rows: LinkRow[] = await db.query(
      `WITH batch AS (
         SELECT c.seq, c.event_id, c.content_hash, c.prev_hash, c.hash, e.id IS NOT NULL AS present,
                CASE WHEN e.id IS NOT NULL THEN audit_content_hash(e) END AS actual
         FROM audit_chain c LEFT JOIN audit_events e ON e.id = c.event_id
         WHERE c.seq > $1 ORDER BY c.seq LIMIT $2
       ), walked AS (
         SELECT b.*, coalesce(lag(b.hash) OVER w, decode($3, 'hex')) AS expected_prev,
                coalesce(lag(b.seq) OVER w, $1) AS before_seq,
                coalesce(lag(b.event_id) OVER w, $4) AS before_event,
                row_number() OVER (ORDER BY b.seq DESC) = 1 AS last
         FROM batch b WINDOW w AS (ORDER BY b.seq)
       ), judged AS (
         SELECT seq, event_id, encode(hash, 'hex') AS hash, last,
           CASE
             WHEN NOT present THEN 'missing'
             WHEN seq <> before_seq + 1 OR event_id <= before_event OR prev_hash <> expected_prev
               OR hash IS DISTINCT FROM audit_link_hash(prev_hash, content_hash) THEN 'link'
             WHEN content_hash = ''::bytea THEN 'inserted'
             WHEN actual <> content_hash THEN 'content'
           END AS kind
         FROM walked
       )
       SELECT * FROM judged WHERE last OR kind IS NOT NULL ORDER BY seq`,
      [afterSeq, batchSize, carryHash, afterEvent],
    );
    const last = rows.find((row) => row.last);
    if (!last) break;
    note(
      rows
        .filter((row) => row.kind !== null)
        .map((row) => ({ eventId: Number(row.event_id), seq: Number(row.seq), kind: row.kind! })),
    );
    // Events in this stretch of ids that the chain does not hold.
    const [unchained]: { n: number; ids: string[] | null }[] = await db.query(
      `SELECT count(*)::int AS n, (array_agg(e.id ORDER BY e.id))[1:$3] AS ids
       FROM audit_events e
       WHERE e.id > $1 AND e.id <= $2
         AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)`,
      [afterEvent, last.event_id, shown],
    );
    if (unchained.n > 0) {
      breakCount += unchained.n - Math.min(unchained.n, shown);
      note(
        (unchained.ids ?? []).map((id) => ({ eventId: Number(id), seq: null, kind: 'inserted' })),
      );
    }
    checked += Number(last.seq) - afterSeq;
    afterSeq = Number(last.seq);
    carryHash = last.hash;
    afterEvent = Number(last.event_id);
  }

  const [head]: { seq: string; event_id: string; hash: string }[] = await db.query(
    `SELECT seq, event_id, encode(hash, 'hex') AS hash FROM audit_chain ORDER BY seq DESC LIMIT 1`,
  );
  const headEvent = head ? Number(head.event_id) : 0;
  const [pending]: {
    n: number;
    oldest: number | null;
    altered: number;
    first_altered: string | null;
  }[] = await db.query(
    `SELECT count(*)::int AS n, extract(epoch FROM now() - min(occurred_at))::float8 AS oldest,
            count(*) FILTER (WHERE bad)::int AS altered, min(id) FILTER (WHERE bad) AS first_altered
     FROM (SELECT e.id, e.occurred_at,
                  e.content_hash IS DISTINCT FROM audit_content_hash(e) AS bad
           FROM audit_events e WHERE e.id > $1) s`,
    [Math.max(headEvent, sinceId - 1)],
  );

  const functions: { name: string; source: string }[] = await db.query(
    `SELECT p.proname AS name, p.prosrc AS source FROM pg_proc p
     WHERE p.pronamespace = 'public'::regnamespace AND p.proname = ANY($1::text[])`,
    [Object.keys(AUDIT_CHAIN_FUNCTIONS)],
  );
  const functionsChanged = Object.entries(AUDIT_CHAIN_FUNCTIONS)
    .filter(([name, body]) => {
      const found = functions.filter((f) => f.name === name);
      return found.length !== 1 || found[0].source !== body;
    })
    .map(([name]) => name);
  const [trigger]: { enabled: string }[] = await db.query(
    `SELECT tgenabled AS enabled FROM pg_trigger
     WHERE tgrelid = 'audit_events'::regclass AND tgname = 'audit_events_content_hash'`,
  );

  return {
    checked,
    head: head ? { seq: Number(head.seq), eventId: headEvent, hash: head.hash } : null,
    breaks,
    breakCount,
    unsealed: pending.n,
    oldestUnsealedSeconds: pending.oldest,
    unsealedAltered: {
      count: pending.altered,
      firstId: pending.first_altered === null ? null : Number(pending.first_altered),
    },
    functionsChanged,
    contentTriggerEnabled: trigger?.enabled === 'O' || trigger?.enabled === 'A',
  };
}
