import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, migrateDatabase } from '@hns/database';
import type { Pool } from 'pg';
import {
  DeliveryNotStartedError,
  EmailDeliveryService,
  withMailSendOrder,
} from './email-delivery.service';
import { MAIL_HOLD_RECHECK_MS, MAIL_SENDS_IN_FLIGHT } from './limits';
import { MailBusyError } from './mail-errors';
import { MailMessage } from './mail-message';
import { MailSinkServer } from './mail-sink.server';
import { MailTransport } from './mail-transport';
import { deliveryMessageId } from './message-id';
import { waitFor } from '../../../test/support/wait-for';

/**
 * Against a real PostgreSQL/PostGIS, in a throw-away database created and dropped here.
 * TEST_DATABASE_URL names the server (any database on it); without PostgreSQL or PostGIS
 * the tests are skipped with a warning rather than failing the unit run.
 */
const server = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres');
if (!server.username) server.username = process.env.PGUSER ?? process.env.USER ?? 'postgres';
const FROM = 'CMCoord HNS <no-reply@hns.example.org>';

const receipt = (to = 'focal.point@ngo.example.org'): MailMessage => ({
  to: [to],
  subject: 'Notification reçue / Notification received',
  text: 'Reçue. / Received.',
  html: '<p>Reçue. / Received.</p>',
});

describe('EmailDeliveryService (PostgreSQL)', () => {
  const databaseName = `hns_mail_spec_${randomBytes(4).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(server), { pathname: `/${databaseName}` }).toString();
  let unavailable: string | undefined;
  let dataSource: DataSource;
  let dir: string;
  let sink: MailSinkServer;
  let transport: MailTransport;
  let service: EmailDeliveryService;

  const admin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({
      connectionString: server.toString(),
      connectionTimeoutMillis: 3000,
    });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const row = async (key: string) =>
    (
      await dataSource.query(
        `SELECT status, attempts, last_error, subject, recipients, message_id, sent_at
         FROM email_deliveries WHERE idempotency_key = $1`,
        [key],
      )
    )[0];
  const skipped = () => {
    if (unavailable) console.warn(`EmailDeliveryService spec skipped: ${unavailable}`);
    return Boolean(unavailable);
  };

  beforeAll(async () => {
    Logger.overrideLogger(false);
    try {
      await migrateDatabase({ url: databaseUrl });
    } catch (error) {
      unavailable = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return;
    }
    dataSource = createDataSource({ url: databaseUrl, poolSize: 4 });
    await dataSource.initialize();
    dir = await mkdtemp(join(tmpdir(), 'hns-delivery-'));
    sink = new MailSinkServer({ mailSinkDir: dir, MAIL_SINK_PORT: 0 });
    await sink.start();
    transport = new MailTransport({ MAIL_FROM: FROM, MAIL_SINK_PORT: 0 }, sink);
    service = new EmailDeliveryService(dataSource, transport, { MAIL_FROM: FROM });
  }, 60_000);

  afterAll(async () => {
    transport?.onApplicationShutdown();
    await sink?.stop();
    await dataSource?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
    await admin((client) =>
      client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`),
    ).catch(() => undefined);
  }, 30_000);

  it('sends a receipt once, even when its job runs twice', async () => {
    if (skipped()) return;
    const key = { idempotencyKey: 'receipt:m1:v1:focal.point@ngo.example.org', kind: 'receipt' };
    let builds = 0;
    const build = () => {
      builds += 1;
      return receipt();
    };

    const first = await service.sendOnce(key, build);
    const second = await service.sendOnce(key, build);

    const messageId = deliveryMessageId(key.idempotencyKey, FROM);
    expect(first).toMatchObject({ status: 'sent', messageId, attempts: 1 });
    expect(second).toMatchObject({ status: 'already_sent', messageId });
    expect(builds).toBe(1);
    expect((await readdir(dir)).filter((name) => name.endsWith('.eml'))).toHaveLength(1);
    expect(await row(key.idempotencyKey)).toMatchObject({
      status: 'sent',
      attempts: 1,
      last_error: null,
      subject: 'Notification reçue / Notification received',
      recipients: ['focal.point@ngo.example.org'],
      message_id: messageId,
      sent_at: expect.any(Date),
    });
  });

  it('records a failed send without secrets, rethrows it, and sends on the retry', async () => {
    if (skipped()) return;
    const key = { idempotencyKey: 'escalation:e1:undss', kind: 'escalation' };
    const port = sink.port!;
    await sink.stop();
    const down = new MailTransport({ MAIL_FROM: FROM, MAIL_SINK_PORT: port });
    const failing = new EmailDeliveryService(dataSource, down, {
      MAIL_FROM: FROM,
      SMTP_URL: 'smtp://cell:Sup3rS3cret@127.0.0.1:1',
    });
    try {
      await expect(failing.sendOnce(key, () => receipt('undss@un.example.org'))).rejects.toThrow(
        /ECONNREFUSED/,
      );
    } finally {
      down.onApplicationShutdown();
      await sink.start(port);
    }
    const failed = await row(key.idempotencyKey);
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 1,
      recipients: ['undss@un.example.org'],
    });
    expect(failed.last_error).toMatch(/ECONNREFUSED/);
    expect(failed.last_error).not.toContain('Sup3rS3cret');

    const retried = await service.sendOnce(key, () => receipt('undss@un.example.org'));
    expect(retried).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await row(key.idempotencyKey)).toMatchObject({
      status: 'sent',
      attempts: 2,
      last_error: null,
    });
  });

  it('records a message that cannot be built and rethrows the error', async () => {
    if (skipped()) return;
    const key = { idempotencyKey: 'ack:missing', kind: 'acknowledgement' };
    await expect(
      service.sendOnce(key, () => {
        throw new Error('movement m404 not found');
      }),
    ).rejects.toThrow('movement m404 not found');
    expect(await row(key.idempotencyKey)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'could not build the message: movement m404 not found',
      recipients: [],
    });
  });

  it('sendOnceWith: loads the data in the claiming statement, once, with its own parameters', async () => {
    if (skipped()) return;
    const key = { idempotencyKey: 'ack:m3:v2', kind: 'acknowledgement' };
    const load = {
      label: 'spec',
      // $1 and $2 are the load's own parameters, whatever the claim's are.
      sql: `SELECT $1 AS name, $2 AS version, now() AS at WHERE $2 > 0`,
      types: ['text', 'integer'],
      parameters: ['Ségou → Tombouctou', 2],
      notFound: 'movement m3 version 2 not found',
    };
    const rows: { name: string; version: number; at: Date }[] = [];
    const build = (row: { name: string; version: number; at: Date }) => {
      rows.push(row);
      return { ...receipt(), subject: `Accusé ${row.name} v${row.version}` };
    };
    const first = await service.sendOnceWith(key, load, build);
    const second = await service.sendOnceWith(key, load, build);
    expect(first).toMatchObject({ status: 'sent', attempts: 1 });
    expect(second).toMatchObject({ status: 'already_sent' });
    expect(rows).toEqual([{ name: 'Ségou → Tombouctou', version: 2, at: expect.any(Date) }]);
    expect(await row(key.idempotencyKey)).toMatchObject({
      status: 'sent',
      attempts: 1,
      subject: 'Accusé Ségou → Tombouctou v2',
    });

    // No row: the attempt is recorded as failed, the error thrown, nothing built or sent.
    const missing = { idempotencyKey: 'ack:m404:v2', kind: 'acknowledgement' };
    await expect(
      service.sendOnceWith(missing, { ...load, parameters: ['x', 0] }, build),
    ).rejects.toThrow('movement m3 version 2 not found');
    expect(rows).toHaveLength(1);
    expect(await row(missing.idempotencyKey)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'could not build the message: movement m3 version 2 not found',
    });
  });

  it('two concurrent runs of one email: one sends it, the other sends nothing and is retried', async () => {
    if (skipped()) return;
    const key = { idempotencyKey: 'reminder:m2:ocha', kind: 'reminder' };
    const send = jest.spyOn(transport, 'send');
    let outcomes: PromiseSettledResult<Awaited<ReturnType<typeof service.sendOnce>>>[];
    try {
      outcomes = await Promise.allSettled([
        service.sendOnce(key, () => receipt('ocha@un.example.org')),
        service.sendOnce(key, () => receipt('ocha@un.example.org')),
      ]);
      expect(send).toHaveBeenCalledTimes(1);
    } finally {
      send.mockRestore();
    }
    const sent = outcomes.filter((o) => o.status === 'fulfilled' && o.value.status === 'sent');
    expect(sent).toHaveLength(1);
    // The other found the email held by the first (retried later) or already sent.
    const other = outcomes.find((o) => !sent.includes(o));
    if (other?.status === 'rejected') expect(other.reason).toBeInstanceOf(MailBusyError);
    else expect(other?.value.status).toBe('already_sent');
    const final = await row(key.idempotencyKey);
    expect(final).toMatchObject({ status: 'sent', attempts: 1 });
    // Its retry does nothing.
    expect((await service.sendOnce(key, () => receipt('ocha@un.example.org'))).status).toBe(
      'already_sent',
    );
  });

  it("waits for another attempt's hold on an email, and takes over one a killed worker left", async () => {
    if (skipped()) return;
    const held = { idempotencyKey: 'reminder:m3:ocha', kind: 'reminder' };
    const lapsed = { idempotencyKey: 'reminder:m4:ocha', kind: 'reminder' };
    // Claimed by attempts that have not recorded anything: one still within its hold, one past it.
    await dataSource.query(
      `INSERT INTO email_deliveries (idempotency_key, kind, recipients, attempts, sending_until)
       VALUES ($1, 'reminder', '{}', 1, now() + interval '30 seconds'),
              ($2, 'reminder', '{}', 1, now() - interval '1 second')`,
      [held.idempotencyKey, lapsed.idempotencyKey],
    );
    const send = jest.spyOn(transport, 'send');
    try {
      await expect(service.sendOnce(held, () => receipt())).rejects.toBeInstanceOf(MailBusyError);
      expect(send).not.toHaveBeenCalled();
      expect(await row(held.idempotencyKey)).toMatchObject({ status: 'pending', attempts: 1 });

      expect((await service.sendOnce(lapsed, () => receipt())).status).toBe('sent');
      expect(send).toHaveBeenCalledTimes(1);
      expect(await row(lapsed.idempotencyKey)).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      send.mockRestore();
    }
  });

  it('a failed attempt releases its hold: the retry sends at once', async () => {
    if (skipped()) return;
    const key = { idempotencyKey: 'reminder:m5:ocha', kind: 'reminder' };
    const send = jest
      .spyOn(transport, 'send')
      .mockRejectedValueOnce(Object.assign(new Error('421 try later'), { responseCode: 421 }));
    try {
      await expect(service.sendOnce(key, () => receipt())).rejects.toThrow('421 try later');
      expect(await row(key.idempotencyKey)).toMatchObject({ status: 'failed', attempts: 1 });
      expect((await service.sendOnce(key, () => receipt())).status).toBe('sent');
      expect(send).toHaveBeenCalledTimes(2);
    } finally {
      send.mockRestore();
    }
  });

  it('a late failure leaves the hold of the attempt that took the email over', async () => {
    if (skipped()) return;
    const key = { idempotencyKey: 'reminder:m6:ocha', kind: 'reminder' };
    let fail: (error: Error) => void = () => undefined;
    let sending: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (sending = resolve));
    const send = jest.spyOn(transport, 'send').mockImplementationOnce(
      () =>
        new Promise((_, reject) => {
          fail = reject;
          sending();
        }),
    );
    try {
      const first = service.sendOnce(key, () => receipt());
      await started;
      // Meanwhile the first attempt's hold lapses and a second attempt takes the email over.
      await dataSource.query(
        `UPDATE email_deliveries
         SET attempts = attempts + 1, sending_until = now() + interval '30 seconds'
         WHERE idempotency_key = $1`,
        [key.idempotencyKey],
      );
      fail(new Error('connection lost'));
      await expect(first).rejects.toThrow('connection lost');
      // The second attempt still holds it: a third one waits instead of sending at the same time.
      await expect(service.sendOnce(key, () => receipt())).rejects.toBeInstanceOf(MailBusyError);
      expect(send).toHaveBeenCalledTimes(1);
    } finally {
      send.mockRestore();
    }
  });

  it('an email that waited long for a sending place takes its hold again first, or sends nothing if another attempt claimed it', async () => {
    if (skipped()) return;
    const taken = { idempotencyKey: 'reminder:m7:ocha', kind: 'reminder' };
    const kept = { idempotencyKey: 'reminder:m8:ocha', kind: 'reminder' };
    // Every sending place is held by an email whose SMTP transaction does not end yet.
    const blocked: (() => void)[] = [];
    const realSend = transport.send.bind(transport);
    const send = jest.spyOn(transport, 'send').mockImplementation((message, options) => {
      if (!message.to[0].startsWith('blocker')) return realSend(message, options);
      return new Promise((resolve) =>
        blocked.push(() =>
          resolve({ messageId: 'blocker', accepted: message.to, rejected: [], deferred: [] }),
        ),
      );
    });
    const realNow = performance.now.bind(performance);
    const clock = jest.spyOn(performance, 'now');
    try {
      const blockers = Array.from({ length: MAIL_SENDS_IN_FLIGHT }, (_, i) =>
        service.sendOnce({ idempotencyKey: `blocker:${i}`, kind: 'receipt' }, () =>
          receipt(`blocker${i}@ngo.example.org`),
        ),
      );
      await waitFor(() => blocked.length === MAIL_SENDS_IN_FLIGHT, {
        description: 'every sending place taken',
      });
      const waiting = [taken, kept].map((key) => service.sendOnce(key, () => receipt()));
      await waitFor(
        async () =>
          (await row(taken.idempotencyKey))?.attempts === 1 &&
          (await row(kept.idempotencyKey))?.attempts === 1,
        { description: 'both emails claimed, waiting for a place' },
      );
      // Both have waited longer than half their hold; one's hold has lapsed and another attempt
      // (a job run again) has claimed that email meanwhile.
      clock.mockImplementation(() => realNow() + MAIL_HOLD_RECHECK_MS);
      await dataSource.query(
        `UPDATE email_deliveries SET attempts = attempts + 1, sending_until = now() + interval '1 minute'
         WHERE idempotency_key = $1`,
        [taken.idempotencyKey],
      );
      for (const release of blocked.splice(0, 2)) release();
      const [takenOutcome, keptOutcome] = await Promise.allSettled(waiting);
      expect(takenOutcome).toMatchObject({ status: 'rejected', reason: expect.any(MailBusyError) });
      expect(keptOutcome).toMatchObject({ status: 'fulfilled', value: { status: 'sent' } });
      const sentTo = send.mock.calls.map(([message]) => message.to[0]);
      expect(sentTo.filter((to) => !to.startsWith('blocker'))).toEqual([
        'focal.point@ngo.example.org',
      ]);
      // The other attempt's hold is untouched; the kept email is recorded sent, once.
      expect(await row(taken.idempotencyKey)).toMatchObject({ status: 'pending', attempts: 2 });
      expect(await row(kept.idempotencyKey)).toMatchObject({ status: 'sent', attempts: 1 });
      for (const release of blocked.splice(0)) release();
      await Promise.all(blockers);
    } finally {
      clock.mockRestore();
      send.mockRestore();
      for (const release of blocked.splice(0)) release();
    }
  });

  /** The statements the service runs on its pool, by name, while `work` runs. */
  const statementsDuring = async (work: () => Promise<unknown>): Promise<string[]> => {
    const pool = (dataSource.driver as unknown as { master: Pool }).master;
    const spy = jest.spyOn(pool, 'query'); // records the calls, runs them as they are
    try {
      await work();
      return spy.mock.calls.map((args) => (args[0] as { name?: string }).name ?? 'unnamed');
    } finally {
      spy.mockRestore();
    }
  };

  it('claims the emails asked for together in one statement, and marks each one sent', async () => {
    if (skipped()) return;
    const load = {
      label: 'spec-batch',
      sql: `SELECT $1 AS name WHERE $2 > 0`,
      types: ['text', 'integer'],
      notFound: 'not found',
    };
    // More emails than may be between SMTP and their mark at once (MAIL_SENDS_IN_FLIGHT).
    const keys = Array.from({ length: MAIL_SENDS_IN_FLIGHT + 4 }, (_, i) => ({
      idempotencyKey: `batch:m${i}`,
      kind: 'acknowledgement',
    }));
    let outcomes: Awaited<ReturnType<EmailDeliveryService['sendOnceWith']>>[] = [];
    const names = await statementsDuring(async () => {
      outcomes = await Promise.all(
        keys.map((key, i) =>
          service.sendOnceWith<{ name: string }>(
            key,
            { ...load, parameters: [`Convoi ${i}`, 1] },
            (row) => ({ ...receipt(`focal${i}@ngo.example.org`), subject: row.name }),
          ),
        ),
      );
    });
    expect(outcomes.map((o) => o.status)).toEqual(keys.map(() => 'sent'));
    expect(names.filter((name) => name.includes('email-delivery-claim'))).toHaveLength(1);
    // Each email is marked as soon as it is sent (with the marks made meanwhile, see the
    // Coalescer's tests), never all after the last send: the later emails wait for the marks.
    expect(names.filter((name) => name.includes('email-delivery-sent')).length).toBeGreaterThan(1);
    for (const [i, key] of keys.entries()) {
      expect(await row(key.idempotencyKey)).toMatchObject({
        status: 'sent',
        attempts: 1,
        subject: `Convoi ${i}`,
        recipients: [`focal${i}@ngo.example.org`],
        message_id: deliveryMessageId(key.idempotencyKey, FROM),
      });
    }
  });

  it('one email whose data the statement refuses fails alone; the others are sent', async () => {
    if (skipped()) return;
    const load = {
      label: 'spec-uuid',
      sql: `SELECT $1 AS id`,
      types: ['uuid'],
      notFound: 'not found',
    };
    const ids = [
      '00000000-0000-4000-8000-000000000001',
      'not-a-uuid',
      '00000000-0000-4000-8000-000000000003',
    ];
    const results = await Promise.allSettled(
      ids.map((id) =>
        service.sendOnceWith<{ id: string }>(
          { idempotencyKey: `bad-data:${id}`, kind: 'acknowledgement' },
          { ...load, parameters: [id] },
          (data) => ({ ...receipt(), subject: `Mouvement ${data.id}` }),
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/uuid/);
    expect(await row(`bad-data:${ids[0]}`)).toMatchObject({ status: 'sent' });
    expect(await row(`bad-data:${ids[2]}`)).toMatchObject({ status: 'sent' });
  });

  it('an email of a batch told to stop is not sent, and stays to be sent by another job', async () => {
    if (skipped()) return;
    const key = { idempotencyKey: 'stopped:m1', kind: 'receipt' };
    const before = (await readdir(dir)).length;
    const stop = new AbortController();
    stop.abort();
    await expect(
      withMailSendOrder({ signal: stop.signal }, () => service.sendOnce(key, () => receipt())),
    ).rejects.toBeInstanceOf(DeliveryNotStartedError);
    expect((await readdir(dir)).length).toBe(before);
    expect(await row(key.idempotencyKey)).toMatchObject({ status: 'pending', attempts: 1 });
    // The job it is handed to sends it.
    expect(await service.sendOnce(key, () => receipt())).toMatchObject({
      status: 'sent',
      attempts: 2,
    });
  });
});
