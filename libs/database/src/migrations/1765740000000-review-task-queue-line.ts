import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The queue line of each pending task, from its version's notice: the same values as
 * queueLine() in libs/reviews review-queue.ts (test/review-workflow.e2e-spec.ts checks both agree).
 */
export const QUEUE_LINE_BACKFILL_SQL = `
  UPDATE review_tasks t
  SET route_places = ARRAY[v.notification #>> '{departure,place}']
        || ARRAY(SELECT w.p ->> 'place'
                 FROM jsonb_array_elements(coalesce(v.notification -> 'waypoints', '[]'))
                   WITH ORDINALITY AS w (p, n)
                 ORDER BY w.n)
        || ARRAY[v.notification #>> '{arrival,place}'],
      escort_status = coalesce(v.notification #>> '{escort,status}', 'none'),
      vehicle_count = jsonb_array_length(coalesce(v.notification -> 'vehicles', '[]')),
      personnel_count = (v.notification #>> '{personnel,national}')::int
                        + (v.notification #>> '{personnel,international}')::int
  FROM movement_versions v
  WHERE v.movement_id = t.movement_id AND v.version = t.version AND t.status = 'pending'`;

/**
 * What a seat's queue shows of a version's notice, on each review task (issue 7): the route's
 * places, the escort status and the numbers of vehicles and personnel. A task belongs to one
 * version and a version's notice never changes, so these are written once, at fan-out
 * (libs/reviews review-queue.ts queueLine), and the queue reads them from the task it already
 * scans instead of looking up each version's notice (the larger half of the queue's PostgreSQL
 * time at a million movements).
 *
 * Pending tasks are filled from their version here and every new task is written with them;
 * tasks decided before this migration keep NULL (nothing reads them there). The check keeps a
 * pending task from ever lacking them.
 */
export class ReviewTaskQueueLine1765740000000 implements MigrationInterface {
  name = 'ReviewTaskQueueLine1765740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE review_tasks
        ADD COLUMN route_places text[],
        ADD COLUMN escort_status text,
        ADD COLUMN vehicle_count integer,
        ADD COLUMN personnel_count integer`);
    await q.query(QUEUE_LINE_BACKFILL_SQL);
    await q.query(`
      ALTER TABLE review_tasks ADD CONSTRAINT review_tasks_queue_line CHECK (
        status <> 'pending' OR (route_places IS NOT NULL AND escort_status IS NOT NULL
                                AND vehicle_count IS NOT NULL AND personnel_count IS NOT NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE review_tasks
        DROP CONSTRAINT IF EXISTS review_tasks_queue_line,
        DROP COLUMN IF EXISTS route_places,
        DROP COLUMN IF EXISTS escort_status,
        DROP COLUMN IF EXISTS vehicle_count,
        DROP COLUMN IF EXISTS personnel_count`);
  }
}
