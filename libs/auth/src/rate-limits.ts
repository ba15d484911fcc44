import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '@hns/config';

/** How a limit answered: allowed (with what is left), or refused until `retryAfterSeconds`. */
export interface LimitOutcome {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (allowed) or until a retry may succeed (refused). */
  resetSeconds: number;
}

/** The outcome of a sign-in failure on the account's counter. */
export interface FailureOutcome {
  /** This failure locked the account (exactly one request sees it per lock-out). */
  lockedNow: boolean;
  locked: boolean;
  retryAfterSeconds: number;
}

const secondsOf = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Abuse limits kept in Redis, so that they hold across every API process (rate-limiter-flexible;
 * keys under `<QUEUE_PREFIX>:rl:`).
 *
 * - Sign-in, per account: LOGIN_MAX_FAILURES wrong passwords in LOGIN_WINDOW_SECONDS lock the
 *   account for LOGIN_LOCKOUT_SECONDS. Keyed by a hash of the lower-cased email whether or not
 *   the account exists, so a lock-out says nothing about existence.
 * - Sign-in, per client address: LOGIN_MAX_PER_ADDRESS attempts in LOGIN_WINDOW_SECONDS.
 * - The API, per signed-in user and per client address, per minute.
 *
 * When Redis cannot be reached, the sign-in limits fall back to an in-memory limiter in each
 * process (rate-limiter-flexible's insuranceLimiter): sign-in keeps working and stays limited,
 * per process. The API-wide limits fail open (a warning is logged): an outage of Redis must not
 * lock every user out of the API.
 */
@Injectable()
export class AbuseLimits implements OnModuleDestroy {
  private readonly logger = new Logger('RateLimits');
  private readonly redis: Redis;
  private readonly loginAccount: RateLimiterRedis;
  private readonly loginAddress: RateLimiterRedis;
  private readonly apiUser?: RateLimiterRedis;
  private readonly apiAddress?: RateLimiterRedis;
  private connecting?: Promise<void>;
  private lastWarning = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.redis = new Redis(config.REDIS_URL, {
      lazyConnect: true,
      // Fail fast instead of queueing: a request must not wait for Redis to come back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      connectionName: 'hns-rate-limits',
    });
    this.redis.on('error', (error: Error) => this.warn(`Redis: ${error.message}`));
    const prefix = `${config.QUEUE_PREFIX}:rl`;
    const store = (name: string, points: number, duration: number, insured: boolean) =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${prefix}:${name}`,
        points,
        duration,
        rejectIfRedisNotReady: true,
        ...(insured
          ? {
              insuranceLimiter: new RateLimiterMemory({
                keyPrefix: `${prefix}:${name}`,
                points,
                duration,
              }),
            }
          : {}),
      });
    const window = config.LOGIN_WINDOW_SECONDS;
    this.loginAccount = store('login-account', config.LOGIN_MAX_FAILURES, window, true);
    this.loginAddress = store('login-address', config.LOGIN_MAX_PER_ADDRESS, window, true);
    if (config.API_RATE_LIMIT_PER_USER > 0)
      this.apiUser = store('api-user', config.API_RATE_LIMIT_PER_USER, 60, false);
    if (config.API_RATE_LIMIT_PER_ADDRESS > 0)
      this.apiAddress = store('api-address', config.API_RATE_LIMIT_PER_ADDRESS, 60, false);
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }

  /** Counts a sign-in attempt from `address`; refused past LOGIN_MAX_PER_ADDRESS. */
  async signInAttempt(address: string): Promise<LimitOutcome> {
    await this.connected();
    return this.consume(this.loginAddress, address, this.config.LOGIN_MAX_PER_ADDRESS);
  }

  /** Seconds the account stays locked, or 0 when it is not locked. */
  async accountLockedFor(email: string): Promise<number> {
    await this.connected();
    const res = await this.loginAccount.get(accountKey(email));
    if (res && res.consumedPoints > this.config.LOGIN_MAX_FAILURES && res.msBeforeNext > 0)
      return secondsOf(res.msBeforeNext);
    return 0;
  }

  /** Counts a wrong password; the LOGIN_MAX_FAILURES-th in the window locks the account. */
  async signInFailed(email: string): Promise<FailureOutcome> {
    await this.connected();
    const key = accountKey(email);
    try {
      const res = await this.loginAccount.consume(key);
      if (res.consumedPoints === this.config.LOGIN_MAX_FAILURES) {
        await this.loginAccount.block(key, this.config.LOGIN_LOCKOUT_SECONDS);
        return {
          lockedNow: true,
          locked: true,
          retryAfterSeconds: this.config.LOGIN_LOCKOUT_SECONDS,
        };
      }
      return { lockedNow: false, locked: false, retryAfterSeconds: 0 };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes)
        return {
          lockedNow: false,
          locked: true,
          retryAfterSeconds: secondsOf(rejection.msBeforeNext),
        };
      throw rejection;
    }
  }

  /** A successful sign-in clears the account's failures. */
  async signInSucceeded(email: string): Promise<void> {
    await this.connected();
    await this.loginAccount.delete(accountKey(email)).catch(() => undefined);
  }

  /** The API-wide limit per client address (every request, signed in or not). */
  async apiAddressRequest(address: string): Promise<LimitOutcome | undefined> {
    if (!this.apiAddress) return undefined;
    await this.connected();
    return this.failOpen(this.apiAddress, address, this.config.API_RATE_LIMIT_PER_ADDRESS);
  }

  /** The API-wide limit per signed-in user, across every API process. */
  async apiUserRequest(userId: string): Promise<LimitOutcome | undefined> {
    if (!this.apiUser) return undefined;
    await this.connected();
    return this.failOpen(this.apiUser, userId, this.config.API_RATE_LIMIT_PER_USER);
  }

  private async failOpen(
    limiter: RateLimiterRedis,
    key: string,
    limit: number,
  ): Promise<LimitOutcome | undefined> {
    try {
      return await this.consume(limiter, key, limit);
    } catch (error) {
      this.warn(`API rate limit skipped, Redis unavailable (${(error as Error).message})`);
      return undefined;
    }
  }

  private async consume(
    limiter: RateLimiterRedis,
    key: string,
    limit: number,
  ): Promise<LimitOutcome> {
    try {
      const res = await limiter.consume(key);
      return {
        allowed: true,
        limit,
        remaining: res.remainingPoints,
        resetSeconds: secondsOf(res.msBeforeNext),
      };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes)
        return {
          allowed: false,
          limit,
          remaining: 0,
          resetSeconds: secondsOf(rejection.msBeforeNext),
        };
      throw rejection;
    }
  }

  /** Connects on first use (the CLI builds this service too, and never needs Redis). */
  private connected(): Promise<void> {
    if (this.redis.status === 'wait') {
      this.connecting = this.redis.connect().catch((error: Error) => {
        this.warn(`Redis: ${error.message}`);
      });
    }
    return this.connecting ?? Promise.resolve();
  }

  /** One warning per 30 s: an outage must not flood the log. */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 30_000) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}

/** The account's key: a hash, so Redis holds no email address. */
function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
}
