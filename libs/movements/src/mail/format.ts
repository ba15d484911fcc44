import type { Locale } from '@hns/i18n';
import type { NotificationData } from '../notification.schema';

/** Dates in emails: Mali keeps UTC all year, so UTC is also local time for the cell. */
export function formatInstant(iso: string, locale: Locale): string {
  const formatted = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
    hourCycle: 'h23',
  }).format(new Date(iso));
  return `${formatted} UTC`;
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
