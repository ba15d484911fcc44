import { bilingualDocument, bilingualText, rowsTable } from './layout';
import type { Seat } from '@hns/config';
import type { Locale } from '@hns/i18n';
import { MailMessage, SafeHtml, html } from '@hns/mail';
import { formatInstant, routeText, typeLabel } from './format';
import type { ReceiptContext } from './receipt.mail';

/** What every email about a movement names: reference, version, organisation, notification. */
export type MovementSummary = Pick<
  ReceiptContext,
  'reference' | 'version' | 'organisationName' | 'notification'
>;

export interface SeatReminderContext extends MovementSummary {
  /** The seat that has not decided on this version yet. */
  seat: Seat;
  reviewUrl: string;
  /** ISO instant the reminder is sent: the time left before departure is counted from it. */
  sentAt: string;
}

/**
 * The reminder sent to the cell members of one seat that has not yet decided on the current
 * version, some time before departure (DESIGN §4). Cell-internal.
 */
export function renderSeatReminder(context: SeatReminderContext, to: string[]): MailMessage {
  const { reference, version, notification: n } = context;
  const seat = SEAT_LABELS[context.seat];
  const left = durationText(context.sentAt, n.departure.at);
  const subject =
    `[${reference}] Rappel : examen en attente (${seat.fr}) / ` +
    `Reminder: review pending (${seat.en})`;

  return renderNotice(subject, to, (l, lang) => ({
    banner: cellOnlyBanner(l),
    intro: [
      l(
        `Le siège ${seat.fr} n'a pas encore examiné la notification ${reference} (version ${version}) de ${context.organisationName}. ` +
          `Le départ est prévu dans ${left} : approuvez, signalez ou escaladez-la avant le départ.`,
        `The ${seat.en} seat has not yet reviewed notification ${reference} (version ${version}) from ${context.organisationName}. ` +
          `Departure is in ${left}: approve, flag or escalate it before departure.`,
      ),
    ],
    rows: [
      ...movementRows(l, lang, context),
      [l('Départ dans', 'Departure in'), left],
      [l('Siège', 'Seat'), seat[lang]],
    ],
    links: [[l('Examiner la notification', 'Review the notification'), context.reviewUrl]],
  }));
}

/** The seats of the cell in words (DESIGN §2). */
export const SEAT_LABELS: Record<Seat, { fr: string; en: string }> = {
  armed_forces_liaison: { fr: 'Liaison forces armées', en: 'Armed forces liaison' },
  undss: { fr: 'UNDSS', en: 'UNDSS' },
  wfp_logistics: { fr: 'PAM / Logistique', en: 'WFP / Logistics' },
  ocha: { fr: 'OCHA', en: 'OCHA' },
};

/** The time from one ISO instant to a later one, e.g. `23 h 5 min`; never negative. */
export function durationText(fromIso: string, toIso: string): string {
  const minutes = Math.max(0, Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

// ---------------------------------------------------------------------------------------------
// The shape shared by the reminder, alert and notice emails of the review workflow: intro
// paragraphs, a table, an optional quoted text, links and a footer, in each language.

/** Picks the French or the English wording, for the language being written. */
export type InLanguage = (fr: string, en: string) => string;

export interface NoticeSection {
  /** First line, in bold red in HTML: who may read the message. */
  banner?: string;
  intro: string[];
  rows: [string, string][];
  /** Text a person wrote (a reason, a comment): quoted as is, escaped in HTML. */
  quote?: { title: string; text: string };
  /** Paragraphs after the table: what to do next. */
  outro?: string[];
  links: [string, string][];
  /** Small print at the end, e.g. the DESIGN §1.1 disclaimer. */
  disclaimer?: string;
}

/** French first, then English, as plain text and HTML: `section` writes one language. */
export function renderNotice(
  subject: string,
  to: string[],
  section: (l: InLanguage, lang: Locale) => NoticeSection,
  cc: string[] = [],
): MailMessage {
  const fr = section((french) => french, 'fr');
  const en = section((_french, english) => english, 'en');
  return {
    to,
    ...(cc.length > 0 && { cc }),
    subject,
    text: bilingualText(noticeText(fr), noticeText(en)),
    html: bilingualDocument(subject, noticeHtml(fr, 'fr'), noticeHtml(en, 'en')),
  };
}

/** Reference and version, organisation, type, route and planned times, in one language. */
export function movementRows(
  l: InLanguage,
  lang: Locale,
  movement: MovementSummary,
  { arrival = false } = {},
): [string, string][] {
  const { reference, version, notification: n } = movement;
  const rows: [string, string][] = [
    [l('Référence', 'Reference'), `${reference} (version ${version})`],
    ['Organisation', movement.organisationName],
    ['Type', typeLabel(n.type, lang)],
    [l('Itinéraire', 'Route'), routeText(n)],
    [l('Départ prévu', 'Planned departure'), formatInstant(n.departure.at, lang)],
  ];
  if (arrival)
    rows.push([l('Arrivée prévue', 'Planned arrival'), formatInstant(n.arrival.at, lang)]);
  return rows;
}

/** Movement data is need-to-know (DESIGN §1.5): the cell's own messages say so first. */
export function cellOnlyBanner(l: InLanguage): string {
  return l(
    "Diffusion restreinte à la cellule CMCoord : ne pas transmettre à l'organisation.",
    'Restricted to the CMCoord cell: do not forward to the organisation.',
  );
}

function noticeText(s: NoticeSection): string {
  return [
    ...(s.banner ? [s.banner, ''] : []),
    ...s.intro,
    '',
    ...s.rows.map(([k, v]) => `${k}: ${v}`),
    ...(s.quote ? ['', `${s.quote.title}:`, s.quote.text] : []),
    ...(s.outro && s.outro.length > 0 ? ['', ...s.outro] : []),
    '',
    ...s.links.map(([label, url]) => `${label}: ${url}`),
    ...(s.disclaimer ? ['', s.disclaimer] : []),
  ].join('\n');
}

function noticeHtml(s: NoticeSection, lang: Locale): SafeHtml {
  return html`<section lang="${lang}">
    ${s.banner && html`<p style="color:#a00"><strong>${s.banner}</strong></p>`}
    ${s.intro.map((p) => html`<p>${p}</p>`)} ${rowsTable(s.rows)}
    ${
      s.quote &&
      html`<h3>${s.quote.title}</h3>
        <blockquote style="white-space:pre-line">${s.quote.text}</blockquote>`
    }
    ${(s.outro ?? []).map((p) => html`<p>${p}</p>`)}
    <p>${s.links.map(([label, url]) => html`<a href="${url}">${label}</a> `)}</p>
    ${s.disclaimer && html`<p style="font-size:small;color:#555">${s.disclaimer}</p>`}
  </section>`;
}
