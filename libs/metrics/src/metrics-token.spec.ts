import { loadConfig } from '@hns/config';
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

describe('the monitoring settings', () => {
  it('refuses a short METRICS_TOKEN and a WORKER_HTTP_PORT out of range, naming them', () => {
    expect(() =>
      loadConfig({
        METRICS_TOKEN: 'too-short',
        WORKER_HTTP_PORT: '70000',
        JWT_SECRET: 'x'.repeat(32),
      }),
    ).toThrow(/METRICS_TOKEN: must be at least 32 characters[\s\S]*WORKER_HTTP_PORT/);
  });

  it('defaults to metrics off, the worker on port 3001 and no drain delay', () => {
    const config = loadConfig({ JWT_SECRET: 'x'.repeat(32) });
    expect(config.METRICS_TOKEN).toBeUndefined();
    expect(config.WORKER_HTTP_PORT).toBe(3001);
    expect(config.SHUTDOWN_DRAIN_SECONDS).toBe(0);
  });
});
