import { bilingualDocument, bilingualText, rowsTable } from './layout';
import type { Locale } from '@hns/i18n';
import { MailMessage, html } from '@hns/mail';
import type { NotificationData } from '../notification.schema';
import { type PublicZoneNotice, publicZoneText } from './flag-notice.mail';
import { formatInstant, routeText, typeLabel } from './format';
import { movementEventUid, renderMovementIcs } from './ics';
import { DISCLAIMER } from './receipt.mail';

export interface AcknowledgementContext {
  reference: string;
  version: number;
  organisationName: string;
  notification: NotificationData;
  movementUrl: string;
  /** Caution zones near the route, as the organisation may see them: public labels only. */
  cautionZones?: PublicZoneNotice[];
  /** ORGANIZER of the calendar event (RFC 5546 expects one with METHOD:PUBLISH): the cell's address. */
  calendarOrganizerEmail?: string;
  /** When the last seat cleared the movement; the calendar file's DTSTAMP. */
  acknowledgedAt?: string;
}

/**
 * The deconfliction acknowledgement sent to the focal point when every required seat has cleared
 * the movement. It acknowledges a notification: it never says the movement is approved (DESIGN §1.1).
 */
export function renderAcknowledgement(
  context: AcknowledgementContext,
  to: string[],
  cc: string[] = [],
): MailMessage {
  const { reference, version, notification: n } = context;
  const subject =
    `[${reference}] Accusé de prise en compte (version ${version}) / ` +
    `Deconfliction acknowledgement (version ${version})`;

  const fr: Section = {
    lang: 'fr',
    intro:
      `La cellule CMCoord a pris en compte la notification ${reference} (version ${version}) ` +
      `de ${context.organisationName} et l'a communiquée aux acteurs concernés pour la déconfliction.`,
    rows: [
      ['Référence', `${reference} (version ${version})`],
      ['Organisation', context.organisationName],
      ['Type', typeLabel(n.type, 'fr')],
      ['Itinéraire', routeText(n)],
      ['Départ', `${n.departure.place}, ${formatInstant(n.departure.at, 'fr')}`],
      ['Arrivée', `${n.arrival.place}, ${formatInstant(n.arrival.at, 'fr')}`],
      ['Personnel', personnelText(n, 'fr')],
    ],
    vehiclesTitle: 'Véhicules',
    vehicles: n.vehicles.map((v) => vehicleText(v, 'fr')),
    cautionTitle: "Prudence — zones signalées à proximité de l'itinéraire",
    cautions: (context.cautionZones ?? []).map((z) => publicZoneText(z, 'fr')),
    calendar: `Le fichier ${icsFilename(context)} joint ajoute la fenêtre du mouvement à votre agenda.`,
    link: 'Consulter la notification',
    disclaimer: DISCLAIMER.fr,
  };
  const en: Section = {
    lang: 'en',
    intro:
      `The CMCoord cell has taken note of notification ${reference} (version ${version}) ` +
      `from ${context.organisationName} and shared it with the relevant actors for deconfliction.`,
    rows: [
      ['Reference', `${reference} (version ${version})`],
      ['Organisation', context.organisationName],
      ['Type', typeLabel(n.type, 'en')],
      ['Route', routeText(n)],
      ['Departure', `${n.departure.place}, ${formatInstant(n.departure.at, 'en')}`],
      ['Arrival', `${n.arrival.place}, ${formatInstant(n.arrival.at, 'en')}`],
      ['Personnel', personnelText(n, 'en')],
    ],
    vehiclesTitle: 'Vehicles',
    vehicles: n.vehicles.map((v) => vehicleText(v, 'en')),
    cautionTitle: 'Caution — areas reported near the route',
    cautions: (context.cautionZones ?? []).map((z) => publicZoneText(z, 'en')),
    calendar: `The attached ${icsFilename(context)} adds the movement window to your calendar.`,
    link: 'View the notification',
    disclaimer: DISCLAIMER.en,
  };

  const text = bilingualText(
    sectionText(fr, context.movementUrl),
    sectionText(en, context.movementUrl),
  );
  const body = bilingualDocument(
    subject,
    sectionHtml(fr, context.movementUrl),
    sectionHtml(en, context.movementUrl),
  );

  return {
    to,
    ...(cc.length > 0 && { cc }),
    subject,
    text,
    html: body.toString(),
    attachments: [
      {
        filename: icsFilename(context),
        content: acknowledgementIcs(context),
        contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
      },
    ],
  };
}

/** The calendar event for the movement window, departure to arrival. */
export function acknowledgementIcs(context: AcknowledgementContext): string {
  const { reference, version, notification: n } = context;
  return renderMovementIcs({
    uid: movementEventUid(reference, version),
    // The UID already names the version; SEQUENCE follows it so a per-reference UID stays possible.
    sequence: version,
    summary: `${reference} v${version} — ${typeLabel(n.type, 'fr')} / ${typeLabel(n.type, 'en')}: ${routeText(n)}`,
    description: [
      `${reference} (version ${version}) — ${context.organisationName}`,
      `Itinéraire / Route: ${routeText(n)}`,
      context.movementUrl,
      '',
      DISCLAIMER.fr,
      '',
      DISCLAIMER.en,
    ].join('\n'),
    location: `${n.departure.place} → ${n.arrival.place}`,
    start: n.departure.at,
    end: n.arrival.at,
    url: context.movementUrl,
    organizerEmail: context.calendarOrganizerEmail,
    now: context.acknowledgedAt,
  });
}

function icsFilename(context: AcknowledgementContext): string {
  return `${context.reference}-v${context.version}.ics`;
}

interface Section {
  lang: Locale;
  intro: string;
  rows: [string, string][];
  vehiclesTitle: string;
  vehicles: string[];
  cautionTitle: string;
  cautions: string[];
  calendar: string;
  link: string;
  disclaimer: string;
}

function sectionText(s: Section, url: string): string {
  return [
    s.intro,
    '',
    ...s.rows.map(([k, v]) => `${k}: ${v}`),
    ...(s.vehicles.length > 0
      ? ['', `${s.vehiclesTitle}:`, ...s.vehicles.map((v) => `- ${v}`)]
      : []),
    ...(s.cautions.length > 0
      ? ['', `${s.cautionTitle}:`, ...s.cautions.map((c) => `- ${c}`)]
      : []),
    '',
    s.calendar,
    `${s.link}: ${url}`,
    '',
    s.disclaimer,
  ].join('\n');
}

function sectionHtml(s: Section, url: string) {
  return html`<section lang="${s.lang}">
    <p>${s.intro}</p>
    ${rowsTable(s.rows)}
    ${
      s.vehicles.length > 0 &&
      html`<h3>${s.vehiclesTitle}</h3>
        <ul>
          ${s.vehicles.map((v) => html`<li>${v}</li>`)}
        </ul>`
    }
    ${
      s.cautions.length > 0 &&
      html`<h3>${s.cautionTitle}</h3>
        <ul>
          ${s.cautions.map((c) => html`<li>${c}</li>`)}
        </ul>`
    }
    <p>${s.calendar}</p>
    <p><a href="${url}">${s.link}</a></p>
    <p style="font-size:small;color:#555">${s.disclaimer}</p>
  </section>`;
}

function vehicleText(v: NotificationData['vehicles'][number], locale: Locale): string {
  const markings = v.markings
    ? `, ${locale === 'fr' ? 'marquages' : 'markings'}: ${v.markings}`
    : '';
  return `${v.type} — ${v.plate}${markings}`;
}

function personnelText(n: NotificationData, locale: Locale): string {
  const { national, international } = n.personnel;
  return locale === 'fr'
    ? `nationaux : ${national}, internationaux : ${international}`
    : `national: ${national}, international: ${international}`;
}
