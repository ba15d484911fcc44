import { isPermanentMailError } from './mail-errors';
import { InvalidMailMessageError, MailTransport, boundaryBase } from './mail-transport';

describe('boundaryBase (the random part of multipart boundaries)', () => {
  it('gives 16 hex digits, different for every message', () => {
    const bases = Array.from({ length: 2000 }, () => boundaryBase());
    expect(bases.every((b) => /^[0-9a-f]{16}$/.test(b))).toBe(true);
    expect(new Set(bases).size).toBe(bases.length);
  });
});

describe('MailTransport', () => {
  it('fails a message it cannot build as permanent, so that its job is not retried', async () => {
    // Port 9 (discard) on loopback: nothing is sent, the message fails before any connection.
    const transport = new MailTransport({
      SMTP_URL: 'smtp://127.0.0.1:9',
      MAIL_FROM: 'CMCoord HNS <no-reply@hns.test>',
      MAIL_SINK_PORT: 0,
    });
    try {
      const message = { to: ['focal@ngo.test'], subject: 'Reçu', text: 'x', html: '<p>x</p>' };
      const unbuildable = { ...message, html: undefined } as unknown as typeof message;
      const failure = await transport.send(unbuildable).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(InvalidMailMessageError);
      expect((failure as Error).message).toMatch(/^the message could not be built: /);
      expect(isPermanentMailError(failure)).toBe(true);
    } finally {
      transport.onApplicationShutdown();
    }
  });
});
