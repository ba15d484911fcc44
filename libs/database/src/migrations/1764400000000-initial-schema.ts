import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The foundation schema: PostGIS, accounts, movement notifications with their versions,
 * the append-only audit log, the outbox, email deliveries and idempotency keys.
 */
export class InitialSchema1764400000000 implements MigrationInterface {
  name = 'InitialSchema1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS postgis`);

    await q.query(`
      CREATE TABLE organisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
        acronym text NOT NULL CHECK (acronym ~ '^[A-Za-z0-9][A-Za-z0-9_.&-]{0,29}$'),
        email text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX organisations_acronym_key ON organisations (upper(acronym))`,
    );

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('ngo', 'cell', 'admin')),
        seat text CHECK (seat IN ('armed_forces_liaison', 'undss', 'wfp_logistics', 'ocha')),
        organisation_id uuid REFERENCES organisations (id),
        locale text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
        display_name text,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_ngo_has_organisation CHECK (role <> 'ngo' OR organisation_id IS NOT NULL),
        CONSTRAINT users_cell_has_seat CHECK ((role = 'cell') = (seat IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);

    await q.query(`CREATE SEQUENCE movement_reference_seq`);
    await q.query(`
      CREATE TABLE movement_notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reference text NOT NULL UNIQUE,
        organisation_id uuid NOT NULL REFERENCES organisations (id),
        status text NOT NULL CHECK (status IN ('submitted', 'in_review', 'flagged', 'escalated',
          'acknowledged', 'in_progress', 'completed', 'cancelled', 'expired')),
        current_version integer NOT NULL DEFAULT 1 CHECK (current_version >= 1),
        type text NOT NULL,
        priority text NOT NULL,
        departure_place text NOT NULL,
        arrival_place text NOT NULL,
        departure_at timestamptz NOT NULL,
        arrival_at timestamptz NOT NULL,
        cancellation_reason text,
        created_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX movement_notifications_org_departure ON movement_notifications (organisation_id, departure_at DESC, id)`,
    );
    await q.query(
      `CREATE INDEX movement_notifications_departure ON movement_notifications (departure_at DESC, id)`,
    );
    await q.query(
      `CREATE INDEX movement_notifications_status_departure ON movement_notifications (status, departure_at)`,
    );

    await q.query(`
      CREATE TABLE movement_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        movement_id uuid NOT NULL REFERENCES movement_notifications (id),
        version integer NOT NULL CHECK (version >= 1),
        notification jsonb NOT NULL,
        departure_at timestamptz NOT NULL,
        arrival_at timestamptz NOT NULL,
        route geography(LineString, 4326) NOT NULL,
        time_window tstzrange NOT NULL,
        change_note text,
        created_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT movement_versions_movement_version_key UNIQUE (movement_id, version),
        CONSTRAINT movement_versions_window_order CHECK (arrival_at > departure_at)
      )`);
    await q.query(
      `CREATE INDEX movement_versions_route_gist ON movement_versions USING gist (route)`,
    );
    await q.query(
      `CREATE INDEX movement_versions_window_gist ON movement_versions USING gist (time_window)`,
    );

    // Append-only: the database itself refuses to change or remove an audit event.
    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        actor_user_id uuid,
        actor_role text,
        organisation_id uuid,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, id)`);
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);

    await q.query(`
      CREATE TABLE outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        queue text NOT NULL,
        job_name text NOT NULL,
        payload jsonb NOT NULL,
        correlation_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        relayed_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_pending ON outbox (created_at) WHERE relayed_at IS NULL`);
    // Wakes the relay at once; it also polls, so a missed notification only delays.
    await q.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox', '');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`);

    await q.query(`
      CREATE TABLE email_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        idempotency_key text NOT NULL UNIQUE,
        kind text NOT NULL,
        recipients text[] NOT NULL,
        movement_id uuid REFERENCES movement_notifications (id),
        movement_version integer,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        subject text,
        message_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX email_deliveries_movement ON email_deliveries (movement_id)`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL REFERENCES users (id),
        key text NOT NULL,
        method text NOT NULL,
        path text NOT NULL,
        request_hash text NOT NULL,
        response_status integer NOT NULL,
        response_body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'idempotency_keys',
      'email_deliveries',
      'outbox',
      'audit_events',
      'movement_versions',
      'movement_notifications',
      'users',
      'organisations',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP SEQUENCE IF EXISTS movement_reference_seq`);
    await q.query(`DROP FUNCTION IF EXISTS outbox_notify`);
    await q.query(`DROP FUNCTION IF EXISTS audit_events_append_only`);
  }
}
