import { ConfigError, loadConfig } from './app-config';

describe('configuration', () => {
  it('starts with no environment at all, with the documented defaults', () => {
    const config = loadConfig({ USER: 'hns' });
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe('postgres://hns@127.0.0.1:5432/hns');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.LEAD_TIME_HOURS).toBe(48);
    expect(config.useMailSink).toBe(true);
    expect(config.OPERATION_AREA_BBOX).toEqual({
      minLon: -12.3,
      minLat: 10.1,
      maxLon: 4.3,
      maxLat: 25.05,
    });
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('names every invalid variable in one error', () => {
    expect(() =>
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        OCHA_CELL_EMAILS: 'a@b.org, not-an-email',
        OPERATION_AREA_BBOX: '1,2,3',
      }),
    ).toThrow(ConfigError);
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        OCHA_CELL_EMAILS: 'a@b.org, not-an-email',
        OPERATION_AREA_BBOX: '1,2,3',
      });
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'OCHA_CELL_EMAILS', 'OPERATION_AREA_BBOX'])
        expect(message).toContain(name);
    }
  });

  it('requires a JWT secret, an SMTP server and the public URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET[\s\S]*SMTP_URL[\s\S]*APP_URL/,
    );
  });

  it('parses address lists and the operation area', () => {
    const config = loadConfig({
      UNDSS_ESCALATION_EMAILS: ' duty@undss.org ,ops@undss.org',
      OPERATION_AREA_BBOX: '-5,12,0,18',
      SMTP_URL: 'smtp://mail:25',
    });
    expect(config.UNDSS_ESCALATION_EMAILS).toEqual(['duty@undss.org', 'ops@undss.org']);
    expect(config.OPERATION_AREA_BBOX).toEqual({ minLon: -5, minLat: 12, maxLon: 0, maxLat: 18 });
    expect(config.useMailSink).toBe(false);
  });
});
