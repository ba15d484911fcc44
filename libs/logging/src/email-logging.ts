import { currentLogContext } from './context';
import { getLogger } from './logger';
import { hashAddress, referenceIn } from './redaction';

interface SentMessage {
  to: string[];
  cc?: string[];
  subject: string;
}

interface SendResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/**
 * One line per email handed to the SMTP server: its kind (the mail job's name), the movement
 * reference (from the subject), the Message-ID, and the recipients as hashes (hashAddress),
 * never in clear; the request id and movement id come from the job's log context.
 */
export function logEmailSent(message: SentMessage, result: SendResult): void {
  const logger = getLogger();
  if (!logger.isLevelEnabled('info')) return;
  const recipients = [...message.to, ...(message.cc ?? [])];
  const kind = currentLogContext()?.jobName;
  const reference = referenceIn(message.subject);
  logger.info(
    {
      event: 'email.sent',
      kind,
      reference,
      messageId: result.messageId,
      recipients: recipients.map(hashAddress),
      accepted: result.accepted.length,
      rejected: result.rejected.length,
    },
    `email sent: ${kind ?? 'email'}${reference ? ` ${reference}` : ''}`,
  );
}
