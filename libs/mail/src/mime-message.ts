import type { MailMessage } from './mail-message';

/** An email ready for the SMTP connection: the RFC 5322 bytes and who they go to. */
export interface CompiledMessage {
  /** The whole message, CRLF line endings, every line at most 76 characters but headers' words. */
  raw: Buffer;
  /** MAIL FROM and RCPT TO, from the From, To and Cc headers as nodemailer reads them. */
  envelope: { from: string; to: string[] };
  /** Message-ID, angle brackets included. */
  messageId: string;
}

export interface CompileOptions {
  /** The From header (MAIL_FROM), e.g. "CMCoord HNS <no-reply@hns.example.org>". */
  from: string;
  /** Random part of the multipart boundaries (see boundaryBase), different for every message. */
  boundaryBase: string;
  /** The Date header; now when absent. */
  date?: Date;
}

interface MessageBuilder {
  compileMessage(message: MailMessage, options: CompileOptions): CompiledMessage;
  quotedPrintable(text: string): string;
  base64Lines(content: string | Uint8Array): string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, see compileMessage
const builder = require('./mime-message.cjs') as MessageBuilder;

/**
 * Builds the email in one synchronous pass: the MIME tree nodemailer would build for the same
 * message (multipart/mixed of a multipart/alternative text + HTML and the attachments, or the
 * multipart/alternative alone), with nodemailer's own encoders (its MimeNode for the top-level
 * headers and the envelope, its quoted-printable encoder, base64 for attachments).
 *
 * nodemailer streams a message through a pipeline of streams per MIME part, a header or an
 * encoded line at a time: most of the worker's CPU per email (bench, issue 7). Built here, the
 * message goes to nodemailer's SMTP pool as `raw`, one buffer. The code is CommonJS
 * (mime-message.cjs) because the SMTP thread, which runs its script as it is, builds each
 * message it sends (see MailTransport.send).
 */
export const compileMessage: (message: MailMessage, options: CompileOptions) => CompiledMessage =
  builder.compileMessage;

/** Text as quoted-printable (RFC 2045 §6.7): CRLF line breaks, soft breaks at 76 characters. */
export const quotedPrintable: (text: string) => string = builder.quotedPrintable;

/** Bytes as base64 in lines of 76 characters (RFC 2045 §6.8). */
export const base64Lines: (content: string | Uint8Array) => string = builder.base64Lines;
