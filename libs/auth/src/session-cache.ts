import type { Actor } from './entities';

/**
 * A short, bounded, in-process memory of access tokens this process has just authenticated,
 * so that a burst of requests with one token costs one session lookup, not one per request
 * (issue 7: the lookup was a PostgreSQL round trip on every authenticated request).
 *
 * What it guarantees:
 * - An entry lives at most `ttlMs` (AUTH_SESSION_CACHE_MS, 2 s by default; 0 turns the cache
 *   off), never past the token's own expiry (`exp`) nor its session's.
 * - Revocation in this process is immediate: sign-out, a reused refresh token, `user:disable`
 *   and `user:reset-password` run through this process (or a locale change) forget the entries
 *   of that session or user before they answer, and no entry for that user is stored again for
 *   `quarantineMs` afterwards (a lookup that raced the revoking transaction cannot put the old
 *   row back). Any revocation also discards lookups that were in flight when it happened.
 * - Revocation in another process (the CLI run as its own process, another API replica) is
 *   seen here within `ttlMs` at most: the next lookup after the entry expires reads the session
 *   and the account again.
 * - At most `maxEntries` tokens are kept (the oldest are dropped first), about 0.5 KB each.
 *
 * Only successful authentications are kept: an invalid, expired or revoked token is looked up
 * (and refused) every time, except that requests arriving while a lookup of the same token is
 * under way share its answer (pending/track).
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  /** Users whose entries may not be stored until the given time (after a revocation). */
  private readonly quarantined = new Map<string, number>();
  /** Bumped by every revocation: a lookup begun before one is not stored nor joined. */
  private generation = 0;
  /** Lookups under way, so that the requests of a burst that all miss share one. */
  private readonly inFlight = new Map<string, { lookup: Promise<Actor>; generation: number }>();

  constructor(
    readonly ttlMs: number,
    readonly maxEntries = 10_000,
    readonly quarantineMs = Math.max(10_000, ttlMs * 5),
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The actor of a token authenticated less than `ttlMs` ago, if it is still valid. */
  get(token: string): Actor | undefined {
    if (!this.enabled) return undefined;
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.validUntil <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return { ...entry.actor };
  }

  /** Call before the lookup; pass what it returned to `set`. */
  begin(): number {
    return this.generation;
  }

  /**
   * The lookup of this token already under way, if one began since the last revocation: the
   * requests that arrive while it runs (when an entry has just expired, every connection of a
   * client at once) wait for it instead of each reading the session again.
   */
  pending(token: string): Promise<Actor> | undefined {
    if (!this.enabled) return undefined;
    const entry = this.inFlight.get(token);
    return entry && entry.generation === this.generation ? entry.lookup : undefined;
  }

  /** Makes `lookup` the one others join (see pending) until it settles. */
  track(token: string, lookup: Promise<Actor>, begun: number): void {
    if (!this.enabled) return;
    if (this.inFlight.size >= this.maxEntries) this.inFlight.clear();
    const entry = { lookup, generation: begun };
    this.inFlight.set(token, entry);
    const done = () => {
      if (this.inFlight.get(token) === entry) this.inFlight.delete(token);
    };
    lookup.then(done, done);
  }

  /**
   * Keeps a successful authentication until `ttlMs` from now, or until `notAfterMs` (the
   * token's or the session's end) if that comes first.
   */
  set(token: string, actor: Actor, notAfterMs: number, begun: number): void {
    if (!this.enabled || begun !== this.generation) return;
    const now = this.now();
    const until = this.quarantined.get(actor.userId);
    if (until !== undefined) {
      if (until > now) return;
      this.quarantined.delete(actor.userId);
    }
    const validUntil = Math.min(now + this.ttlMs, notAfterMs);
    if (validUntil <= now) return;
    if (this.entries.size >= this.maxEntries) this.evict(now);
    this.entries.set(token, { actor: { ...actor }, validUntil });
  }

  /** Forgets every entry of one session (sign-out, a reused refresh token). */
  forgetSession(sessionId: string): void {
    this.generation++;
    this.inFlight.clear();
    for (const [token, entry] of this.entries) {
      if (entry.actor.sessionId === sessionId) this.entries.delete(token);
    }
  }

  /** Forgets every entry of one user and stores none for `quarantineMs` (disabled, reset…). */
  forgetUser(userId: string): void {
    this.generation++;
    this.inFlight.clear();
    const now = this.now();
    for (const [key, until] of this.quarantined) if (until <= now) this.quarantined.delete(key);
    this.quarantined.set(userId, now + this.quarantineMs);
    for (const [token, entry] of this.entries) {
      if (entry.actor.userId === userId) this.entries.delete(token);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops expired entries, then the oldest ones, down to three quarters of the bound. */
  private evict(now: number): void {
    for (const [token, entry] of this.entries) {
      if (entry.validUntil <= now) this.entries.delete(token);
    }
    const target = Math.floor(this.maxEntries * 0.75);
    for (const token of this.entries.keys()) {
      if (this.entries.size <= target) break;
      this.entries.delete(token);
    }
  }
}

interface Entry {
  actor: Actor;
  validUntil: number;
}

/**
 * The process's cache: revocations made anywhere in this process (the API's sign-out, the CLI's
 * commands run in it) reach the authentications of this process. Configured by AuthService from
 * AUTH_SESSION_CACHE_MS.
 */
let processCache = new SessionCache(0);

export function sessionCache(): SessionCache {
  return processCache;
}

/** Sets the process's cache lifetime (AuthService, at start-up); keeps the current one if equal. */
export function configureSessionCache(ttlMs: number): SessionCache {
  if (processCache.ttlMs !== ttlMs) processCache = new SessionCache(ttlMs);
  return processCache;
}
