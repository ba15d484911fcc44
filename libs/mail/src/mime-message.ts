import MimeNode from 'nodemailer/lib/mime-node';
import { buildHeaderValue, foldLines, parseHeaderValue } from 'nodemailer/lib/mime-funcs';
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
/** What the buffers a message is built in keep between messages. */
const KEPT_BYTES = 64 * 1024;
const LINE_LENGTH = 76;
const TEXT_PART_HEADERS =
  'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n';
const HTML_PART_HEADERS =
  'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n';

/**
 * Builds the email in one synchronous pass, the MIME tree nodemailer would build for the same
 * message (multipart/mixed of a multipart/alternative text + HTML and the attachments, or the
 * multipart/alternative alone): nodemailer's MimeNode writes the top-level headers (addresses,
 * encoded words, folding, Date, MIME-Version) and the envelope; the text and HTML are
 * quoted-printable and the attachments base64, encoded here straight into the message's bytes.
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

  const out = writer.reset();
  out.text(rootHeaders);
  out.text(CRLF + CRLF);
  const alternative = mixed ? `--_HNS-${options.boundaryBase}-Alt` : rootBoundary;
  if (mixed) {
    out.text(`--${rootBoundary}${CRLF}`);
    out.text(`Content-Type: multipart/alternative;${CRLF} boundary="${alternative}"${CRLF}${CRLF}`);
  }
  out.text(`--${alternative}${CRLF}${TEXT_PART_HEADERS}`);
  writeQuotedPrintable(out, message.text);
  out.text(`${CRLF}--${alternative}${CRLF}${HTML_PART_HEADERS}`);
  writeQuotedPrintable(out, message.html);
  out.text(`${CRLF}--${alternative}--${CRLF}`);
  if (mixed) {
    for (const attachment of attachments) {
      out.text(`${CRLF}--${rootBoundary}${CRLF}${attachmentHeaders(attachment)}`);
      writeBase64Lines(out, attachment.content);
      out.text(CRLF);
    }
    out.text(`${CRLF}--${rootBoundary}--${CRLF}`);
  }

  return {
    raw: out.take(),
    envelope: root.getEnvelope() as CompiledMessage['envelope'],
    messageId: root.messageId(),
  };
}

/** Text as quoted-printable (RFC 2045 §6.7): CRLF line breaks, soft breaks at 76 characters. */
export function quotedPrintable(text: string): string {
  const out = new ByteWriter(text.length * 4);
  writeQuotedPrintable(out, text);
  return out.take().toString('latin1');
}

/** Bytes as base64 in lines of 76 characters (RFC 2045 §6.8). */
export function base64Lines(content: string | Buffer): string {
  const out = new ByteWriter(content.length * 3);
  writeBase64Lines(out, content);
  return out.take().toString('latin1');
}

/** One attachment's headers (the filename as nodemailer writes it), blank line included. */
function attachmentHeaders({ filename, contentType }: MailAttachment): string {
  const type = parseHeaderValue(contentType);
  type.params.name = filename;
  return (
    `${foldLines(`Content-Type: ${buildHeaderValue(type)}`, LINE_LENGTH)}${CRLF}` +
    `Content-Transfer-Encoding: base64${CRLF}` +
    `${foldLines(
      `Content-Disposition: ${buildHeaderValue({ value: 'attachment', params: { filename } })}`,
      LINE_LENGTH,
    )}${CRLF}${CRLF}`
  );
}

/**
 * A growing byte buffer that an email is written into, then copied out of at its exact size.
 * The encoders below write bytes, not strings: an email used to be built as strings (the text
 * and HTML copied for their line breaks, encoded, cut into lines, joined, then converted to
 * bytes), about a third of everything the worker allocated per email (bench, issue 7).
 */
class ByteWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafeSlow(Math.max(capacity, 1024));
  }

  /** Empties it for the next message, keeping its memory unless a large message grew it. */
  reset(): this {
    this.length = 0;
    if (this.buffer.length > KEPT_BYTES) this.buffer = Buffer.allocUnsafeSlow(KEPT_BYTES);
    return this;
  }

  /** Makes room for `bytes` more, and returns the buffer to write them into at `position`. */
  room(bytes: number): Buffer {
    if (this.length + bytes > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + bytes));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    return this.buffer;
  }

  get position(): number {
    return this.length;
  }

  set position(position: number) {
    this.length = position;
  }

  /** Text as UTF-8 (headers, boundaries: 7-bit already). */
  text(text: string): void {
    this.room(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /**
   * A copy of what was written, in memory of its own (a buffer the SMTP thread can be handed
   * without copying, see SmtpThread).
   */
  take(): Buffer {
    const copy = Buffer.allocUnsafeSlow(this.length);
    this.buffer.copy(copy, 0, 0, this.length);
    return copy;
  }
}

/** The message being built; compileMessage runs synchronously, so one is enough. */
const writer = new ByteWriter(KEPT_BYTES);
/** The UTF-8 bytes of the part being encoded (see utf8). */
let source = Buffer.allocUnsafeSlow(KEPT_BYTES);

const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;

/** The UTF-8 bytes of `text`, in `source` (grown when needed): their count. */
function utf8(text: string): number {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8.
  const needed = text.length * 3;
  if (needed > source.length || (source.length > KEPT_BYTES && needed <= KEPT_BYTES))
    source = Buffer.allocUnsafeSlow(Math.max(needed, KEPT_BYTES));
  return source.write(text, 0, 'utf8');
}

/** How many bytes the UTF-8 sequence starting with `byte` has (1 for a stray byte). */
function sequenceLength(byte: number): number {
  if (byte >= 0xf0 && byte < 0xf8) return 4;
  if (byte >= 0xe0) return byte < 0xf0 ? 3 : 1;
  if (byte >= 0xc0) return 2;
  return 1;
}

/**
 * Text as quoted-printable (RFC 2045 §6.7) in one pass over its UTF-8 bytes: every line break
 * (CRLF, LF or CR) becomes CRLF; printable ASCII but "=" stays as it is, as do spaces and tabs
 * unless they end a line; every other byte is =XX. Lines, the soft break's "=" included, are at
 * most 76 characters, and a soft break never cuts a character's UTF-8 sequence.
 */
function writeQuotedPrintable(out: ByteWriter, text: string): void {
  const end = utf8(text);
  const bytes = source;
  // 3 characters per byte at most, and a soft break (3 more) every 64 characters at least.
  const buffer = out.room(end * 3 + Math.ceil(end / 16) * 3 + 8);
  let at = out.position;
  let line = 0;
  for (let i = 0; i < end;) {
    const byte = bytes[i];
    if (byte === CR || byte === LF) {
      buffer[at++] = CR;
      buffer[at++] = LF;
      line = 0;
      i += byte === CR && bytes[i + 1] === LF ? 2 : 1;
      continue;
    }
    const count = byte < 0x80 ? 1 : Math.min(sequenceLength(byte), end - i);
    const next = i + count < end ? bytes[i + count] : -1;
    const endsLine = next === -1 || next === CR || next === LF;
    const literal =
      count === 1 &&
      ((byte > SPACE && byte < 0x7f && byte !== EQUALS) ||
        ((byte === SPACE || byte === TAB) && !endsLine));
    const width = literal ? 1 : count * 3;
    // The last characters of a line may take the 76th column; others leave it for a soft break.
    if (line + width > (endsLine ? LINE_LENGTH : LINE_LENGTH - 1)) {
      buffer[at++] = EQUALS;
      buffer[at++] = CR;
      buffer[at++] = LF;
      line = 0;
    }
    if (literal) {
      buffer[at++] = byte;
    } else {
      for (let k = i; k < i + count; k++) {
        buffer[at++] = EQUALS;
        buffer[at++] = HEX[bytes[k] >> 4];
        buffer[at++] = HEX[bytes[k] & 0x0f];
      }
    }
    line += width;
    i += count;
  }
  out.position = at;
}

/** Bytes (a string as UTF-8) as base64 in lines of 76 characters (RFC 2045 §6.8). */
function writeBase64Lines(out: ByteWriter, content: string | Buffer): void {
  const bytes = typeof content === 'string' ? source.subarray(0, utf8(content)) : content;
  const encoded = bytes.toString('base64');
  const lines = Math.max(1, Math.ceil(encoded.length / LINE_LENGTH));
  const start = out.position;
  const buffer = out.room(encoded.length + 2 * (lines - 1));
  // Written once after the room its line breaks take, then moved line by line into place: each
  // line moves towards the start, never over a line still to move.
  const from = start + 2 * (lines - 1);
  buffer.write(encoded, from, 'latin1');
  for (let line = 0; line < lines; line++) {
    const at = start + line * (LINE_LENGTH + 2);
    const begin = from + line * LINE_LENGTH;
    buffer.copyWithin(at, begin, Math.min(begin + LINE_LENGTH, from + encoded.length));
    if (line < lines - 1) {
      buffer[at + LINE_LENGTH] = CR;
      buffer[at + LINE_LENGTH + 1] = LF;
    }
  }
  out.position = start + encoded.length + 2 * (lines - 1);
}
