import MimeNode from 'nodemailer/lib/mime-node';
import { buildHeaderValue, foldLines, parseHeaderValue } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { MailAttachment, MailMessage } from './mail-message';

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

const CRLF = '\r\n';
const LINE_LENGTH = 76;
const TEXT_PART_HEADERS =
  'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n';
const HTML_PART_HEADERS =
  'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n';

/**
 * Builds the email in one synchronous pass, the MIME tree nodemailer would build for the same
 * message (multipart/mixed of a multipart/alternative text + HTML and the attachments, or the
 * multipart/alternative alone), with nodemailer's own encoders: its MimeNode for the top-level
 * headers (addresses, encoded words, folding, Date, MIME-Version) and the envelope, its
 * quoted-printable encoder for the text and HTML, base64 for attachments.
 *
 * nodemailer streams a message through a pipeline of streams per MIME part, a header or an
 * encoded line at a time: most of the worker's CPU per email (bench, issue 7). Built here, the
 * message goes to nodemailer's SMTP pool as `raw`, one buffer.
 */
export function compileMessage(message: MailMessage, options: CompileOptions): CompiledMessage {
  const attachments = message.attachments ?? [];
  const mixed = attachments.length > 0;
  const root = new MimeNode(mixed ? 'multipart/mixed' : 'multipart/alternative', {
    baseBoundary: options.boundaryBase,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  // As nodemailer's MailComposer: custom headers first, the message's own fields replace them.
  for (const [name, value] of Object.entries(message.headers ?? {})) root.addHeader(name, value);
  root.setHeader('From', options.from);
  root.setHeader('To', message.to);
  if (message.cc && message.cc.length > 0) root.setHeader('Cc', message.cc);
  root.setHeader('Subject', message.subject);
  if (message.messageId) root.setHeader('Message-ID', message.messageId);
  root.setHeader('Date', (options.date ?? new Date()).toUTCString().replace(/GMT/, '+0000'));
  if (message.priority === 'high') {
    // As nodemailer's `priority: 'high'`.
    root.setHeader('X-Priority', '1 (Highest)');
    root.setHeader('X-MSMail-Priority', 'High');
    root.setHeader('Importance', 'High');
  }
  const rootHeaders = root.buildHeaders();
  const rootBoundary = root.boundary as string;

  const alternative = mixed ? `--_HNS-${options.boundaryBase}-Alt` : rootBoundary;
  const bodies =
    `--${alternative}${CRLF}${TEXT_PART_HEADERS}${quotedPrintable(message.text)}${CRLF}` +
    `--${alternative}${CRLF}${HTML_PART_HEADERS}${quotedPrintable(message.html)}${CRLF}` +
    `--${alternative}--${CRLF}`;

  let body: string;
  if (!mixed) {
    body = bodies;
  } else {
    body =
      `--${rootBoundary}${CRLF}` +
      `Content-Type: multipart/alternative;${CRLF} boundary="${alternative}"${CRLF}${CRLF}` +
      bodies;
    for (const attachment of attachments) {
      body += `${CRLF}--${rootBoundary}${CRLF}${attachmentPart(attachment)}`;
    }
    body += `${CRLF}--${rootBoundary}--${CRLF}`;
  }

  return {
    raw: Buffer.from(`${rootHeaders}${CRLF}${CRLF}${body}`, 'utf8'),
    envelope: root.getEnvelope() as CompiledMessage['envelope'],
    messageId: root.messageId(),
  };
}

/** Text as quoted-printable (RFC 2045 §6.7): CRLF line breaks, soft breaks at 76 characters. */
export function quotedPrintable(text: string): string {
  return qpWrap(qpEncode(text.replace(/\r?\n|\r/g, CRLF)), LINE_LENGTH);
}

/** Bytes as base64 in lines of 76 characters (RFC 2045 §6.8). */
export function base64Lines(content: string | Buffer): string {
  const encoded = (typeof content === 'string' ? Buffer.from(content, 'utf8') : content).toString(
    'base64',
  );
  if (encoded.length <= LINE_LENGTH) return encoded;
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += LINE_LENGTH) {
    lines.push(encoded.slice(i, i + LINE_LENGTH));
  }
  return lines.join(CRLF);
}

/** One attachment's part: headers (the filename as nodemailer writes it) and base64 content. */
function attachmentPart({ filename, content, contentType }: MailAttachment): string {
  const type = parseHeaderValue(contentType);
  type.params.name = filename;
  return (
    `${foldLines(`Content-Type: ${buildHeaderValue(type)}`, LINE_LENGTH)}${CRLF}` +
    `Content-Transfer-Encoding: base64${CRLF}` +
    `${foldLines(
      `Content-Disposition: ${buildHeaderValue({ value: 'attachment', params: { filename } })}`,
      LINE_LENGTH,
    )}${CRLF}${CRLF}` +
    `${base64Lines(content)}${CRLF}`
  );
}
