'use strict';
/* global require, module, Buffer */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, run as it is (see below) */
/*
 * Builds an email in one synchronous pass (the types and documentation are in mime-message.ts,
 * which re-exports these functions). Plain CommonJS, like smtp-thread.worker.cjs, because the
 * SMTP thread builds each message itself (issue 7: the building was a fifth of the worker's
 * job thread per email), and a thread runs its script as it is, under Jest as from dist/ (the
 * build copies this file there).
 */
const MimeNode = require('nodemailer/lib/mime-node');
const { buildHeaderValue, foldLines, parseHeaderValue } = require('nodemailer/lib/mime-funcs');
const { encode: qpEncode, wrap: qpWrap } = require('nodemailer/lib/qp');

const CRLF = '\r\n';
const LINE_LENGTH = 76;
const TEXT_PART_HEADERS =
  'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n';
const HTML_PART_HEADERS =
  'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n';

/** See compileMessage in mime-message.ts. */
function compileMessage(message, options) {
  const attachments = message.attachments || [];
  const mixed = attachments.length > 0;
  const root = new MimeNode(mixed ? 'multipart/mixed' : 'multipart/alternative', {
    baseBoundary: options.boundaryBase,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  // As nodemailer's MailComposer: custom headers first, the message's own fields replace them.
  for (const [name, value] of Object.entries(message.headers || {})) root.addHeader(name, value);
  root.setHeader('From', options.from);
  root.setHeader('To', message.to);
  if (message.cc && message.cc.length > 0) root.setHeader('Cc', message.cc);
  root.setHeader('Subject', message.subject);
  if (message.messageId) root.setHeader('Message-ID', message.messageId);
  root.setHeader('Date', (options.date || new Date()).toUTCString().replace(/GMT/, '+0000'));
  if (message.priority === 'high') {
    // As nodemailer's `priority: 'high'`.
    root.setHeader('X-Priority', '1 (Highest)');
    root.setHeader('X-MSMail-Priority', 'High');
    root.setHeader('Importance', 'High');
  }
  const rootHeaders = root.buildHeaders();
  const rootBoundary = root.boundary;

  const alternative = mixed ? `--_HNS-${options.boundaryBase}-Alt` : rootBoundary;
  const bodies =
    `--${alternative}${CRLF}${TEXT_PART_HEADERS}${quotedPrintable(message.text)}${CRLF}` +
    `--${alternative}${CRLF}${HTML_PART_HEADERS}${quotedPrintable(message.html)}${CRLF}` +
    `--${alternative}--${CRLF}`;

  let body;
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
    envelope: root.getEnvelope(),
    messageId: root.messageId(),
  };
}

/** Text as quoted-printable (RFC 2045 §6.7): CRLF line breaks, soft breaks at 76 characters. */
function quotedPrintable(text) {
  return qpWrap(qpEncode(text.replace(/\r?\n|\r/g, CRLF)), LINE_LENGTH);
}

/**
 * Bytes as base64 in lines of 76 characters (RFC 2045 §6.8). Bytes that crossed a thread
 * boundary arrive as a plain Uint8Array, whose toString is not base64: they are read as a Buffer.
 */
function base64Lines(content) {
  const bytes =
    typeof content === 'string'
      ? Buffer.from(content, 'utf8')
      : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const encoded = bytes.toString('base64');
  if (encoded.length <= LINE_LENGTH) return encoded;
  const lines = [];
  for (let i = 0; i < encoded.length; i += LINE_LENGTH) {
    lines.push(encoded.slice(i, i + LINE_LENGTH));
  }
  return lines.join(CRLF);
}

/** One attachment's part: headers (the filename as nodemailer writes it) and base64 content. */
function attachmentPart({ filename, content, contentType }) {
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

module.exports = { compileMessage, quotedPrintable, base64Lines };
