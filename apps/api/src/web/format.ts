import { Locale, MessageKey, isWebMessageKey, t, wt } from '@hns/i18n';
import { html } from '@hns/mail';

/**
 * The operation's time zone: every time on the pages is shown in it, and every time typed in a
 * form is read in it. Mali keeps UTC+0 all year; another operation changes this one constant.
 */
export const OPERATION_TIME_ZONE = 'Africa/Bamako';

const INTL_LOCALE: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };

/** Minutes the zone is ahead of UTC at `instant` (0 for Bamako). */
export function zoneOffsetMinutes(instant: Date, timeZone = OPERATION_TIME_ZONE): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/** "UTC+0", "UTC+1", "UTC-3:30". */
export function offsetLabel(instant = new Date()): string {
  const minutes = zoneOffsetMinutes(instant);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${String(abs % 60).padStart(2, '0')}` : ''}`;
}

/** A date and time in the operation's zone, the zone named: "1 déc. 2026, 08:00 UTC+0". */
export function formatDateTime(iso: string | Date | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  const text = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    timeZone: OPERATION_TIME_ZONE,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
  return `${text} ${offsetLabel(date)}`;
}

/** A <time> element: machine-readable instant, text in the operation's zone. */
export function timeTag(iso: string | Date | null | undefined, locale: Locale) {
  if (!iso) return '—';
  const value = new Date(iso).toISOString();
  return html`<time datetime="${value}">${formatDateTime(value, locale)}</time>`;
}

/** The value of an <input type="datetime-local"> for an instant, in the operation's zone. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const shifted = new Date(date.getTime() + zoneOffsetMinutes(date) * 60000);
  return shifted.toISOString().slice(0, 16);
}

/**
 * An <input type="datetime-local"> value ("2026-12-01T08:00"), read in the operation's zone, as
 * an ISO instant; anything else is passed through so the schema names the field.
 */
export function fromLocalInput(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(value.trim());
  if (!match) return value.trim();
  const asUtc = new Date(`${match[1]}T${match[2]}${match[3] ?? ':00'}Z`);
  if (Number.isNaN(asUtc.getTime())) return value.trim();
  return new Date(asUtc.getTime() - zoneOffsetMinutes(asUtc) * 60000).toISOString();
}

/** "2 h 05 min", "3 d 4 h": how long, for deadlines. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(rest).padStart(2, '0')} min`;
  return `${rest} min`;
}

export function statusLabel(status: string, locale: Locale): string {
  const key = `status.${status}` as MessageKey;
  return t(locale, key);
}

/** A status as a badge, coloured by its class (see app.css). */
export function statusBadge(status: string, locale: Locale) {
  return html`<span class="badge s-${status}">${statusLabel(status, locale)}</span>`;
}

/** A text of an enumerated value (`web.type.convoy`), or the value itself when unknown. */
export function enumLabel(prefix: string, value: string, locale: Locale): string {
  const key = `${prefix}.${value}`;
  return isWebMessageKey(key) ? wt(locale, key) : value;
}
