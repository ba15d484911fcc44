import type { Locale } from '@hns/i18n';
import type { NotificationData } from '../notification.schema';

const INSTANT_OPTIONS: Intl.DateTimeFormatOptions = {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  hourCycle: 'h23',
};
// Built once: a formatter costs ~30 times more to create than to use (bench, issue 7).
const INSTANT_FORMATS: Record<Locale, Intl.DateTimeFormat> = {
  fr: new Intl.DateTimeFormat('fr-FR', INSTANT_OPTIONS),
  en: new Intl.DateTimeFormat('en-GB', INSTANT_OPTIONS),
};

/** Dates in emails: Mali keeps UTC all year, so UTC is also local time for the cell. */
export function formatInstant(iso: string, locale: Locale): string {
  return `${INSTANT_FORMATS[locale].format(new Date(iso))} UTC`;
}

export function routeText(n: NotificationData): string {
  return [n.departure.place, ...n.waypoints.map((w) => w.place), n.arrival.place].join(' → ');
}

const TYPE_LABELS: Record<NotificationData['type'], { fr: string; en: string }> = {
  convoy: { fr: 'convoi', en: 'convoy' },
  mission: { fr: 'mission', en: 'mission' },
  evacuation: { fr: 'évacuation', en: 'evacuation' },
  delivery: { fr: 'livraison', en: 'delivery' },
};

export function typeLabel(type: NotificationData['type'], locale: Locale): string {
  return TYPE_LABELS[type][locale];
}
