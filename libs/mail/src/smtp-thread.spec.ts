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
      message: {
        to: ['focal@ngo.test'],
        subject: 'test',
        text: 'body',
        html: '<p>body</p>',
        messageId: '<spec@hns.test>',
      },
      from: 'no-reply@hns.test',
      boundaryBase: '0123456789abcdef',
      except: [],
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

  it('builds the message itself: sends nothing to recipients that already have it, and fails a message it cannot build without connecting', async () => {
    const { server, port, sockets } = await stalledServer();
    const thread = new SmtpThread(
      { pool: true, host: '127.0.0.1', port, secure: false, ignoreTLS: true },
      {},
    );
    const message = {
      to: ['Focal@NGO.test'],
      subject: 'Accusé de réception',
      text: 'corps',
      html: '<p>corps</p>',
      messageId: '<spec-2@hns.test>',
    };
    const send = { from: 'no-reply@hns.test', boundaryBase: 'fedcba9876543210', deadlineMs: 200 };
    try {
      await expect(thread.send({ ...send, message, except: ['focal@ngo.test'] })).resolves.toEqual({
        messageId: '<spec-2@hns.test>',
        accepted: [],
        rejected: [],
        deferred: [],
      });
      const unbuildable = { ...message, text: undefined } as unknown as typeof message;
      await expect(thread.send({ ...send, message: unbuildable, except: [] })).rejects.toThrow(
        expect.objectContaining({
          name: 'InvalidMailMessageError',
          message: expect.stringMatching(/^the message could not be built: /),
        }),
      );
      expect(sockets).toHaveLength(0);
    } finally {
      thread.close();
      server.close();
    }
  });
});
