import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The planned movements in id order, alone (issue 7): a zone re-check cuts its batches at every
 * N-th planned movement (ZONE_BATCH_KEYS_SQL). On the primary key that read every movement's
 * row to test its status (per batch, about as long as the batch's conflict search itself); on
 * this index it is an index-only scan, which never touches closed movements (most of the table
 * once the operation has run a few months).
 * The statuses are those of PLANNED_STATUSES (libs/deconfliction conflict-detector.ts).
 */
export class PlannedMovementsIndex1765710000000 implements MigrationInterface {
  name = 'PlannedMovementsIndex1765710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX movement_notifications_planned ON movement_notifications (id)
      WHERE status IN ('submitted', 'in_review', 'flagged', 'escalated', 'acknowledged', 'in_progress')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS movement_notifications_planned`);
  }
}
