import type { Actor } from './entities';
import { SessionCache } from './session-cache';

const actor = (userId: string, sessionId: string): Actor => ({
  userId,
  email: `${userId}@example.org`,
  role: 'ngo',
  seat: null,
  organisationId: 'org-1',
  locale: 'fr',
  sessionId,
});

describe('SessionCache (reuse of a just-checked access token)', () => {
  let now: number;
  const cache = (ttlMs = 2000, max = 100) => new SessionCache(ttlMs, max, 10_000, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('reuses a token for ttlMs at most, never past the token or session end', () => {
    const c = cache();
    c.set('t1', actor('u1', 's1'), Infinity, c.begin());
    expect(c.get('t1')).toMatchObject({ userId: 'u1', sessionId: 's1' });
    now += 1999;
    expect(c.get('t1')).toBeDefined();
    now += 1;
    expect(c.get('t1')).toBeUndefined();

    c.set('t2', actor('u1', 's1'), now + 500, c.begin());
    now += 500;
    expect(c.get('t2')).toBeUndefined();
    // Already over: not stored at all.
    c.set('t3', actor('u1', 's1'), now, c.begin());
    expect(c.size).toBe(0);
  });

  it('hands out copies: a caller changing its actor does not change the next one', () => {
    const c = cache();
    c.set('t1', actor('u1', 's1'), Infinity, c.begin());
    const first = c.get('t1')!;
    first.role = 'admin';
    expect(c.get('t1')!.role).toBe('ngo');
  });

  it('forgets a signed-out session at once, and only that session', () => {
    const c = cache();
    c.set('a', actor('u1', 's1'), Infinity, c.begin());
    c.set('b', actor('u1', 's2'), Infinity, c.begin());
    c.forgetSession('s1');
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBeDefined();
  });

  it('forgets a disabled user at once and does not store them again during the quarantine', () => {
    const c = cache();
    c.set('a', actor('u1', 's1'), Infinity, c.begin());
    c.set('b', actor('u2', 's2'), Infinity, c.begin());
    c.forgetUser('u1');
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBeDefined();
    // A lookup that read the row before the revoking transaction committed.
    c.set('a', actor('u1', 's1'), Infinity, c.begin());
    expect(c.get('a')).toBeUndefined();
    now += 10_000;
    c.set('a', actor('u1', 's1'), Infinity, c.begin());
    expect(c.get('a')).toBeDefined();
  });

  it('does not store a lookup that was in flight when a revocation happened', () => {
    const c = cache();
    const begun = c.begin();
    c.forgetSession('s9');
    c.set('a', actor('u1', 's1'), Infinity, begun);
    expect(c.get('a')).toBeUndefined();
  });

  it('keeps at most maxEntries tokens, dropping the oldest first', () => {
    const c = cache(2000, 8);
    for (let i = 0; i < 20; i++) c.set(`t${i}`, actor(`u${i}`, `s${i}`), Infinity, c.begin());
    expect(c.size).toBeLessThanOrEqual(8);
    expect(c.get('t19')).toBeDefined();
    expect(c.get('t0')).toBeUndefined();
  });

  it('lets a burst of misses share one lookup, but not across a revocation', async () => {
    const c = cache();
    const lookup = Promise.resolve(actor('u1', 's1'));
    c.track('a', lookup, c.begin());
    expect(c.pending('a')).toBe(lookup);
    expect(c.pending('b')).toBeUndefined();
    c.forgetSession('s7');
    expect(c.pending('a')).toBeUndefined();

    const second = Promise.resolve(actor('u1', 's1'));
    c.track('a', second, c.begin());
    await second;
    await Promise.resolve();
    // Settled: the next miss looks up again.
    expect(c.pending('a')).toBeUndefined();
  });

  it('is off with a lifetime of 0', () => {
    const c = cache(0);
    c.set('a', actor('u1', 's1'), Infinity, c.begin());
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });
});
