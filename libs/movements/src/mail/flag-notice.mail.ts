import { bilingualDocument, bilingualText, rowsTable } from './layout';
import type { Locale } from '@hns/i18n';
import { MailMessage, html } from '@hns/mail';
import type { NotificationData } from '../notification.schema';
import { formatInstant, routeText } from './format';
import { DISCLAIMER } from './receipt.mail';

/** A reason code in words, as the caller takes it from the reason-code catalogue. */
export interface ReasonText {
  code: string;
  fr: string;
  en: string;
  /** What to change, worded for the organisation. */
  hintFr?: string;
  hintEn?: string;
}

/**
 * All an organisation may be told about a restricted zone (DESIGN §1.5): its public label and
 * when it is active. There is deliberately no field for the cell's confidential details.
 */
export interface PublicZoneNotice {
  publicLabel: string;
  /** ISO instants; `until` is absent while the zone has no announced end. */
  from: string;
  until?: string;
}

export interface FlagReason extends ReasonText {
  /** Set when the reason is a restricted zone the route crosses. */
  restrictedArea?: PublicZoneNotice;
}

export interface FlagNoticeContext {
  reference: string;
  version: number;
  /** For the API hint: PATCH /movements/:id. */
  movementId: string;
  movementUrl: string;
  notification: NotificationData;
  reasons: FlagReason[];
  /** The reviewer's own words, if any. */
  comment?: string;
}

/**
 * The flag notice sent to the focal point: each reason in words, what to change and how to
 * amend, French first, then English, as plain text and HTML.
 */
export function renderFlagNotice(context: FlagNoticeContext, to: string[]): MailMessage {
  const { reference, version, notification: n } = context;
  const subject =
    `[${reference}] Modification demandée (version ${version}) / ` +
    `Amendment requested (version ${version})`;
  const comment = context.comment?.trim() || undefined;
  const apiCall = `PATCH /movements/${context.movementId}`;
  const apiBody = `{"version": ${version}, "changeNote": "…", …}`;

  const fr: Section = {
    lang: 'fr',
    intro:
      `La cellule CMCoord demande une modification de la notification ${reference} ` +
      `(version ${version}) avant d'en accuser la prise en compte.`,
    rows: [
      ['Référence', `${reference} (version ${version})`],
      ['Itinéraire', routeText(n)],
      ['Départ', formatInstant(n.departure.at, 'fr')],
      ['Arrivée', formatInstant(n.arrival.at, 'fr')],
    ],
    reasonsTitle: 'Motifs et modifications à apporter',
    reasons: context.reasons.map((r) => ({
      label: r.fr,
      area: r.restrictedArea && `Zone : ${publicZoneText(r.restrictedArea, 'fr')}`,
      change: `À modifier : ${r.hintFr ?? (comment ? 'voir le commentaire de la cellule.' : 'contactez la cellule CMCoord.')}`,
    })),
    commentTitle: 'Commentaire de la cellule',
    howTitle: 'Comment modifier',
    how: [
      `Modifiez la notification en ligne : ${context.movementUrl}`,
      `Par l'API : ${apiCall} avec la version actuelle et les champs à changer, par exemple ${apiBody}`,
      `La modification crée la version ${version + 1}, que la cellule examine à nouveau.`,
    ],
    link: 'Modifier la notification',
    disclaimer: DISCLAIMER.fr,
  };
  const en: Section = {
    lang: 'en',
    intro:
      `The CMCoord cell asks you to amend notification ${reference} (version ${version}) ` +
      `before it can be acknowledged.`,
    rows: [
      ['Reference', `${reference} (version ${version})`],
      ['Route', routeText(n)],
      ['Departure', formatInstant(n.departure.at, 'en')],
      ['Arrival', formatInstant(n.arrival.at, 'en')],
    ],
    reasonsTitle: 'Reasons and what to change',
    reasons: context.reasons.map((r) => ({
      label: r.en,
      area: r.restrictedArea && `Area: ${publicZoneText(r.restrictedArea, 'en')}`,
      change: `What to change: ${r.hintEn ?? (comment ? "see the cell's comment." : 'contact the CMCoord cell.')}`,
    })),
    commentTitle: "The cell's comment",
    howTitle: 'How to amend',
    how: [
      `Amend the notification online: ${context.movementUrl}`,
      `Through the API: ${apiCall} with the current version and the fields to change, for example ${apiBody}`,
      `The amendment creates version ${version + 1}, which the cell reviews again.`,
    ],
    link: 'Amend the notification',
    disclaimer: DISCLAIMER.en,
  };

  const text = bilingualText(sectionText(fr, comment), sectionText(en, comment));
  const body = bilingualDocument(
    subject,
    sectionHtml(fr, comment, context.movementUrl),
    sectionHtml(en, comment, context.movementUrl),
  );

  return { to, subject, text, html: body.toString() };
}

/** A zone's public label and time window, in one language. */
export function publicZoneText(zone: PublicZoneNotice, locale: Locale): string {
  // Only these two fields are read, so a caller passing a whole zone row leaks nothing more.
  const { publicLabel, from, until } = zone;
  const start = formatInstant(from, locale);
  if (!until) return `${publicLabel} (${locale === 'fr' ? 'depuis le' : 'from'} ${start})`;
  const end = formatInstant(until, locale);
  return locale === 'fr'
    ? `${publicLabel} (du ${start} au ${end})`
    : `${publicLabel} (from ${start} to ${end})`;
}

interface Section {
  lang: Locale;
  intro: string;
  rows: [string, string][];
  reasonsTitle: string;
  reasons: { label: string; area?: string; change: string }[];
  commentTitle: string;
  howTitle: string;
  how: string[];
  link: string;
  disclaimer: string;
}

function sectionText(s: Section, comment: string | undefined): string {
  return [
    s.intro,
    '',
    ...s.rows.map(([k, v]) => `${k}: ${v}`),
    '',
    `${s.reasonsTitle}:`,
    ...s.reasons.flatMap((r, i) => [
      `${i + 1}. ${r.label}`,
      ...(r.area ? [`   ${r.area}`] : []),
      `   ${r.change}`,
    ]),
    ...(comment ? ['', `${s.commentTitle}:`, comment] : []),
    '',
    `${s.howTitle}:`,
    ...s.how.map((line) => `- ${line}`),
    '',
    s.disclaimer,
  ].join('\n');
}

function sectionHtml(s: Section, comment: string | undefined, url: string) {
  return html`<section lang="${s.lang}">
    <p>${s.intro}</p>
    ${rowsTable(s.rows)}
    <h3>${s.reasonsTitle}</h3>
    <ol>
      ${s.reasons.map(
        (r) =>
          html`<li>
            <strong>${r.label}</strong>
            ${r.area && html`<br />${r.area}`}
            <br />${r.change}
          </li>`,
      )}
    </ol>
    ${
      comment &&
      html`<h3>${s.commentTitle}</h3>
        <blockquote style="white-space:pre-line">${comment}</blockquote>`
    }
    <h3>${s.howTitle}</h3>
    <ul>
      ${s.how.map((line) => html`<li>${line}</li>`)}
    </ul>
    <p><a href="${url}">${s.link}</a></p>
    <p style="font-size:small;color:#555">${s.disclaimer}</p>
  </section>`;
}
