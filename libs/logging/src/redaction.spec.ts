import { createHash } from 'node:crypto';
import {
  REDACTED,
  hashAddress,
  isRedactedKey,
  referenceIn,
  replaceSecrets,
  scrub,
  scrubText,
  serializeError,
} from './redaction';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('redaction', () => {
  it.each([
    'authorization',
    'Authorization',
    'cookie',
    'set-cookie',
    'password',
    'newPassword',
    'accessToken',
    'refreshToken',
    'token',
    'csrf_token',
    'secret',
    'JWT_SECRET',
    'apiKey',
    'email',
    'focalEmail',
    'phone',
    'satPhone',
    'sat_phone',
  ])('redacts the key %s', (key) => {
    expect(isRedactedKey(key)).toBe(true);
  });

  it.each(['requestId', 'movementId', 'reference', 'status', 'route', 'messageId', 'recipients'])(
    'keeps the key %s',
    (key) => {
      expect(isRedactedKey(key)).toBe(false);
    },
  );

  it('redacts secrets and contact data at any depth, arrays included', () => {
    const input = {
      req: { headers: { authorization: `Bearer ${JWT}`, cookie: 'hns_session=abc' } },
      body: {
        email: 'a@acf.test',
        password: 'correct horse battery staple',
        focalPoint: { name: 'Aminata', phone: '+223 76 00 00 01', email: 'aminata@acf.test' },
        nested: [{ deeper: { refreshToken: 'r-123', secret: 's' } }],
      },
      route: '/auth/login',
      status: 200,
    };
    const output = JSON.stringify(scrub(input));
    for (const secret of [
      JWT,
      'hns_session=abc',
      'a@acf.test',
      'correct horse',
      '+223 76',
      'aminata@',
      'r-123',
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(scrub(input)).toMatchObject({
      req: { headers: { authorization: REDACTED, cookie: REDACTED } },
      body: {
        focalPoint: { name: 'Aminata', phone: REDACTED },
        nested: [{ deeper: { refreshToken: REDACTED, secret: REDACTED } }],
      },
      route: '/auth/login',
      status: 200,
    });
  });

  it('scrubs free text: addresses, phone numbers, bearer tokens, JWTs, URL credentials', () => {
    const text =
      `550 <focal@acf.test>: mailbox unknown; call +223 76 00 00 01 or 76 00 00 02 or ` +
      `+88 16 2100 0001; Authorization: Bearer abc.def-ghi; token ${JWT}; ` +
      `smtp://user:p4ss@mail.example.org:587`;
    const scrubbed = scrubText(text);
    expect(scrubbed).toBe(
      `550 <[email]>: mailbox unknown; call [phone] or [phone] or [phone]; ` +
        `Authorization: Bearer [redacted]; token [jwt]; smtp://[redacted]@mail.example.org:587`,
    );
  });

  it('scrubs the secret of a calendar feed URL and secret query parameters', () => {
    expect(scrubText('GET /calendar/k3y-Abc_123.ics → 500')).toBe('GET /calendar/[redacted] → 500');
    expect(scrubText('GET /web/reset?token=abc123&lang=fr and /x?access_token=z')).toBe(
      'GET /web/reset?token=[redacted]&lang=fr and /x?access_token=[redacted]',
    );
  });

  it('leaves ids, references, dates and durations alone', () => {
    const text =
      'movement 3f2a9c1e-0b7d-4c1e-9a55-2b8f7f0e4d11 HNS-ML-2026-000123 v2 at ' +
      '2026-12-01T06:00:00.000+00:00 took 12.5 ms, 201, route /movements/:id';
    expect(scrubText(text)).toBe(text);
  });

  it('skips the replacements only for text they would not change (40,000 random texts)', () => {
    const pieces = [
      'a',
      'Z',
      '7',
      '42',
      ' ',
      '.',
      '-',
      '_',
      '/',
      ':',
      '?',
      '&',
      '=',
      '@',
      '+',
      '(',
      ')',
      '#',
      'x.org',
      'smtp://u:p',
      'https://',
      '/calendar/',
      '/calendar/:file',
      'token',
      'access_token',
      'key',
      'code',
      'Bearer ',
      'basic ',
      'BASIC x',
      'eyJ',
      'eyJhbGci.eyJzdWIi.sig',
      '76 00',
      '00.01',
      '+223',
      '+22376000001',
      '76 00 00 01',
      '76',
      '00',
      '2026-12-01T06:00:00.000+00:00',
      'HNS-ML-2026-000123',
      'é',
      '\n',
    ];
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const differ: string[] = [];
    let replaced = 0;
    for (let i = 0; i < 40_000; i++) {
      let text = '';
      const length = 1 + Math.floor(next() * 12);
      for (let j = 0; j < length; j++) text += pieces[Math.floor(next() * pieces.length)];
      const full = replaceSecrets(text);
      if (full !== text) replaced++;
      if (scrubText(text) !== full) differ.push(text);
    }
    expect(differ.slice(0, 5)).toEqual([]);
    // The texts do exercise the replacements.
    expect(replaced).toBeGreaterThan(10_000);
  });

  it('keeps a Message-ID verbatim, though it looks like an address', () => {
    expect(scrub({ messageId: '<hns.abc@hns.localhost>', note: 'x@y.org' })).toEqual({
      messageId: '<hns.abc@hns.localhost>',
      note: '[email]',
    });
  });

  it('cuts cycles and depth', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(scrub(cycle)).toEqual({ a: 1, self: '[circular]' });
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i += 1) deep = { deep };
    expect(JSON.stringify(scrub(deep))).toContain('[nested]');
  });

  it('serialises errors with type, code, message and stack scrubbed, and no other properties', () => {
    const error = Object.assign(
      new Error("Can't send mail - all recipients were rejected: 550 <focal@acf.test>"),
      {
        code: 'EENVELOPE',
        responseCode: 550,
        rejected: ['focal@acf.test'],
        response: '550 5.1.1 <focal@acf.test> unknown',
      },
    );
    const serialised = serializeError(error);
    expect(serialised).toMatchObject({ type: 'Error', code: 'EENVELOPE', responseCode: 550 });
    expect(serialised.message).toBe(
      "Can't send mail - all recipients were rejected: 550 <[email]>",
    );
    expect(JSON.stringify(serialised)).not.toContain('focal@acf.test');
    expect(serialised).not.toHaveProperty('rejected');
    expect(serialised).not.toHaveProperty('response');
  });

  it('serialises the cause and non-errors', () => {
    const error = new Error('outer', { cause: new TypeError('inner a@b.org') });
    expect(serializeError(error).cause).toMatchObject({
      type: 'TypeError',
      message: 'inner [email]',
    });
    expect(serializeError('plain x@y.org')).toEqual({ type: 'string', message: 'plain [email]' });
  });

  it('hashes an address in lower case, as sha256sum would', () => {
    const expected = createHash('sha256').update('focal@acf.test').digest('hex').slice(0, 16);
    expect(hashAddress('Focal@ACF.test ')).toBe(`sha256:${expected}`);
    expect(hashAddress('focal@acf.test')).not.toContain('acf');
  });

  it('finds a movement reference in a subject', () => {
    expect(referenceIn('[HNS-ML-2026-000123] Notification reçue')).toBe('HNS-ML-2026-000123');
    expect(referenceIn('[HNS-ML-2026-1234567] x')).toBe('HNS-ML-2026-1234567');
    expect(referenceIn('Alerte UNDSS')).toBeUndefined();
    expect(referenceIn(undefined)).toBeUndefined();
  });
});
