import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { MailSinkServer } from './mail-sink.server';
import { MailSinkStore } from './mail-sink.store';
import { SmtpThread } from './smtp-thread';

/** A TCP server that greets like SMTP (220), then answers nothing: sends hang on it. */
async function stalledServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.write('220 stalled.test ESMTP\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

describe('SmtpThread (nodemailer in a worker thread)', () => {
  it('fails the sends in flight when the thread ends, and starts a new thread for the next', async () => {
    const { server, port, sockets } = await stalledServer();
    const thread = new SmtpThread(
      { pool: true, host: '127.0.0.1', port, secure: false, ignoreTLS: true },
      {},
    );
    const message = {
      envelope: { from: 'no-reply@hns.test', to: ['focal@ngo.test'] },
      raw: Buffer.from('Subject: test\r\n\r\nbody\r\n'),
      messageId: '<spec@hns.test>',
      deadlineMs: 60_000,
    };
    try {
      const first = thread.send(message);
      // The send is under way once the server holds a connection from the thread.
      while (sockets.length === 0) await new Promise((resolve) => setImmediate(resolve));
      thread.close();
      await expect(first).rejects.toThrow(/SMTP thread stopped|closed|Connection/i);
      // A new thread takes the next send (it hangs on this server: the deadline ends it).
      const second = thread.send({ ...message, deadlineMs: 200 });
      await expect(second).rejects.toThrow();
      expect(sockets.length).toBeGreaterThanOrEqual(2);
    } finally {
      thread.close();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('moves bytes with memory of their own to the thread, copies the others, and sends both intact', async () => {
    Logger.overrideLogger(false);
    const dir = await mkdtemp(join(tmpdir(), 'hns-smtp-thread-'));
    const sink = new MailSinkServer({ mailSinkDir: dir, MAIL_SINK_PORT: 0 });
    const port = await sink.start(0);
    const thread = new SmtpThread(
      { pool: true, host: '127.0.0.1', port, secure: false, ignoreTLS: true },
      {},
    );
    const text = (n: number) =>
      `From: no-reply@hns.test\r\nTo: focal@ngo.test\r\nSubject: test ${n}\r\n` +
      `Message-ID: <spec-${n}@hns.test>\r\n\r\n${'Départ: Mopti → Gao\r\n'.repeat(n * 50)}`;
    const send = (raw: Buffer, n: number) =>
      thread.send({
        envelope: { from: 'no-reply@hns.test', to: ['focal@ngo.test'] },
        raw,
        messageId: `<spec-${n}@hns.test>`,
        deadlineMs: 10_000,
      });
    try {
      const own = Buffer.allocUnsafeSlow(Buffer.byteLength(text(1)));
      own.write(text(1), 'utf8');
      // A slice of Node's shared pool (a small Buffer.from) cannot move: it is copied.
      const pooled = Buffer.from(text(2).slice(0, 200));
      expect(pooled.byteLength).toBeLessThan(pooled.buffer.byteLength);
      await send(own, 1);
      await send(pooled, 2);
      expect(own.byteLength).toBe(0);
      expect(pooled.toString('utf8')).toBe(text(2).slice(0, 200));
      const store = new MailSinkStore({ mailSinkDir: dir });
      const stored = await store.list();
      const raws = await Promise.all(stored.map(({ id }) => store.readRaw(id)));
      // The sink keeps the message without the line break that ends the DATA.
      const trim = (message = '') => message.replace(/\r\n$/, '');
      const received = raws.map((raw) => trim(raw?.toString('utf8')));
      expect(received.sort()).toEqual([trim(text(1)), trim(text(2).slice(0, 200))].sort());
    } finally {
      thread.close();
      await sink.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
