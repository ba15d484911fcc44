/**
 * The audit hash chain's SQL, defined once: the migration creates these functions from these
 * texts, and audit:verify compares the functions in the database with them (a redefined
 * audit_canonical that leaves out `details` would otherwise hide any edit).
 *
 * Canonical content of an event (format "hns-audit-v1"): a JSON array of every column, in a form
 * that does not depend on the session (time in UTC with microseconds; `details` as jsonb text,
 * whose keys and spacing jsonb normalises). A column added to audit_events later must be added
 * here under a new format tag, in a new migration.
 */
export const AUDIT_CANONICAL_SQL = `
  SELECT jsonb_build_array(
    'hns-audit-v1',
    e.id,
    to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    e.actor_user_id,
    e.actor_role,
    e.organisation_id,
    e.action,
    e.entity_type,
    e.entity_id,
    e.details
  )::text
`;

/** SHA-256 of the canonical content (UTF-8). */
export const AUDIT_CONTENT_HASH_SQL = `
  SELECT sha256(convert_to(audit_canonical(e), 'UTF8'))
`;

/** A link of the chain: SHA-256 of the previous link's hash followed by the event's content hash. */
export const AUDIT_LINK_HASH_SQL = `
  SELECT sha256(prev_hash || content_hash)
`;

/** The first link's previous hash: 32 zero bytes. */
export const AUDIT_GENESIS_HEX = '00'.repeat(32);

/**
 * Set on every insert, whatever the caller sends: the content hash at the time of writing, which
 * the sealer chains (so an edit made before sealing is still detected).
 */
export const AUDIT_CONTENT_HASH_TRIGGER_SQL = `
  BEGIN
    NEW.content_hash := audit_content_hash(NEW);
    RETURN NEW;
  END
`;

/**
 * Appends events with ids in (head, upto] to audit_chain in id order, at most max_rows, and
 * returns how many. One sealer at a time (the table lock is self-exclusive; readers are not
 * blocked). The caller must only pass an `upto` below which no transaction still holds an id
 * (see sealAuditLog). from_content (the migration, for events written before the chain) hashes
 * the content itself instead of reading content_hash.
 */
export const AUDIT_SEAL_SQL = `
  DECLARE
    head_seq bigint;
    head_event bigint;
    prev bytea;
    r record;
    seqs bigint[] := '{}';
    ids bigint[] := '{}';
    contents bytea[] := '{}';
    prevs bytea[] := '{}';
    hashes bytea[] := '{}';
    content bytea;
    link bytea;
  BEGIN
    LOCK TABLE audit_chain IN SHARE ROW EXCLUSIVE MODE;
    SELECT c.seq, c.event_id, c.hash INTO head_seq, head_event, prev
      FROM audit_chain c ORDER BY c.seq DESC LIMIT 1;
    IF NOT FOUND THEN
      head_seq := 0;
      head_event := 0;
      prev := decode(repeat('00', 32), 'hex');
    END IF;
    FOR r IN
      SELECT e.id, CASE WHEN from_content THEN audit_content_hash(e) ELSE e.content_hash END AS content
      FROM audit_events e WHERE e.id > head_event AND e.id <= upto ORDER BY e.id LIMIT max_rows
    LOOP
      -- An event inserted without its trigger has no content hash: sealed as empty, so that
      -- audit:verify reports it rather than the sealer stopping.
      content := coalesce(r.content, ''::bytea);
      link := audit_link_hash(prev, content);
      head_seq := head_seq + 1;
      seqs := seqs || head_seq;
      ids := ids || r.id;
      contents := contents || content;
      prevs := prevs || prev;
      hashes := hashes || link;
      prev := link;
    END LOOP;
    INSERT INTO audit_chain (seq, event_id, content_hash, prev_hash, hash)
      SELECT * FROM unnest(seqs, ids, contents, prevs, hashes);
    RETURN cardinality(ids);
  END
`;

/** The functions audit:verify checks, by name, with the body each must have. */
export const AUDIT_CHAIN_FUNCTIONS: Record<string, string> = {
  audit_canonical: AUDIT_CANONICAL_SQL,
  audit_content_hash: AUDIT_CONTENT_HASH_SQL,
  audit_link_hash: AUDIT_LINK_HASH_SQL,
  audit_events_content_hash: AUDIT_CONTENT_HASH_TRIGGER_SQL,
  audit_seal: AUDIT_SEAL_SQL,
};
