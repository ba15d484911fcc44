import type { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { SmtpTestServer } from '../support/smtp-test-server';

/**
 * The end-to-end tests' SMTP server with two things the fault scenarios need, reached through
 * its smtp-server instance: it tolerates clients killed mid-conversation (smtp-server reports
 * their resets as an 'error' event, which SmtpTestServer does not listen to, so the suite itself
 * would crash), and it can be slow to accept a message, as a loaded relay is.
 */
export class FaultableSmtp extends SmtpTestServer {
  private replyDelayMs = 0;

  constructor() {
    super();
    const { server } = this as unknown as { server: SMTPServer };
    server.on('error', () => undefined);
    const receive = server.onData.bind(server);
    server.onData = (
      stream: SMTPServerDataStream,
      session: SMTPServerSession,
      callback: (error?: Error | null) => void,
    ) =>
      receive(stream, session, (error) => {
        if (this.replyDelayMs === 0) callback(error);
        else setTimeout(() => callback(error), this.replyDelayMs);
      });
  }

  /** Answers each message only this long after receiving it (0: at once). */
  slowDown(ms: number): void {
    this.replyDelayMs = ms;
  }
}
