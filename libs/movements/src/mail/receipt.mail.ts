import { bilingualDocument, bilingualText, rowsTable } from './layout';
import { MailMessage, html } from '@hns/mail';
import type { NotificationData } from '../notification.schema';
import { formatInstant, routeText, typeLabel } from './format';

export interface ReceiptContext {
  reference: string;
  version: number;
  organisationName: string;
  notification: NotificationData;
  movementUrl: string;
}

/** DESIGN §1.1 and §1.3, in both languages: every message about a movement repeats them. */
export const DISCLAIMER = {
  fr:
    "Cette notification n'est ni une autorisation ni une garantie de sécurité, et ne modifie en rien " +
    'le statut protégé de quiconque au regard du droit international humanitaire. La cellule ne vérifie ' +
    "pas les données : l'organisation qui notifie en garantit l'exactitude.",
  en:
    'This notification is neither a permission nor a security guarantee, and does not change the ' +
    'protected status of anyone under international humanitarian law. The cell does not verify the ' +
    'data: the notifying organisation is responsible for its accuracy.',
};

/**
 * The receipt sent to the focal point when a notification or an amendment is received:
 * French first, then English, in one message, as plain text and HTML.
 */
export function renderReceipt(context: ReceiptContext, to: string[]): MailMessage {
  const { reference, version, notification: n } = context;
  const amended = version > 1;
  const subject = amended
    ? `[${reference}] Modification reçue (version ${version}) / Amendment received (version ${version})`
    : `[${reference}] Notification de mouvement reçue / Movement notification received`;

  const fr = {
    intro: amended
      ? `La modification (version ${version}) de la notification ${reference} a bien été reçue. Elle sera examinée à nouveau par la cellule CMCoord.`
      : `Votre notification de mouvement a bien été reçue sous la référence ${reference}. Elle va être examinée par la cellule CMCoord ; vous recevrez un accusé de prise en compte ou une demande de modification.`,
    rows: [
      ['Référence', `${reference} (version ${version})`],
      ['Organisation', context.organisationName],
      ['Type', typeLabel(n.type, 'fr')],
      ['Itinéraire', routeText(n)],
      ['Départ', formatInstant(n.departure.at, 'fr')],
      ['Arrivée', formatInstant(n.arrival.at, 'fr')],
      ['Véhicules', String(n.vehicles.length)],
    ],
    link: 'Suivre la notification',
  };
  const en = {
    intro: amended
      ? `The amendment (version ${version}) of notification ${reference} has been received. The CMCoord cell will review it again.`
      : `Your movement notification has been received with reference ${reference}. The CMCoord cell will review it; you will receive a deconfliction acknowledgement or a request to amend.`,
    rows: [
      ['Reference', `${reference} (version ${version})`],
      ['Organisation', context.organisationName],
      ['Type', typeLabel(n.type, 'en')],
      ['Route', routeText(n)],
      ['Departure', formatInstant(n.departure.at, 'en')],
      ['Arrival', formatInstant(n.arrival.at, 'en')],
      ['Vehicles', String(n.vehicles.length)],
    ],
    link: 'Follow the notification',
  };

  const textSection = (s: typeof fr, disclaimer: string) =>
    [
      s.intro,
      '',
      ...s.rows.map(([k, v]) => `${k}: ${v}`),
      '',
      `${s.link}: ${context.movementUrl}`,
      '',
      disclaimer,
    ].join('\n');
  const text = bilingualText(textSection(fr, DISCLAIMER.fr), textSection(en, DISCLAIMER.en));

  const htmlSection = (s: typeof fr, lang: string, disclaimer: string) =>
    html` <section lang="${lang}">
      <p>${s.intro}</p>
      ${rowsTable(s.rows)}
      <p><a href="${context.movementUrl}">${s.link}</a></p>
      <p style="font-size:small;color:#555">${disclaimer}</p>
    </section>`;
  const body = bilingualDocument(
    subject,
    htmlSection(fr, 'fr', DISCLAIMER.fr),
    htmlSection(en, 'en', DISCLAIMER.en),
  );

  return { to, subject, text, html: body.toString() };
}
