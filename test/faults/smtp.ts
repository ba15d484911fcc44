import type { SMTPServer } from 'smtp-server';
import { SmtpTestServer } from '../support/smtp-test-server';

/**
 * The end-to-end tests' SMTP server, tolerating clients killed mid-conversation: smtp-server
 * reports their resets as an 'error' event, which SmtpTestServer does not listen to, so the suite
 * itself would crash. (Slowness, as of a loaded relay, is SmtpTestServer's slowDown.)
 */
export class FaultableSmtp extends SmtpTestServer {
  constructor() {
    super();
    const { server } = this as unknown as { server: SMTPServer };
    server.on('error', () => undefined);
  }
}
