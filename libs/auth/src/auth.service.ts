import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { recordAudit } from '@hns/audit';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { prepared } from '@hns/database';
import { LocalizedHttpException, unauthorized } from '@hns/http';
import { QUEUES, enqueueInOutbox } from '@hns/queue';
import { Actor, User } from './entities';
import { AUTH_MAIL_JOBS, LockoutNoticeJob } from './lockout-job';
import { decoyHash, verifyPassword } from './passwords';
import { AbuseLimits } from './rate-limits';
import { configureSessionCache, sessionCache } from './session-cache';
import {
  REFRESH_TOKEN_PATTERN,
  SessionChannel,
  newRefreshToken,
  refreshTokenHash,
} from './sessions';

export interface AccessTokenClaims {
  sub: string;
  role: Actor['role'];
  /** The session (sign-in) the token belongs to: revoking it stops the token at once. */
  sid: string;
}

export interface PublicUser {
  id: string;
  email: string;
  role: Actor['role'];
  seat: Actor['seat'];
  organisationId: string | null;
  locale: Actor['locale'];
  displayName: string | null;
}

export function publicUser(user: User): PublicUser {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    seat: user.seat,
    organisationId: user.organisationId,
    locale: user.locale,
    displayName: user.displayName,
  };
}

/** What a sign-in or a refresh answers. */
export interface TokenGrant {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds the access token is valid. */
  expiresIn: number;
  /** API sign-ins only: exchange it at POST /auth/refresh for new tokens; usable once. */
  refreshToken?: string;
  /** When the refresh token family ends (absolute lifetime); sign in again after it. */
  refreshExpiresAt?: string;
  user: PublicUser;
}

export interface SignInContext {
  /** The client's address, for the per-address limit (see clientAddress). */
  address: string;
  /** `api`: short access token + refresh token; `web`: one token for the session cookie. */
  channel: SessionChannel;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function tooManyAttempts(retryAfterSeconds: number): LocalizedHttpException {
  return new LocalizedHttpException(
    HttpStatus.TOO_MANY_REQUESTS,
    'auth.too_many_attempts',
    { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) },
    'too_many_attempts',
    { 'retry-after': String(retryAfterSeconds) },
  );
}

interface SessionUserRow {
  id: string;
  email: string;
  role: User['role'];
  seat: User['seat'];
  organisation_id: string | null;
  locale: User['locale'];
  display_name: string | null;
  disabled_at: Date | null;
  session_revoked_at: Date | null;
  session_expires_at: Date;
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jwt: JwtService,
    private readonly limits: AbuseLimits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    configureSessionCache(config.AUTH_SESSION_CACHE_MS);
  }

  /**
   * Signs in: the per-address and per-account limits first (a locked account is refused even
   * with the right password, with the same answer whether or not it exists), then the password
   * (the same work whether or not the account exists), then a new session and its tokens.
   */
  async login(email: string, password: string, context: SignInContext): Promise<TokenGrant> {
    const byAddress = await this.limits.signInAttempt(context.address);
    if (!byAddress.allowed) throw tooManyAttempts(byAddress.resetSeconds);
    const lockedFor = await this.limits.accountLockedFor(email);
    if (lockedFor > 0) throw tooManyAttempts(lockedFor);

    const user = await this.db
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
    const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
    if (!user || !valid) {
      const failure = await this.limits.signInFailed(email);
      if (failure.lockedNow && user && !user.disabledAt)
        await this.recordLockout(user, failure.retryAfterSeconds, context.address);
      if (failure.locked) throw tooManyAttempts(failure.retryAfterSeconds);
      throw unauthorized('auth.invalid_credentials');
    }
    await this.limits.signInSucceeded(email);
    if (user.disabledAt) throw unauthorized('auth.account_disabled');
    return this.startSession(user, context.channel);
  }

  /**
   * Exchanges a refresh token for a new access token and a new refresh token (rotation). A
   * refresh token presented a second time means it was copied: its whole family (the session)
   * is revoked, so neither the thief nor the owner can go on without signing in again.
   */
  async refresh(refreshToken: string): Promise<TokenGrant> {
    if (!REFRESH_TOKEN_PATTERN.test(refreshToken)) throw unauthorized('auth.refresh_invalid');
    const outcome = await this.db.transaction(async (manager) => {
      const [row]: {
        session_id: string;
        used_at: Date | null;
        user_id: string;
        expires_at: Date;
        revoked_at: Date | null;
        channel: SessionChannel;
      }[] = await manager.query(
        `SELECT r.session_id, r.used_at, s.user_id, s.expires_at, s.revoked_at, s.channel
         FROM refresh_tokens r JOIN auth_sessions s ON s.id = r.session_id
         WHERE r.token_hash = $1 FOR UPDATE OF r, s`,
        [refreshTokenHash(refreshToken)],
      );
      if (!row || row.channel !== 'api') return { refused: true as const };
      if (row.used_at) {
        if (!row.revoked_at) {
          await manager.query(
            `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'refresh_token_reused'
             WHERE id = $1`,
            [row.session_id],
          );
          // Not reused from this process's cache from now on (nor until well after COMMIT).
          sessionCache().forgetUser(row.user_id);
          await recordAudit(manager, {
            actorUserId: row.user_id,
            actorRole: null,
            organisationId: null,
            action: 'auth.refresh_token_reused',
            entityType: 'auth_session',
            entityId: row.session_id,
            details: { revoked: true },
          });
        }
        return { refused: true as const };
      }
      if (row.revoked_at || row.expires_at.getTime() <= Date.now())
        return { refused: true as const };
      const user = await manager.getRepository(User).findOneBy({ id: row.user_id });
      if (!user) return { refused: true as const };
      if (user.disabledAt) return { disabled: true as const };
      await manager.query(`UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1`, [
        refreshTokenHash(refreshToken),
      ]);
      await manager.query(`UPDATE auth_sessions SET last_refreshed_at = now() WHERE id = $1`, [
        row.session_id,
      ]);
      const next = newRefreshToken();
      await manager.query(`INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)`, [
        next.hash,
        row.session_id,
      ]);
      return { user, sessionId: row.session_id, expiresAt: row.expires_at, token: next.token };
    });
    if ('refused' in outcome) throw unauthorized('auth.refresh_invalid');
    if ('disabled' in outcome) throw unauthorized('auth.account_disabled');
    return this.grant(outcome.user, outcome.sessionId, 'api', outcome.expiresAt, outcome.token);
  }

  /** Signs out: the session's refresh tokens and access tokens stop working at once. */
  async logout(actor: Actor): Promise<void> {
    if (!actor.sessionId) return;
    await this.db.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'sign_out'
       WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`,
      [actor.sessionId, actor.userId],
    );
    sessionCache().forgetSession(actor.sessionId);
  }

  /**
   * Resolves a bearer token to the acting user. The account and the token's session are read
   * again for every request, or at most AUTH_SESSION_CACHE_MS (2 s) later when this process has
   * just checked the same token (session-cache.ts): a disabled account, a changed role or a
   * revoked session takes effect at once in the process that revokes it, and within that delay
   * in any other, not when the token expires.
   */
  async authenticate(token: string): Promise<Actor> {
    const cache = sessionCache();
    const cached = cache.get(token);
    if (cached) return cached;
    const pending = cache.pending(token);
    if (pending) return { ...(await pending) };
    const begun = cache.begin();
    const lookup = this.lookUpToken(token);
    cache.track(
      token,
      lookup.then(({ actor }) => actor),
      begun,
    );
    const { actor, notAfter } = await lookup;
    cache.set(token, actor, notAfter, begun);
    return { ...actor };
  }

  /** The token's signature and claims, then its session and account, read from the database. */
  private async lookUpToken(token: string): Promise<{ actor: Actor; notAfter: number }> {
    let claims: AccessTokenClaims & { exp?: number };
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims & { exp?: number }>(token, {
        algorithms: ['HS256'],
      });
    } catch {
      throw unauthorized('auth.token_invalid');
    }
    if (!UUID.test(String(claims.sub)) || !UUID.test(String(claims.sid)))
      throw unauthorized('auth.token_invalid');
    const [row]: SessionUserRow[] = await this.db.query(
      prepared(
        'session-user',
        `SELECT u.id, u.email, u.role, u.seat, u.organisation_id, u.locale, u.display_name,
                u.disabled_at, s.revoked_at AS session_revoked_at, s.expires_at AS session_expires_at
         FROM auth_sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id = $1 AND u.id = $2`,
      ),
      [claims.sid, claims.sub],
    );
    if (!row || row.session_revoked_at || row.session_expires_at.getTime() <= Date.now())
      throw unauthorized('auth.token_invalid');
    if (row.disabled_at) throw unauthorized('auth.account_disabled');
    const actor: Actor = {
      userId: row.id,
      email: row.email,
      role: row.role,
      seat: row.seat,
      organisationId: row.organisation_id,
      locale: row.locale,
      sessionId: claims.sid,
    };
    // jsonwebtoken refuses a token from the second of its `exp` on.
    const tokenEnd = typeof claims.exp === 'number' ? claims.exp * 1000 : Infinity;
    return { actor, notAfter: Math.min(tokenEnd, row.session_expires_at.getTime()) };
  }

  private async startSession(user: User, channel: SessionChannel): Promise<TokenGrant> {
    const lifetimeSeconds =
      channel === 'api'
        ? this.config.REFRESH_TOKEN_TTL_DAYS * 86400
        : this.config.WEB_SESSION_TTL_SECONDS;
    const expiresAt = new Date(Date.now() + lifetimeSeconds * 1000);
    const refresh = channel === 'api' ? newRefreshToken() : undefined;
    const sessionId = await this.db.transaction(async (manager) => {
      // Sessions long over are of no more use (their refresh tokens go with them).
      await manager.query(
        `DELETE FROM auth_sessions WHERE user_id = $1 AND expires_at < now() - interval '1 day'`,
        [user.id],
      );
      const [session]: { id: string }[] = await manager.query(
        `INSERT INTO auth_sessions (user_id, channel, expires_at) VALUES ($1, $2, $3) RETURNING id`,
        [user.id, channel, expiresAt],
      );
      if (refresh)
        await manager.query(`INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)`, [
          refresh.hash,
          session.id,
        ]);
      return session.id;
    });
    return this.grant(user, sessionId, channel, expiresAt, refresh?.token);
  }

  private async grant(
    user: User,
    sessionId: string,
    channel: SessionChannel,
    sessionExpiresAt: Date,
    refreshToken?: string,
  ): Promise<TokenGrant> {
    const ttl =
      channel === 'api' ? this.config.JWT_TTL_SECONDS : this.config.WEB_SESSION_TTL_SECONDS;
    // Never past the session's own end.
    const expiresIn = Math.max(
      1,
      Math.min(ttl, Math.floor((sessionExpiresAt.getTime() - Date.now()) / 1000)),
    );
    const claims: AccessTokenClaims = { sub: user.id, role: user.role, sid: sessionId };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn,
      ...(refreshToken ? { refreshToken, refreshExpiresAt: sessionExpiresAt.toISOString() } : {}),
      user: publicUser(user),
    };
  }

  /** The lock-out, on the record, and its email to the owner through the outbox (one per lock). */
  private async recordLockout(user: User, seconds: number, address: string): Promise<void> {
    const lockedUntil = new Date(Date.now() + seconds * 1000);
    const job: LockoutNoticeJob = {
      lockoutId: randomUUID(),
      userId: user.id,
      lockedUntil: lockedUntil.toISOString(),
      failures: this.config.LOGIN_MAX_FAILURES,
      address,
    };
    await this.db.transaction(async (manager: EntityManager) => {
      await recordAudit(manager, {
        actorUserId: null,
        actorRole: null,
        organisationId: user.organisationId,
        action: 'auth.account_locked',
        entityType: 'user',
        entityId: user.id,
        details: { lockedUntil: job.lockedUntil, failures: job.failures, address },
      });
      await enqueueInOutbox(manager, [
        {
          queue: QUEUES.mail,
          jobName: AUTH_MAIL_JOBS.lockoutNotice,
          payload: { ...job },
          correlationId: user.id,
        },
      ]);
    });
  }
}
