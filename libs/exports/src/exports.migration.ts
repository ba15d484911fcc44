import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calendar feeds (issue 8): one secret feed address per user. Only the SHA-256 of the token is
 * kept, so the table cannot be used to read anyone's feed; rotating replaces it, revoking removes
 * it (both audited).
 */
export class Exports1764900000000 implements MigrationInterface {
  name = 'Exports1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_feed_tokens (
        user_id uuid PRIMARY KEY REFERENCES users (id),
        token_sha256 text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS calendar_feed_tokens`);
  }
}
