export interface MailAttachment {
  filename: string;
  content: string | Buffer;
  contentType: string;
}

/** One email as the templates build it: always a plain-text and an HTML part. */
export interface MailMessage {
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
  headers?: Record<string, string>;
  priority?: 'high' | 'normal';
  /**
   * Message-ID, angle brackets included. EmailDeliveryService always sets its own, derived
   * from the idempotency key; set this only when calling MailTransport directly.
   */
  messageId?: string;
}

export interface MailSendResult {
  messageId: string;
  /** Envelope recipients the SMTP server accepted. */
  accepted: string[];
  /** Envelope recipients it refused, for good or for now. */
  rejected: string[];
  /** Those of `rejected` refused for now (4xx): worth sending to again later. */
  deferred: string[];
}
