import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Until when an attempt that has claimed an email may be sending it (see claimSql in
 * @hns/mail): another attempt at the same email waits until then (or until it is recorded sent
 * or failed) instead of sending it at the same time. Two attempts can meet after a worker crash:
 * the relay, killed between enqueueing a mail batch and committing, groups the same rows again
 * into a second batch, and both batches ran the emails they share at once (fault suite,
 * scenario a: 74 emails sent twice, more than the kills could explain). NULL: no attempt under way.
 */
export class EmailSendingLease1765760000000 implements MigrationInterface {
  name = 'EmailSendingLease1765760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE email_deliveries ADD COLUMN sending_until timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE email_deliveries DROP COLUMN sending_until`);
  }
}
