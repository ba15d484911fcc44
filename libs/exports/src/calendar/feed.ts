import {
  DISCLAIMER,
  MovementStatus,
  escapeText,
  foldLine,
  renderMovementIcs,
  routeText,
  typeLabel,
} from '@hns/movements';
import type { ExportedMovement } from '../movement-export.source';

const CRLF = '\r\n';

const NOT_A_PERMISSION =
  'Notification, ni autorisation ni garantie de sécurité / notification, neither a permission nor a security guarantee.';

/** RFC 5545 STATUS of a movement's event: cleared, still under review, or called off. */
const EVENT_STATUS: Record<MovementStatus, 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED'> = {
  submitted: 'TENTATIVE',
  in_review: 'TENTATIVE',
  flagged: 'TENTATIVE',
  escalated: 'TENTATIVE',
  acknowledged: 'CONFIRMED',
  in_progress: 'CONFIRMED',
  completed: 'CONFIRMED',
  cancelled: 'CANCELLED',
  expired: 'CANCELLED',
};

/** One UID per reference: an amendment updates the subscriber's event instead of adding one. */
export function feedEventUid(reference: string): string {
  return `${reference}@hns`;
}

/**
 * The VEVENT of one movement, cut from the calendar file renderMovementIcs writes (so escaping,
 * folding and UTC times are the acknowledgement's), with the status of the movement.
 */
export function movementFeedEvent(m: ExportedMovement, movementUrl: string): string[] {
  const n = m.notification;
  const ics = renderMovementIcs({
    uid: feedEventUid(m.reference),
    sequence: m.version,
    summary: `${m.reference} — ${typeLabel(n.type, 'fr')} / ${typeLabel(n.type, 'en')}: ${routeText(n)} (${m.status})`,
    description: [
      `${m.reference} (version ${m.version}) — ${m.organisation.name}`,
      `Itinéraire / Route: ${routeText(n)}`,
      `Statut / Status: ${m.status}`,
      movementUrl,
      '',
      // The full disclaimer is the calendar's DESCRIPTION, once, not repeated in every event.
      NOT_A_PERMISSION,
    ].join('\n'),
    location: `${m.departure.place} → ${m.arrival.place}`,
    start: m.departure.at,
    end: m.arrival.at,
    url: movementUrl,
    // The feed is stable between changes: DTSTAMP is the movement's last change, not now.
    now: m.updatedAt,
  });
  const lines = ics.split(CRLF);
  const event = lines.slice(lines.indexOf('BEGIN:VEVENT'), lines.indexOf('END:VEVENT') + 1);
  // Folded continuation lines start with a space, so only the real STATUS line matches.
  return event.map((line) =>
    line === 'STATUS:CONFIRMED' ? `STATUS:${EVENT_STATUS[m.status]}` : line,
  );
}

export function calendarHead(name: string): string {
  return (
    [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//CMCoord HNS//Movement calendar feed//EN',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      foldLine(`NAME:${escapeText(name)}`),
      foldLine(`X-WR-CALNAME:${escapeText(name)}`),
      foldLine(`DESCRIPTION:${escapeText(`${DISCLAIMER.fr}\n\n${DISCLAIMER.en}`)}`),
      // RFC 7986: how often subscribers should read the feed again.
      'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
      'X-PUBLISHED-TTL:PT1H',
    ].join(CRLF) + CRLF
  );
}

export const CALENDAR_TAIL = `END:VCALENDAR${CRLF}`;

export function calendarEvents(events: string[][]): string {
  return events.map((lines) => lines.join(CRLF) + CRLF).join('');
}
