import { type ParsedMail, simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { bilingualDocument, bilingualText } from './bilingual';
import { html } from './html';
import { MailMessage } from './mail-message';
import { base64Lines, compileMessage, quotedPrintable } from './mime-message';

const FROM = 'CMCoord HNS <no-reply@hns.example.org>';
// Longer than a line of quoted-printable: it must be wrapped with soft line breaks.
const LONG_FR =
  "Cette notification n'est ni une autorisation ni une garantie de sécurité, et ne modifie en " +
  'rien le statut protégé de quiconque au regard du droit international humanitaire. « Ségou → ' +
  'Tombouctou » — déconfliction : à vérifier, naïveté, cœur, Œuvre, ÉTÉ, 10 t.';
const LONG_EN =
  'This notification is neither a permission nor a security guarantee, and does not change the ' +
  'protected status of anyone under international humanitarian law. A long word follows: ' +
  'x'.repeat(150) +
  '.';
const ICS =
  'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Mopti → Gao — convoi / convoy\r\n' +
  'END:VEVENT\r\nEND:VCALENDAR\r\n';

const fr = [
  'La cellule CMCoord a pris en compte la notification HNS-ML-2026-000123 (version 2).',
  '',
  'Itinéraire: Mopti → Douentza → Gao',
  // A line that is a lone dot, and one with trailing spaces: both must arrive unchanged.
  '.',
  'Départ: vendredi 4 décembre 2026 à 06:00 UTC   ',
  '',
  LONG_FR,
].join('\n');
const en = [
  'The CMCoord cell has taken note of notification HNS-ML-2026-000123 (version 2).',
  '',
  'Route: Mopti → Douentza → Gao',
  LONG_EN,
].join('\n');

const message: MailMessage = {
  to: ['a.traore@acf.test'],
  cc: ['ocha-mali-cmcoord@un.org', 'Cellule CMCoord Ségou <cmcoord-segou@un.org>'],
  subject:
    '[HNS-ML-2026-000123] Accusé de prise en compte (version 2) / ' +
    'Deconfliction acknowledgement (version 2)',
  text: bilingualText(fr, en),
  html: bilingualDocument(
    'Accusé / Acknowledgement',
    html`<section lang="fr"><p>${fr}</p></section>`,
    html`<section lang="en"><p>${en}</p></section>`,
  ),
  attachments: [
    {
      filename: 'HNS-ML-2026-000123-v2.ics',
      content: ICS,
      contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    },
  ],
  headers: { 'List-Unsubscribe': '<https://hns.example.org/account/notifications>' },
  messageId: '<hns.0123456789abcdef@hns.example.org>',
};

const date = new Date('2026-12-01T09:00:00Z');
const compiled = compileMessage(message, { from: FROM, boundaryBase: '0123456789abcdef', date });
const raw = compiled.raw.toString('utf8');

/** What nodemailer itself builds for the same message (its stream pipeline), for comparison. */
async function nodemailerBuild(m: MailMessage): Promise<Buffer> {
  const transport = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await transport.sendMail({
    from: FROM,
    to: m.to,
    cc: m.cc,
    subject: m.subject,
    text: m.text,
    html: m.html,
    attachments: m.attachments,
    headers: m.headers,
    priority: m.priority,
    messageId: m.messageId,
    date,
  });
  return info.message as Buffer;
}

const address = (parsed: ParsedMail, field: 'from' | 'to' | 'cc') => {
  const value = parsed[field];
  return (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) =>
    a.value.map(({ name, address }) => ({ name, address })),
  );
};

describe('compileMessage (an email built in one pass)', () => {
  let parsed: ParsedMail;
  beforeAll(async () => {
    parsed = await simpleParser(compiled.raw);
  });

  it('parses with the French and English text intact, in the text and HTML parts', () => {
    expect(parsed.text).toBe(message.text);
    expect(parsed.text).toContain(LONG_FR);
    expect(parsed.text).toContain(LONG_EN);
    expect(parsed.html).toBe(message.html);
    expect(parsed.html).toContain('Itinéraire: Mopti → Douentza → Gao');
    expect(parsed.html).toContain('« Ségou → Tombouctou »');
  });

  it('writes the headers that matter: encoded subject, addresses, Message-ID, Date, custom', () => {
    expect(parsed.subject).toBe(message.subject);
    expect(raw).toMatch(/^Subject: =\?UTF-8\?Q\?/m);
    expect(address(parsed, 'from')).toEqual([
      { name: 'CMCoord HNS', address: 'no-reply@hns.example.org' },
    ]);
    expect(address(parsed, 'to')).toEqual([{ name: '', address: 'a.traore@acf.test' }]);
    expect(address(parsed, 'cc')).toEqual([
      { name: '', address: 'ocha-mali-cmcoord@un.org' },
      { name: 'Cellule CMCoord Ségou', address: 'cmcoord-segou@un.org' },
    ]);
    expect(parsed.messageId).toBe(message.messageId);
    expect(compiled.messageId).toBe(message.messageId);
    expect(parsed.date?.toISOString()).toBe(date.toISOString());
    expect(parsed.headers.get('list')).toEqual({
      unsubscribe: { url: 'https://hns.example.org/account/notifications' },
    });
    expect(parsed.headers.get('mime-version')).toBe('1.0');
  });

  it('gives the SMTP envelope: the sender, every To and Cc recipient once', () => {
    expect(compiled.envelope).toEqual({
      from: 'no-reply@hns.example.org',
      to: ['a.traore@acf.test', 'ocha-mali-cmcoord@un.org', 'cmcoord-segou@un.org'],
    });
  });

  it('attaches the calendar file with its name, type and exact bytes', () => {
    expect(parsed.attachments).toHaveLength(1);
    const [ics] = parsed.attachments;
    expect(ics.filename).toBe('HNS-ML-2026-000123-v2.ics');
    expect(ics.contentType).toBe('text/calendar');
    expect(ics.contentDisposition).toBe('attachment');
    expect(ics.content.toString('utf8')).toBe(ICS);
    expect(raw).toContain('method=PUBLISH');
  });

  it('is 7-bit, CRLF only, with no line longer than 76 characters', () => {
    // eslint-disable-next-line no-control-regex
    expect(/[^\x00-\x7f]/.test(raw)).toBe(false);
    expect(/[^\r]\n/.test(raw)).toBe(false);
    const lines = raw.split('\r\n');
    expect(lines.filter((line) => line.length > 76)).toEqual([]);
    // The long paragraphs were wrapped with soft line breaks, not cut.
    expect(lines.filter((line) => line.endsWith('=')).length).toBeGreaterThan(4);
  });

  it('has the MIME tree nodemailer builds: mixed of alternative (text, HTML) and the .ics', async () => {
    const types = [...raw.matchAll(/^Content-Type: ([a-z/]+)/gm)].map((m) => m[1]);
    expect(types).toEqual([
      'multipart/mixed',
      'multipart/alternative',
      'text/plain',
      'text/html',
      'text/calendar',
    ]);
    const reference = await simpleParser(await nodemailerBuild(message));
    expect(parsed.text).toBe(reference.text);
    expect(parsed.html).toBe(reference.html);
    expect(parsed.subject).toBe(reference.subject);
    expect(parsed.headers.get('message-id')).toBe(reference.headers.get('message-id'));
    expect(parsed.headers.get('date')).toEqual(reference.headers.get('date'));
    for (const field of ['from', 'to', 'cc'] as const) {
      expect(address(parsed, field)).toEqual(address(reference, field));
    }
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content])).toEqual(
      reference.attachments.map((a) => [a.filename, a.contentType, a.content]),
    );
  });

  it('without attachments, is the multipart/alternative alone; marks high priority as nodemailer', async () => {
    const plain: MailMessage = {
      to: ['undss-mali@un.org'],
      subject: 'Escalade de sécurité / Security escalation',
      text: 'Réponse requise.\n\nResponse required.',
      html: '<p>Réponse requise.</p><hr><p>Response required.</p>',
      priority: 'high',
      headers: { Importance: 'high', 'X-Priority': '1' },
    };
    const built = compileMessage(plain, { from: FROM, boundaryBase: 'fedcba9876543210' });
    const text = built.raw.toString('utf8');
    expect([...text.matchAll(/^Content-Type: ([a-z/]+)/gm)].map((m) => m[1])).toEqual([
      'multipart/alternative',
      'text/plain',
      'text/html',
    ]);
    const got = await simpleParser(built.raw);
    expect(got.text).toBe(plain.text);
    expect(got.html).toBe(plain.html);
    expect(got.attachments).toEqual([]);
    expect(got.headers.get('priority')).toBe('high');
    expect(text).toMatch(/^Importance: High\r$/m);
    expect(text).toMatch(/^X-Priority: 1 \(Highest\)\r$/m);
    expect(text.match(/^(Importance|X-Priority):/gm)).toHaveLength(2);
    // A Message-ID is always written, and a Date.
    expect(got.messageId).toMatch(/^<.+@.+>$/);
    expect(built.messageId).toBe(got.messageId);
    expect(Math.abs((got.date?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    const reference = await simpleParser(await nodemailerBuild(plain));
    expect(got.headers.get('x-priority')).toBe(reference.headers.get('x-priority'));
    expect(got.headers.get('x-msmail-priority')).toBe(reference.headers.get('x-msmail-priority'));
  });

  it('keeps different boundaries for different messages', () => {
    const other = compileMessage(message, { from: FROM, boundaryBase: 'aaaaaaaaaaaaaaaa', date });
    const boundaries = (m: string) => [...m.matchAll(/boundary="([^"]+)"/g)].map((b) => b[1]);
    expect(boundaries(raw)).toHaveLength(2);
    expect(new Set(boundaries(raw)).size).toBe(2);
    for (const b of boundaries(other.raw.toString())) expect(raw).not.toContain(b);
  });
});

const decodeQp = (qp: string): Buffer =>
  Buffer.from(
    qp
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );

describe('quotedPrintable and base64Lines', () => {
  it('encodes any text reversibly: 76 characters a line, whole characters, no trailing space', () => {
    const alphabet = [
      'a',
      'Z',
      ' ',
      '\t',
      '=',
      '.',
      'é',
      '→',
      '€',
      '🚚',
      '\n',
      '\r\n',
      '\r',
      '\u0001',
      'ǅ',
    ];
    const strict = new TextDecoder('utf-8', { fatal: true });
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 400; n++) {
      const text = Array.from(
        { length: Math.floor(random() * 300) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
      const qp = quotedPrintable(text);
      expect(decodeQp(qp).toString('utf8')).toBe(text.replace(/\r?\n|\r/g, '\r\n'));
      // 7-bit, only CRLF line breaks
      // eslint-disable-next-line no-control-regex
      expect(/[^\x09\x0d\x0a\x20-\x7e]|\r(?!\n)|(?<!\r)\n/.test(qp)).toBe(false);
      for (const line of qp.split('\r\n')) {
        expect(line.length).toBeLessThanOrEqual(76);
        // Whitespace at the end of a line would be dropped by the receiver.
        expect(/[ \t]$/.test(line)).toBe(false);
        // A soft line break never cuts a character's UTF-8 sequence.
        expect(() => strict.decode(decodeQp(line.replace(/=$/, '')))).not.toThrow();
      }
    }
  });

  it('round-trip French text and bytes, with lines of at most 76 characters', async () => {
    const text = `${LONG_FR}\n${LONG_EN}\n`;
    const qp = quotedPrintable(text);
    expect(qp.split('\r\n').every((line) => line.length <= 76)).toBe(true);
    const decoded = Buffer.from(
      qp
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
    expect(decoded).toBe(text.replace(/\n/g, '\r\n'));

    const bytes = Buffer.from(ICS.repeat(7));
    const b64 = base64Lines(bytes);
    expect(b64.split('\r\n').every((line) => line.length <= 76)).toBe(true);
    expect(Buffer.from(b64.replace(/\r\n/g, ''), 'base64')).toEqual(bytes);
    expect(base64Lines('x'.repeat(57))).toHaveLength(76);
    for (const length of [0, 1, 56, 57, 58, 113, 114, 115, 1000]) {
      const content = Buffer.from(Array.from({ length }, (_, i) => (i * 7) % 256));
      const lines = base64Lines(content).split('\r\n');
      expect(lines.slice(0, -1).every((line) => line.length === 76)).toBe(true);
      expect(lines[lines.length - 1].length).toBeLessThanOrEqual(76);
      expect(Buffer.from(lines.join(''), 'base64')).toEqual(content);
    }
  });

  it('builds a large message intact, and the next one as well', async () => {
    const long = `${LONG_FR}\n`.repeat(400); // about 120 KB of UTF-8
    const big: MailMessage = {
      ...message,
      text: long,
      html: `<p>${long}</p>`,
      attachments: [
        { filename: 'big.ics', content: ICS.repeat(500), contentType: 'text/calendar' },
      ],
    };
    const built = await simpleParser(compileMessage(big, { from: FROM, boundaryBase: 'b1' }).raw);
    expect(built.text).toBe(big.text);
    expect(built.html).toBe(big.html);
    expect(built.attachments[0].content.toString('utf8')).toBe(ICS.repeat(500));
    const after = await simpleParser(
      compileMessage(message, { from: FROM, boundaryBase: 'b2' }).raw,
    );
    expect(after.text).toBe(message.text);
    expect(after.attachments[0].content.toString('utf8')).toBe(ICS);
  });
});
