import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The recipients the SMTP server has accepted for each email so far. When a server accepts some
 * recipients of an email and answers "try again later" (4xx) for others — a greylisting or full
 * mailbox — the email is not recorded as sent: its retry goes to the recipients still owed only,
 * so the focal point still gets the acknowledgement and the OCHA cell in copy does not get it
 * twice. Emails already sent keep an empty list (everything in `recipients` went out).
 */
export class EmailAcceptedRecipients1765750000000 implements MigrationInterface {
  name = 'EmailAcceptedRecipients1765750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE email_deliveries ADD COLUMN accepted text[] NOT NULL DEFAULT '{}'::text[]`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE email_deliveries DROP COLUMN accepted`);
  }
}
