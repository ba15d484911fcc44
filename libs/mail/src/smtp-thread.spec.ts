import { createServer, type Server, type Socket } from 'node:net';
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
});
