import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { MailMessage } from './mail-message';
import { MAIL_SINK_MAX_BYTES, MailSinkPortInUseError, MailSinkServer } from './mail-sink.server';
import { InvalidMailIdError, MailSinkStore } from './mail-sink.store';
import { MailTransport, MailTransportError } from './mail-transport';

const FROM = 'CMCoord HNS <no-reply@hns.example.org>';

const acknowledgement: MailMessage = {
  to: ['focal.point@ngo.example.org'],
  cc: ['cell@ocha.example.org'],
  subject: 'Accusé de prise en compte / Deconfliction acknowledgement — Ségou → Tombouctou',
  text: 'Votre mouvement a été pris en compte. / Your movement has been acknowledged.',
  html: '<p>Votre mouvement a été <b>pris en compte</b>.</p>',
  attachments: [
    {
      filename: 'HNS-ML-2026-000123.ics',
      content: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n',
      contentType: 'text/calendar; charset=utf-8',
    },
  ],
  headers: { 'X-HNS-Reference': 'HNS-ML-2026-000123' },
  priority: 'high',
  messageId: '<hns.test-1@hns.example.org>',
};

describe('development mail sink', () => {
  let dir: string;
  let sink: MailSinkServer;
  let transport: MailTransport;
  let store: MailSinkStore;
  let port: number;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dir = join(await mkdtemp(join(tmpdir(), 'hns-mail-')), 'not-yet-created');
    sink = new MailSinkServer({ mailSinkDir: dir, MAIL_SINK_PORT: 0 });
    port = await sink.start(0);
    // MAIL_SINK_PORT 0 in the config: the transport follows the sink's bound port.
    transport = new MailTransport({ MAIL_FROM: FROM, MAIL_SINK_PORT: 0 }, sink);
    store = new MailSinkStore({ mailSinkDir: dir });
  });

  afterAll(async () => {
    transport.onApplicationShutdown();
    await sink.stop();
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('listens on the port it was given (0 → a free one)', () => {
    expect(port).toBeGreaterThan(0);
    expect(sink.port).toBe(port);
  });

  it('stores a sent bilingual acknowledgement that the store lists and parses back', async () => {
    const result = await transport.send(acknowledgement);
    expect(result).toEqual({
      messageId: '<hns.test-1@hns.example.org>',
      accepted: ['focal.point@ngo.example.org', 'cell@ocha.example.org'],
      rejected: [],
      deferred: [],
    });

    const [listed] = await store.list();
    expect(listed).toMatchObject({
      from: FROM,
      to: ['focal.point@ngo.example.org'],
      subject: acknowledgement.subject,
    });
    expect(listed.id).toMatch(/^\d+-[0-9a-f]{16}$/);

    const message = await store.read(listed.id);
    expect(message).toMatchObject({
      subject: acknowledgement.subject,
      cc: ['cell@ocha.example.org'],
      messageId: '<hns.test-1@hns.example.org>',
      text: expect.stringContaining('a été pris en compte'),
      html: expect.stringContaining('<b>pris en compte</b>'),
      attachments: [expect.objectContaining({ filename: 'HNS-ML-2026-000123.ics' })],
    });
    const raw = (await store.readRaw(listed.id))!.toString('utf8');
    expect(raw).toMatch(/^X-HNS-Reference: HNS-ML-2026-000123\r?$/im);
    expect(raw).toMatch(/^X-Priority: 1/m);
  });

  it('writes a long message to the connection in one piece, byte for byte', async () => {
    // 200 lines of accented text: about 200 quoted-printable lines in each of the two parts.
    const paragraph = (i: number) => `Ligne ${i} : déconfliction Ségou → Tombouctou. / Line ${i}.`;
    const lines = Array.from({ length: 200 }, (_, i) => paragraph(i));
    const long = {
      ...acknowledgement,
      subject: 'Long message',
      text: lines.join('\n'),
      html: lines.map((line) => `<p>${line}</p>`).join('\n'),
      messageId: '<hns.test-long@hns.example.org>',
    };
    await transport.send({ ...long, subject: 'Warm-up' }); // the pool's connection and greeting
    const write = jest.spyOn(Socket.prototype, 'write');
    try {
      await transport.send(long);
      // Both ends are in this process: the client's envelope, data and end-of-data, and the
      // sink's replies; streamed line by line this was over 400 writes.
      expect(write.mock.calls.length).toBeLessThan(20);
    } finally {
      write.mockRestore();
    }
    const listed = (await store.list()).find((m) => m.subject === 'Long message')!;
    const message = await store.read(listed.id);
    expect(message?.text?.trim()).toBe(long.text);
    expect(message?.html).toContain(`<p>${paragraph(199)}</p>`);
  });

  it('writes only complete .eml files, and lists the newest first', async () => {
    await transport.send({ ...acknowledgement, subject: 'Second', messageId: undefined });
    const names = await readdir(dir);
    expect(names.every((name) => /^\d+-[0-9a-f]{16}\.eml$/.test(name))).toBe(true);
    const subjects = (await store.list()).map((m) => m.subject);
    expect(subjects.slice(0, 2)).toEqual(['Second', 'Long message']);
    expect(subjects.at(-1)).toBe(acknowledgement.subject);
  });

  it('also sends through SMTP_URL, the path taken with a real mail server', async () => {
    const viaUrl = new MailTransport({
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      MAIL_FROM: FROM,
      MAIL_SINK_PORT: 1,
    });
    try {
      await viaUrl.verify();
      const result = await viaUrl.send({ ...acknowledgement, subject: 'Via SMTP_URL' });
      expect(result.accepted).toHaveLength(2);
      expect((await store.list())[0].subject).toBe('Via SMTP_URL');
    } finally {
      viaUrl.onApplicationShutdown();
    }
  });

  it('refuses a message over the size limit and stores nothing', async () => {
    const before = (await readdir(dir)).length;
    const huge = { ...acknowledgement, text: 'x'.repeat(MAIL_SINK_MAX_BYTES + 1024) };
    await expect(transport.send(huge)).rejects.toMatchObject({ responseCode: 552 });
    expect((await readdir(dir)).length).toBe(before);
  });

  it('refuses a header value with a line break (header injection)', async () => {
    await expect(
      transport.send({ ...acknowledgement, headers: { 'X-Test': 'a\r\nBcc: x@example.org' } }),
    ).rejects.toThrow('headers.X-Test');
  });

  it('verify() reports an unreachable server by address within its timeout', async () => {
    const nowhere = new MailTransport({ MAIL_FROM: FROM, MAIL_SINK_PORT: 1 });
    try {
      await expect(nowhere.verify(1000)).rejects.toThrow(MailTransportError);
      await expect(nowhere.verify(1000)).rejects.toThrow('smtp://127.0.0.1:1');
    } finally {
      nowhere.onApplicationShutdown();
    }
  });

  it('a second sink on the same port fails with an explanation', async () => {
    const second = new MailSinkServer({ mailSinkDir: dir, MAIL_SINK_PORT: port });
    await expect(second.start()).rejects.toThrow(MailSinkPortInUseError);
    await expect(second.start()).rejects.toThrow(`MAIL_SINK_PORT ${port} is already in use`);
  });

  it('rejects ids that could leave the mail directory', async () => {
    for (const id of [
      '../x',
      '..',
      '/etc/passwd',
      '1-../../x',
      'a'.repeat(16),
      '1-ABCDEF0123456789',
    ]) {
      await expect(store.read(id)).rejects.toThrow(InvalidMailIdError);
      await expect(store.readRaw(id)).rejects.toThrow(InvalidMailIdError);
    }
    expect(MailSinkStore.isValidId('../x')).toBe(false);
  });

  it('answers null for a well-formed id that does not exist', async () => {
    await expect(store.read('1700000000000-0123456789abcdef')).resolves.toBeNull();
  });

  it('lists nothing when the directory does not exist yet', async () => {
    await expect(new MailSinkStore({ mailSinkDir: join(dir, 'missing') }).list()).resolves.toEqual(
      [],
    );
  });
});
