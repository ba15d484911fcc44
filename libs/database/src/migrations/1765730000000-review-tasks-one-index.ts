import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * review_tasks_movement (movement_id, version) is a prefix of the unique index
 * review_tasks_one_per_seat (movement_id, version, seat), which answers the same lookups: one
 * index fewer to write for each of the four tasks of every fan-out (issue 7).
 */
export class ReviewTasksOneIndex1765730000000 implements MigrationInterface {
  name = 'ReviewTasksOneIndex1765730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX review_tasks_movement`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX review_tasks_movement ON review_tasks (movement_id, version)`);
  }
}
