import { metricsTokenMatches } from './metrics-token';

describe('metricsTokenMatches', () => {
  const token = 'a'.repeat(16) + 'B'.repeat(16);

  it('accepts exactly "Bearer <token>" (scheme in any case)', () => {
    expect(metricsTokenMatches(`Bearer ${token}`, token)).toBe(true);
    expect(metricsTokenMatches(`bearer ${token}`, token)).toBe(true);
  });

  it('refuses a missing header, another scheme, a prefix, a longer token or an empty configuration', () => {
    expect(metricsTokenMatches(undefined, token)).toBe(false);
    expect(metricsTokenMatches('', token)).toBe(false);
    expect(metricsTokenMatches(token, token)).toBe(false);
    expect(metricsTokenMatches(`Basic ${token}`, token)).toBe(false);
    expect(metricsTokenMatches(`Bearer ${token.slice(0, -1)}`, token)).toBe(false);
    expect(metricsTokenMatches(`Bearer ${token}x`, token)).toBe(false);
    expect(metricsTokenMatches(`Bearer ${token} extra`, token)).toBe(false);
    expect(metricsTokenMatches('Bearer ', '')).toBe(false);
  });
});
