import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in sessions and refresh tokens (issue 6, item 4). A session is one sign-in (a refresh
 * token family, or a web session cookie) with an absolute expiry; every access token names its
 * session, so revoking the session (sign-out, reuse of a refresh token, a disabled account, a
 * password reset) stops its access tokens at once. Refresh tokens are random 256-bit values
 * stored only as their SHA-256; each is used once and replaced (rotation).
 */
export class AuthSessions1765600000000 implements MigrationInterface {
  name = 'AuthSessions1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id),
        channel text NOT NULL CHECK (channel IN ('api', 'web')),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        last_refreshed_at timestamptz,
        revoked_at timestamptz,
        revoked_reason text CHECK (revoked_reason IN
          ('sign_out', 'refresh_token_reused', 'user_disabled', 'password_reset')),
        CONSTRAINT auth_sessions_revoked_with_reason
          CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
        CONSTRAINT auth_sessions_expire_after_creation CHECK (expires_at > created_at)
      )`);
    await q.query(
      `CREATE INDEX auth_sessions_user_active ON auth_sessions (user_id) WHERE revoked_at IS NULL`,
    );
    await q.query(`CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at)`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
        session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS refresh_tokens`);
    await q.query(`DROP TABLE IF EXISTS auth_sessions`);
  }
}
