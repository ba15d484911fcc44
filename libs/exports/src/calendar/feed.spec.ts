import type { ExportedMovement } from '../movement-export.source';
import { CALENDAR_TAIL, calendarEvents, calendarHead, movementFeedEvent } from './feed';

const movement = (status: ExportedMovement['status']): ExportedMovement =>
  ({
    id: 'c0ffee00-0000-4000-8000-000000000001',
    reference: 'HNS-ML-2026-000123',
    version: 2,
    status,
    type: 'convoy',
    priority: 'routine',
    organisation: { id: 'o', acronym: 'ACF', name: 'Action Contre la Faim' },
    departure: { place: 'Mopti', at: '2026-12-04T06:00:00.000Z' },
    arrival: { place: 'Gao', at: '2026-12-05T10:30:00.000Z' },
    regions: { departure: 'ML-5', arrival: 'ML-7' },
    regionNames: { departure: 'Mopti', arrival: 'Gao' },
    updatedAt: '2026-12-01T08:00:00.000Z',
    notification: {
      type: 'convoy',
      departure: { place: 'Mopti', lat: 14.4843, lon: -4.1827, at: '2026-12-04T06:00:00.000Z' },
      arrival: { place: 'Gao', lat: 16.2666, lon: -0.04, at: '2026-12-05T10:30:00.000Z' },
      waypoints: [{ place: 'Douentza', lat: 15.0019, lon: -2.9497 }],
    },
  }) as unknown as ExportedMovement;

describe('calendar feed events', () => {
  it('is one VEVENT per movement, UID per reference, SEQUENCE per version, status by lifecycle', () => {
    const event = movementFeedEvent(movement('acknowledged'), 'https://hns.example/movements/1');
    expect(event[0]).toBe('BEGIN:VEVENT');
    expect(event.at(-1)).toBe('END:VEVENT');
    expect(event).toContain('UID:HNS-ML-2026-000123@hns');
    expect(event).toContain('SEQUENCE:2');
    expect(event).toContain('DTSTART:20261204T060000Z');
    expect(event).toContain('DTSTAMP:20261201T080000Z');
    expect(event).toContain('STATUS:CONFIRMED');
    expect(movementFeedEvent(movement('in_review'), 'u')).toContain('STATUS:TENTATIVE');
    expect(movementFeedEvent(movement('cancelled'), 'u')).toContain('STATUS:CANCELLED');
  });

  it('wraps the events in one VCALENDAR with the disclaimer once, lines folded and CRLF', () => {
    const feed =
      calendarHead('CMCoord HNS') +
      calendarEvents([movementFeedEvent(movement('flagged'), 'u')]) +
      CALENDAR_TAIL;
    expect(feed.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(feed.endsWith('END:VEVENT\r\nEND:VCALENDAR\r\n')).toBe(true);
    expect(feed.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of feed.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(feed.replace(/\r\n[ \t]/g, '')).toMatch(/^DESCRIPTION:Cette notification/m);
  });
});
