import { MigrationInterface, QueryRunner } from 'typeorm';

/** The cell's review workflow: one review task per required seat and version, and UNDSS escalations. */
export class ReviewWorkflow1764500000000 implements MigrationInterface {
  name = 'ReviewWorkflow1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE review_tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        movement_id uuid NOT NULL REFERENCES movement_notifications (id),
        version integer NOT NULL,
        seat text NOT NULL CHECK (seat IN ('armed_forces_liaison', 'undss', 'wfp_logistics', 'ocha')),
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'approved', 'flagged', 'escalated', 'superseded', 'closed')),
        departure_at timestamptz NOT NULL,
        reason_codes text[] NOT NULL DEFAULT '{}',
        comment text,
        decided_by uuid REFERENCES users (id),
        decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT review_tasks_one_per_seat UNIQUE (movement_id, version, seat)
      )`);
    // A seat's queue: its pending tasks, soonest departure first.
    await q.query(
      `CREATE INDEX review_tasks_seat_queue ON review_tasks (seat, departure_at, id) WHERE status = 'pending'`,
    );
    await q.query(`CREATE INDEX review_tasks_movement ON review_tasks (movement_id, version)`);

    await q.query(`
      CREATE TABLE security_escalations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        movement_id uuid NOT NULL REFERENCES movement_notifications (id),
        version integer NOT NULL,
        severity text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
        raised_by uuid REFERENCES users (id),
        raised_by_seat text,
        reason_codes text[] NOT NULL DEFAULT '{}',
        comment text,
        acknowledge_by timestamptz NOT NULL,
        acknowledged_by uuid REFERENCES users (id),
        acknowledged_at timestamptz,
        resolved_by uuid REFERENCES users (id),
        resolved_at timestamptz,
        outcome text CHECK (outcome IN ('cleared', 'advise_reroute', 'advise_postpone', 'advise_cancel')),
        resolution_note text,
        alerts_sent integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX security_escalations_open ON security_escalations (acknowledge_by) WHERE status <> 'resolved'`,
    );
    await q.query(
      `CREATE INDEX security_escalations_movement ON security_escalations (movement_id)`,
    );

    // Timers: an outbox row may ask for its job to run later (a BullMQ delayed job).
    await q.query(`ALTER TABLE outbox ADD COLUMN run_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN IF EXISTS run_at`);
    await q.query(`DROP TABLE IF EXISTS security_escalations`);
    await q.query(`DROP TABLE IF EXISTS review_tasks`);
  }
}
