import {
  escapeText,
  foldLine,
  movementEventUid,
  renderMovementIcs,
  type MovementEvent,
} from './ics';

const event: MovementEvent = {
  uid: movementEventUid('HNS-ML-2026-000123', 2),
  sequence: 2,
  summary: 'HNS-ML-2026-000123 v2 — convoi / convoy: Mopti → Gao',
  description: 'Itinéraire / Route: Mopti → Douentza → Gao',
  location: 'Mopti → Gao',
  start: '2026-12-04T06:00:00Z',
  end: '2026-12-05T10:30:00+00:00',
  url: 'https://hns.example.org/movements/42?tab=versions,history',
  organizerEmail: 'cmcoord-mali@un.org',
  now: '2026-12-01T08:15:30.250Z',
};

/** RFC 5545 §3.1 unfolding: a CRLF followed by one space or tab is removed. */
const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, '');
const property = (ics: string, name: string) =>
  unfold(ics)
    .split('\r\n')
    .filter((line) => line.startsWith(`${name}:`))
    .map((line) => line.slice(name.length + 1));
const unescapeText = (value: string) =>
  value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));

describe('movement calendar file (RFC 5545)', () => {
  const ics = renderMovementIcs(event);

  it('is one VCALENDAR published with exactly one VEVENT', () => {
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:')).toBe(true);
    expect(ics.endsWith('END:VEVENT\r\nEND:VCALENDAR\r\n')).toBe(true);
    expect(property(ics, 'METHOD')).toEqual(['PUBLISH']);
    expect(property(ics, 'CALSCALE')).toEqual(['GREGORIAN']);
    expect(ics.match(/^BEGIN:VEVENT$/gm)).toHaveLength(1);
    expect(ics.match(/^END:VEVENT$/gm)).toHaveLength(1);
  });

  it('ends every line with CRLF, never a bare LF or CR', () => {
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('has a UID per reference and version, so a re-sent acknowledgement is the same event', () => {
    expect(property(ics, 'UID')).toEqual(['HNS-ML-2026-000123-v2@hns']);
    expect(renderMovementIcs({ ...event, now: new Date() })).toContain(
      'UID:HNS-ML-2026-000123-v2@hns\r\n',
    );
    expect(property(ics, 'SEQUENCE')).toEqual(['2']);
  });

  it('writes the departure and arrival as UTC date-times, whatever offset they were given in', () => {
    expect(property(ics, 'DTSTART')).toEqual(['20261204T060000Z']);
    expect(property(ics, 'DTEND')).toEqual(['20261205T103000Z']);
    expect(property(ics, 'DTSTAMP')).toEqual(['20261201T081530Z']);
    const offset = renderMovementIcs({ ...event, start: '2026-12-04T08:00:00+02:00' });
    expect(property(offset, 'DTSTART')).toEqual(['20261204T060000Z']);
  });

  it('names the organizer and links to the movement without TEXT escaping the URL', () => {
    expect(property(ics, 'ORGANIZER')).toEqual(['mailto:cmcoord-mali@un.org']);
    expect(property(ics, 'URL')).toEqual([event.url]);
    expect(renderMovementIcs({ ...event, organizerEmail: undefined })).not.toContain('ORGANIZER');
  });

  it('escapes backslash, semicolon, comma and line breaks in text', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf\rg')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng');
    const tricky = renderMovementIcs({
      ...event,
      summary: 'Convoi; eau, vivres\\NFI',
      description: 'Ligne 1\nLigne 2',
    });
    expect(property(tricky, 'SUMMARY')).toEqual(['Convoi\\; eau\\, vivres\\\\NFI']);
    expect(property(tricky, 'DESCRIPTION')).toEqual(['Ligne 1\\nLigne 2']);
  });

  it('cannot be made to start a new property through a line break in user text', () => {
    const injected = renderMovementIcs({
      ...event,
      summary: 'Gao\r\nEND:VEVENT\r\nBEGIN:VEVENT',
      location: 'Gao\u0000\u001b',
    });
    expect(injected.match(/^BEGIN:VEVENT$/gm)).toHaveLength(1);
    expect(property(injected, 'LOCATION')).toEqual(['Gao']);
  });

  it('removes control characters from text with line breaks and from URIs, keeping tabs', () => {
    const ics = renderMovementIcs({
      ...event,
      description: 'Ligne\u0007 1\r\nLigne\t2\u001b\u007f\nFin\u0000',
      url: 'https://hns.example.org/m/1\u0000\r\nX-INJECTED:1',
    });
    expect(property(ics, 'DESCRIPTION')).toEqual(['Ligne 1\\nLigne\t2\\nFin']);
    expect(property(ics, 'URL')).toEqual(['https://hns.example.org/m/1X-INJECTED:1']);
    expect(ics).not.toMatch(/^X-INJECTED/m);
  });

  it('folds a long accented French line at 75 octets without cutting a character', () => {
    const description =
      'Convoi humanitaire de l’ONG vers Tombouctou : départ prévu à l’aube, étape à Léré, ' +
      'arrivée avant la tombée de la nuit ; véhicules marqués « ACF » sur le toit, ' +
      'équipe de sécurité prévenue, itinéraire à confirmer auprès de la cellule CMCoord — été 🌍.';
    const folded = renderMovementIcs({ ...event, description });
    // Split the bytes as a mail client would, then decode each physical line on its own.
    const bytes = Buffer.from(folded, 'utf8');
    const physical: Buffer[] = [];
    for (let from = 0, at; (at = bytes.indexOf('\r\n', from)) !== -1; from = at + 2) {
      physical.push(bytes.subarray(from, at));
    }
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (const line of physical) {
      expect(line.length).toBeLessThanOrEqual(75);
      expect(() => strict.decode(line)).not.toThrow();
    }
    // The description property spans several physical lines: its own and its continuations.
    const descriptionBlock = folded.split('\r\nDESCRIPTION:')[1].split(/\r\n(?! )/)[0];
    expect(descriptionBlock.split('\r\n').length).toBeGreaterThanOrEqual(4);
    expect(property(folded, 'DESCRIPTION').map(unescapeText)).toEqual([description]);
  });

  it('fills folded lines up to the limit: 75 octets first, then a space and 74', () => {
    const lines = foldLine('X'.repeat(200)).split('\r\n');
    expect(lines.map((l) => l.length)).toEqual([75, 75, 52]);
    expect(foldLine('é'.repeat(40)).split('\r\n')[0]).toBe('é'.repeat(37));
  });

  it('folds any text between code points, at most 75 octets a line, unfolding to the same', () => {
    const alphabet = ['a', ' ', 'é', '→', '€', '𝄞', '🚚', '\\,', 'Ǆ', '\ud800'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 300; n++) {
      const length = Math.floor(random() * 200);
      const line = Array.from(
        { length },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
      const folded = foldLine(line);
      const physical = folded.split('\r\n');
      for (const [i, part] of physical.entries()) {
        expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
        if (i > 0) expect(part.startsWith(' ')).toBe(true);
      }
      expect(physical.map((part, i) => (i === 0 ? part : part.slice(1))).join('')).toBe(line);
      expect(folded).not.toMatch(/[\ud800-\udbff]\r\n [\udc00-\udfff]/);
    }
  });

  it('refuses an arrival that is not after the departure', () => {
    expect(() => renderMovementIcs({ ...event, end: event.start })).toThrow(/end: .* after start/);
    expect(() => renderMovementIcs({ ...event, start: 'tomorrow' })).toThrow(/start: /);
  });
});
