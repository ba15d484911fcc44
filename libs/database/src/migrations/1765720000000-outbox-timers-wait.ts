import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Timers wait in the outbox until they are nearly due (issue 7; libs/queue outbox-relay): the
 * relay reads work to do now in creation order, and timers in due order, each from its own
 * partial index, so that thousands of timers due in days or weeks are never scanned.
 */
export class OutboxTimersWait1765720000000 implements MigrationInterface {
  name = 'OutboxTimersWait1765720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX outbox_ready ON outbox (created_at) WHERE relayed_at IS NULL AND run_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX outbox_timers ON outbox (run_at) WHERE relayed_at IS NULL AND run_at IS NOT NULL`,
    );
    await q.query(`DROP INDEX outbox_pending`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX outbox_pending ON outbox (created_at) WHERE relayed_at IS NULL`);
    await q.query(`DROP INDEX outbox_timers`);
    await q.query(`DROP INDEX outbox_ready`);
  }
}
