import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  AUDIT_CANONICAL_SQL,
  AUDIT_CONTENT_HASH_SQL,
  AUDIT_CONTENT_HASH_TRIGGER_SQL,
  AUDIT_LINK_HASH_SQL,
  AUDIT_SEAL_SQL,
} from './chain-sql';

/**
 * Tamper-evident audit log (issue 6): every event gets the hash of its content when it is
 * written (a BEFORE INSERT trigger, no lock), and a sealer appends events in id order to the
 * append-only `audit_chain`, each link carrying the previous link's hash. Events written before
 * this migration are chained here, from their content.
 *
 * Why sealing after the fact rather than chaining inside each writing transaction: a chain head
 * locked by every audit insert until its commit would serialise every audit-writing transaction
 * (intake included) on one lock, commit flush included. See README, "Architecture".
 */
export class AuditHashChain1765300000000 implements MigrationInterface {
  name = 'AuditHashChain1765300000000';

  async up(q: QueryRunner): Promise<void> {
    // No event may be written while the existing ones are chained.
    await q.query(`LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE`);
    await q.query(`ALTER TABLE audit_events ADD COLUMN content_hash bytea`);
    await q.query(`
      CREATE FUNCTION audit_canonical(e audit_events) RETURNS text
      LANGUAGE sql STABLE PARALLEL SAFE AS $$${AUDIT_CANONICAL_SQL}$$`);
    await q.query(`
      CREATE FUNCTION audit_content_hash(e audit_events) RETURNS bytea
      LANGUAGE sql STABLE PARALLEL SAFE AS $$${AUDIT_CONTENT_HASH_SQL}$$`);
    await q.query(`
      CREATE FUNCTION audit_link_hash(prev_hash bytea, content_hash bytea) RETURNS bytea
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$${AUDIT_LINK_HASH_SQL}$$`);
    await q.query(`
      CREATE FUNCTION audit_events_content_hash() RETURNS trigger
      LANGUAGE plpgsql AS $$${AUDIT_CONTENT_HASH_TRIGGER_SQL}$$`);
    await q.query(`
      CREATE TRIGGER audit_events_content_hash BEFORE INSERT ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_content_hash()`);

    await q.query(`
      CREATE TABLE audit_chain (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        event_id bigint NOT NULL UNIQUE,
        content_hash bytea NOT NULL,
        prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        sealed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE FUNCTION audit_chain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_chain is append-only: % refused', TG_OP;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_chain_no_update_delete BEFORE UPDATE OR DELETE ON audit_chain
      FOR EACH ROW EXECUTE FUNCTION audit_chain_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
      FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_append_only()`);
    await q.query(`
      CREATE FUNCTION audit_seal(upto bigint, max_rows integer, from_content boolean DEFAULT false)
      RETURNS integer LANGUAGE plpgsql AS $$${AUDIT_SEAL_SQL}$$`);

    // Every event so far, in one go: the table is locked, so no id is still in flight.
    await q.query(
      `SELECT audit_seal((SELECT coalesce(max(id), 0) FROM audit_events), 2147483647, true)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS audit_seal`);
    await q.query(`DROP TABLE IF EXISTS audit_chain`);
    await q.query(`DROP FUNCTION IF EXISTS audit_chain_append_only`);
    await q.query(`DROP TRIGGER IF EXISTS audit_events_content_hash ON audit_events`);
    await q.query(`DROP FUNCTION IF EXISTS audit_events_content_hash`);
    await q.query(`DROP FUNCTION IF EXISTS audit_link_hash`);
    await q.query(`DROP FUNCTION IF EXISTS audit_content_hash`);
    await q.query(`DROP FUNCTION IF EXISTS audit_canonical`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN IF EXISTS content_hash`);
  }
}
