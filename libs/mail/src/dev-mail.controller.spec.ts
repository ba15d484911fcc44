import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { APP_CONFIG } from '@hns/config';
import { DevMailController } from './dev-mail.controller';
import { MailSinkStore } from './mail-sink.store';

const ID = '1764400000000-0123456789abcdef';
const EML = [
  'From: "CMCoord HNS" <no-reply@hns.example.org>',
  'To: focal.point@ngo.example.org',
  'Subject: =?UTF-8?Q?Re=C3=A7u_/_Received_<script>alert(1)</script>?=',
  'Message-ID: <hns.abc@hns.example.org>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="b"',
  '',
  '--b',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Texte </pre><script>alert(2)</script>',
  '--b',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p class="x">Bonjour & "bienvenue"</p><script>alert(3)</script>',
  '--b--',
  '',
].join('\r\n');

async function appWith(config: { useMailSink: boolean; NODE_ENV: string }, dir: string) {
  const moduleRef = await Test.createTestingModule({
    controllers: [DevMailController],
    providers: [MailSinkStore, { provide: APP_CONFIG, useValue: { ...config, mailSinkDir: dir } }],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('GET /dev/mail', () => {
  let dir: string;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    dir = await mkdtemp(join(tmpdir(), 'hns-dev-mail-'));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${ID}.eml`), EML);
    app = await appWith({ useMailSink: true, NODE_ENV: 'development' }, dir);
  });

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the caught mail with escaped, bilingual headings', async () => {
    const response = await app.inject({ method: 'GET', url: '/dev/mail' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.body).toContain('Courriels de développement / Development mail');
    expect(response.body).toContain(`href="/dev/mail/${ID}"`);
    expect(response.body).toContain('Reçu / Received &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(response.body).not.toContain('<script>');
  });

  it('shows one message: text in <pre>, HTML only inside a sandboxed srcdoc iframe', async () => {
    const response = await app.inject({ method: 'GET', url: `/dev/mail/${ID}` });
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toContain('<pre>Texte &lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;</pre>');
    expect(body).toMatch(/<iframe\s+sandbox="allow-popups allow-popups-to-escape-sandbox"/);
    expect(body).toContain(
      'srcdoc="&lt;base target=&quot;_blank&quot;&gt;&lt;p class=&quot;x&quot;&gt;Bonjour &amp; &quot;bienvenue&quot;&lt;/p&gt;&lt;script&gt;',
    );
    expect(body).not.toContain('<script>');
    expect(body).toContain(`href="/dev/mail/${ID}.eml"`);
    expect(body).toContain('href="/dev/mail"');
  });

  it('serves the raw .eml as received', async () => {
    const response = await app.inject({ method: 'GET', url: `/dev/mail/${ID}.eml` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('message/rfc822');
    expect(response.body).toBe(EML);
  });

  it('answers a bilingual 404 for unknown or malformed ids', async () => {
    for (const url of [
      '/dev/mail/1764400000001-0123456789abcdef',
      '/dev/mail/..%2F..%2Fetc%2Fpasswd',
      '/dev/mail/..%2Fx.eml',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain('Introuvable.');
      expect(response.body).toContain('Not found.');
    }
  });

  it.each([
    ['mail goes to a real SMTP server', { useMailSink: false, NODE_ENV: 'development' }],
    ['in production', { useMailSink: true, NODE_ENV: 'production' }],
  ])('answers 404 when %s', async (_case, config) => {
    const closed = await appWith(config, dir);
    try {
      for (const url of ['/dev/mail', `/dev/mail/${ID}`, `/dev/mail/${ID}.eml`]) {
        const response = await closed.inject({ method: 'GET', url });
        expect(response.statusCode).toBe(404);
        expect(response.body).toContain('Introuvable. / Not found.');
        expect(response.body).not.toContain('bienvenue');
      }
    } finally {
      await closed.close();
    }
  });
});
