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

/** Both API-wide limits of a request, answered together. */
export interface ApiLimitOutcomes {
  byAddress?: LimitOutcome;
  byUser?: LimitOutcome;
}

/**
 * The API-wide limits of one request in one round trip: the per-address counter, then (only if
 * the address is within its limit, as when the two were consumed one after the other) the
 * per-user counter. Each counter is rate-limiter-flexible's own (same key, same script: SET NX
 * with the window, INCRBY, PTTL), so both stay readable by RateLimiterRedis.
 * KEYS: the counters to consume; ARGV[1]: the window in seconds; ARGV[2..]: each counter's limit.
 * Returns consumed points and milliseconds left, per counter consumed.
 */
const API_LIMITS_LUA = `
local out = {}
for i = 1, #KEYS do
  redis.call('set', KEYS[i], 0, 'EX', ARGV[1], 'NX')
  local consumed = redis.call('incrby', KEYS[i], 1)
  local ttl = redis.call('pttl', KEYS[i])
  if ttl == -1 then
    redis.call('expire', KEYS[i], ARGV[1])
    ttl = 1000 * ARGV[1]
  end
  out[#out + 1] = consumed
  out[#out + 1] = ttl
  if consumed > tonumber(ARGV[i + 1]) then break end
end
return out`;

type ApiLimitsRedis = Redis & {
  hnsApiLimits(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number[]>;
};

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
  private readonly prefix: string;

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
    this.redis.defineCommand('hnsApiLimits', { lua: API_LIMITS_LUA });
    const prefix = `${config.QUEUE_PREFIX}:rl`;
    this.prefix = prefix;
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

  /**
   * Both API-wide limits of a request in one Redis round trip (the per-address one, and the
   * per-user one when `userId` is given and the address is within its limit). Same answers as
   * apiAddressRequest then apiUserRequest; fails open the same way when Redis is unavailable.
   */
  async apiRequest(address: string, userId: string | undefined): Promise<ApiLimitOutcomes> {
    const counters: { key: string; limit: number; outcome: keyof ApiLimitOutcomes }[] = [];
    if (this.apiAddress)
      counters.push({
        key: `${this.prefix}:api-address:${address}`,
        limit: this.config.API_RATE_LIMIT_PER_ADDRESS,
        outcome: 'byAddress',
      });
    if (this.apiUser && userId !== undefined)
      counters.push({
        key: `${this.prefix}:api-user:${userId}`,
        limit: this.config.API_RATE_LIMIT_PER_USER,
        outcome: 'byUser',
      });
    if (counters.length === 0) return {};
    await this.connected();
    let reply: number[];
    try {
      // As rejectIfRedisNotReady: no queueing while Redis is away.
      if (this.redis.status !== 'ready') throw new Error('Redis connection is not ready');
      reply = await (this.redis as ApiLimitsRedis).hnsApiLimits(
        counters.length,
        ...counters.map((c) => c.key),
        '60',
        ...counters.map((c) => String(c.limit)),
      );
    } catch (error) {
      this.warn(`API rate limit skipped, Redis unavailable (${(error as Error).message})`);
      return {};
    }
    const outcomes: ApiLimitOutcomes = {};
    counters.forEach((counter, i) => {
      if (reply.length < 2 * i + 2) return;
      const consumed = Number(reply[2 * i]);
      const msLeft = Number(reply[2 * i + 1]);
      outcomes[counter.outcome] =
        consumed > counter.limit
          ? { allowed: false, limit: counter.limit, remaining: 0, resetSeconds: secondsOf(msLeft) }
          : {
              allowed: true,
              limit: counter.limit,
              remaining: Math.max(counter.limit - consumed, 0),
              resetSeconds: secondsOf(msLeft),
            };
    });
    return outcomes;
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
