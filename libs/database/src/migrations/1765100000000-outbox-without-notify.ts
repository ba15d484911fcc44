import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * No NOTIFY inside writing transactions (issue 7). PostgreSQL serialises the commits of every
 * transaction that notifies (a global lock on the notification queue, held through the commit's
 * WAL flush): under load 74 % of the database's sampled activity was COMMIT waiting on it. The
 * relay now polls adaptively and is nudged after commit over Redis (see libs/queue outbox.ts).
 */
export class OutboxWithoutNotify1765100000000 implements MigrationInterface {
  name = 'OutboxWithoutNotify1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS outbox_notify ON outbox`);
    await q.query(`DROP FUNCTION IF EXISTS outbox_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox', '');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`);
  }
}
