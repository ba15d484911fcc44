import { describeMailError, isPermanentMailError, urlSecrets } from './mail-errors';
import { deliveryMessageId, senderDomain } from './message-id';

describe('deliveryMessageId', () => {
  it('is the same for the same idempotency key and differs between keys', () => {
    const from = 'CMCoord HNS <no-reply@hns.example.org>';
    const first = deliveryMessageId('ack:m1:v2:ngo@example.org', from);
    expect(first).toBe(deliveryMessageId('ack:m1:v2:ngo@example.org', from));
    expect(first).not.toBe(deliveryMessageId('ack:m1:v3:ngo@example.org', from));
    expect(first).toMatch(/^<hns\.[0-9a-f]{40}@hns\.example\.org>$/);
  });

  it('takes the domain of MAIL_FROM, falling back to hns.localhost', () => {
    expect(senderDomain('no-reply@Cell.Example.org')).toBe('cell.example.org');
    expect(senderDomain('HNS <no-reply@localhost>')).toBe('hns.localhost');
    expect(senderDomain('not an address')).toBe('hns.localhost');
  });
});

describe('describeMailError', () => {
  it('keeps the SMTP code and reply but masks credentials and truncates', () => {
    const error = Object.assign(new Error('Invalid login: 535 bad for smtp://user:s3cr3t!@mx'), {
      code: 'EAUTH',
      responseCode: 535,
    });
    const text = describeMailError(error, urlSecrets('smtp://user:s3cr3t!@mx.example.org'));
    expect(text).toBe('EAUTH 535 Invalid login: 535 bad for smtp://***@mx');
    expect(text).not.toContain('s3cr3t');
    expect(describeMailError(new Error('x'.repeat(5000))).length).toBe(1000);
  });

  it('masks a known password wherever it appears', () => {
    expect(describeMailError(new Error('pass s3cr3t refused'), ['s3cr3t'])).toBe(
      'pass *** refused',
    );
  });
});

describe('isPermanentMailError', () => {
  it('treats 5xx replies as permanent and 4xx or network errors as transient', () => {
    expect(isPermanentMailError({ responseCode: 550 })).toBe(true);
    expect(isPermanentMailError({ responseCode: 451 })).toBe(false);
    expect(isPermanentMailError({ code: 'ECONNREFUSED' })).toBe(false);
    expect(isPermanentMailError({ permanent: true })).toBe(true);
  });
});
