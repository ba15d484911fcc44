import type { MailMessage } from '@hns/mail';
import { formatInstant } from './format';
import { DISCLAIMER } from './receipt.mail';
import { type MovementSummary, movementRows, renderNotice } from './seat-reminder.mail';

/** `version` is the version current when the movement was cancelled. */
export interface CancellationNoticeContext extends MovementSummary {
  /** The organisation's own words, as given to POST /movements/:id/cancel. */
  reason: string;
  /** ISO instant of the cancellation. */
  cancelledAt: string;
  /** The cancelled notification, still readable (DESIGN §1.6). */
  movementUrl: string;
}

/**
 * The confirmation sent to the focal point, with a copy to the OCHA cell, when the organisation
 * cancels its movement (DESIGN §4): the reason it gave, and that the cell has stopped its review.
 */
export function renderCancellationNotice(
  context: CancellationNoticeContext,
  to: string[],
  cc: string[] = [],
): MailMessage {
  const { reference, version } = context;
  const subject = `[${reference}] Annulation confirmée / Cancellation confirmed`;

  return renderNotice(
    subject,
    to,
    (l, lang) => ({
      intro: [
        l(
          `${context.organisationName} a annulé le mouvement notifié sous la référence ${reference} (version ${version}).`,
          `${context.organisationName} has cancelled the movement notified under reference ${reference} (version ${version}).`,
        ),
        l(
          "La cellule CMCoord a arrêté son examen : aucun accusé de prise en compte ne sera envoyé pour ce mouvement, et tout accusé déjà envoyé n'a plus d'objet.",
          'The CMCoord cell has stopped its review: no acknowledgement will be sent for this movement, and any acknowledgement already sent no longer applies.',
        ),
      ],
      rows: [
        ...movementRows(l, lang, context, { arrival: true }),
        [l('Annulé le', 'Cancelled on'), formatInstant(context.cancelledAt, lang)],
      ],
      quote: { title: l("Motif de l'annulation", 'Reason for cancellation'), text: context.reason },
      outro: [
        l(
          'Si le mouvement est de nouveau prévu, soumettez une nouvelle notification.',
          'If the movement is planned again, submit a new notification.',
        ),
      ],
      links: [
        [
          l('Consulter la notification annulée', 'View the cancelled notification'),
          context.movementUrl,
        ],
      ],
      disclaimer: DISCLAIMER[lang],
    }),
    cc,
  );
}
