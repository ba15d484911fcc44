import type { MailMessage } from '@hns/mail';
import { DISCLAIMER } from './receipt.mail';
import { type MovementSummary, movementRows, renderNotice } from './seat-reminder.mail';

export interface ExpiryNoticeContext extends MovementSummary {
  /** The expired notification, still readable (DESIGN §1.6). */
  movementUrl: string;
  /** Where the organisation submits a new notification. */
  newNotificationUrl: string;
}

/**
 * The notice sent to the focal point when a movement was not acknowledged before its departure
 * window closed (DESIGN §4): it has expired and was NOT deconflicted; if the movement is still
 * planned, the organisation submits a new notification.
 */
export function renderExpiryNotice(context: ExpiryNoticeContext, to: string[]): MailMessage {
  const { reference, version } = context;
  const subject =
    `[${reference}] Notification expirée sans prise en compte / ` +
    `Notification expired without acknowledgement`;

  return renderNotice(subject, to, (l, lang) => ({
    intro: [
      l(
        `La notification ${reference} (version ${version}) de ${context.organisationName} n'a pas été prise en compte ` +
          `par la cellule CMCoord avant la fermeture de sa fenêtre de départ : elle a expiré.`,
        `Notification ${reference} (version ${version}) from ${context.organisationName} was not acknowledged ` +
          `by the CMCoord cell before its departure window closed: it has expired.`,
      ),
      l(
        "Ce mouvement n'a PAS fait l'objet d'une déconfliction, et aucun accusé de prise en compte ne sera envoyé pour cette notification.",
        'This movement has NOT been deconflicted, and no acknowledgement will be sent for this notification.',
      ),
    ],
    rows: movementRows(l, lang, context, { arrival: true }),
    outro: [
      l(
        'Si le mouvement est toujours prévu, soumettez une nouvelle notification avec ses nouvelles dates ' +
          "(en ligne, ou par l'API : POST /movements) ; celle-ci ne peut plus être modifiée.",
        'If the movement is still planned, submit a new notification with its new dates ' +
          '(online, or through the API: POST /movements); this one can no longer be amended.',
      ),
    ],
    links: [
      [
        l('Soumettre une nouvelle notification', 'Submit a new notification'),
        context.newNotificationUrl,
      ],
      [
        l('Consulter la notification expirée', 'View the expired notification'),
        context.movementUrl,
      ],
    ],
    disclaimer: DISCLAIMER[lang],
  }));
}
