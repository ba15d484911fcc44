import { Readable } from 'node:stream';
import { boundaryBase, wholeMessage } from './mail-transport';

const drain = (stream: Readable): Promise<Buffer[]> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(chunks));
    stream.once('error', reject);
  });

describe('wholeMessage (the message handed to the SMTP connection)', () => {
  it('passes the same bytes on as one chunk', async () => {
    const lines = ['Subject: =?UTF-8?Q?Accus=C3=A9?=\r\n', '\r\n', 'Ségou → Tombouctou\r\n'];
    const chunks = await drain(wholeMessage(Readable.from(lines.map((l) => Buffer.from(l)))));
    expect(chunks).toHaveLength(1);
    expect(chunks[0].toString('utf8')).toBe(lines.join(''));
  });

  it('fails when the message being built fails, so that the send fails', async () => {
    const input = new Readable({ read() {} });
    const output = wholeMessage(input);
    const result = drain(output);
    input.push(Buffer.from('Subject: x\r\n'));
    input.destroy(new Error('attachment could not be read'));
    await expect(result).rejects.toThrow('attachment could not be read');
  });
});

describe('boundaryBase (the random part of multipart boundaries)', () => {
  it('gives 16 hex digits, different for every message, across refills of its pool', () => {
    const bases = Array.from({ length: 2000 }, () => boundaryBase());
    expect(bases.every((b) => /^[0-9a-f]{16}$/.test(b))).toBe(true);
    expect(new Set(bases).size).toBe(bases.length);
  });
});
