/** One movement window as a calendar event (RFC 5545), attached to acknowledgements. */
export interface MovementEvent {
  /** Stable per reference and version: see movementEventUid. */
  uid: string;
  sequence: number;
  summary: string;
  description: string;
  location: string;
  /** ISO 8601 instants; written in UTC. */
  start: string;
  end: string;
  url: string;
  organizerEmail?: string;
  /** DTSTAMP: when the calendar object was created. */
  now?: Date | string;
}

const PRODID = '-//CMCoord HNS//Movement notifications//EN';
const MAX_LINE_OCTETS = 75;
const CRLF = '\r\n';

/** `HNS-ML-2026-000123-v2@hns`: re-sending the same version gives the same event. */
export function movementEventUid(reference: string, version: number): string {
  return `${reference}-v${version}@hns`;
}

/** A VCALENDAR with one VEVENT, CRLF line endings, lines folded at 75 octets. */
export function renderMovementIcs(event: MovementEvent): string {
  const start = utcDateTime(event.start, 'start');
  const end = utcDateTime(event.end, 'end');
  if (end <= start) {
    throw new Error(`end: ${event.end} must be after start ${event.start} (RFC 5545 DTEND)`);
  }
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODID}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${escapeText(event.uid)}`,
    `SEQUENCE:${Math.max(0, Math.trunc(event.sequence))}`,
    `DTSTAMP:${utcDateTime(event.now ?? new Date(), 'now')}`,
    `DTSTART:${start}`,
    `DTEND:${end}`,
    `SUMMARY:${escapeText(event.summary)}`,
    `DESCRIPTION:${escapeText(event.description)}`,
    `LOCATION:${escapeText(event.location)}`,
    // URI values are not TEXT: no backslash escaping, only no control characters.
    `URL:${stripControls(event.url)}`,
    event.organizerEmail && `ORGANIZER:mailto:${stripControls(event.organizerEmail)}`,
    'STATUS:CONFIRMED',
    'END:VEVENT',
    'END:VCALENDAR',
  ].filter((line): line is string => Boolean(line));
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** RFC 5545 §3.3.11 TEXT: backslash, semicolon, comma and line breaks are escaped. */
export function escapeText(value: string): string {
  return stripControls(value.replace(/\r\n|\r|\n/g, '\n'), true)
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
}

/**
 * RFC 5545 §3.1: lines longer than 75 octets (UTF-8) continue on the next line after a space.
 * Splits between code points only, so a multi-byte character is never cut in two.
 */
export function foldLine(line: string): string {
  // Most lines are short: their length in UTF-16 units is at most their length in octets / 3.
  if (line.length * 3 <= MAX_LINE_OCTETS || Buffer.byteLength(line, 'utf8') <= MAX_LINE_OCTETS)
    return line;
  const parts: string[] = [];
  let start = 0;
  let octets = 0;
  for (let i = 0; i < line.length;) {
    const code = line.charCodeAt(i);
    // One code point: its UTF-8 size and its length in UTF-16 units (2 for a surrogate pair).
    const next = line.charCodeAt(i + 1);
    const pair = code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff;
    const units = pair ? 2 : 1;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    // Continuation lines start with a space, which counts towards their 75 octets.
    const limit = parts.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(line.slice(start, i));
      start = i;
      octets = 0;
    }
    octets += size;
    i += units;
  }
  parts.push(line.slice(start));
  return parts.join(`${CRLF} `);
}

function utcDateTime(value: Date | string, field: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${field}: ${String(value)} is not a date`);
  // 2026-12-04T06:00:00.000Z → 20261204T060000Z
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** The characters stripControls removes: C0 controls but HTAB, and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]/g;
/** The same but LF, for escapeText: its line breaks are escaped, not removed. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS_BUT_LF = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * TEXT allows no control character but HTAB (and the line breaks escaped by escapeText, which
 * passes keepLineFeeds). A regular expression over the whole value, not a copy character by
 * character: this runs on every field of every email, and most values, descriptions with their
 * line breaks included, have nothing to remove.
 */
function stripControls(value: string, keepLineFeeds = false): string {
  return value.replace(keepLineFeeds ? CONTROL_CHARACTERS_BUT_LF : CONTROL_CHARACTERS, '');
}
