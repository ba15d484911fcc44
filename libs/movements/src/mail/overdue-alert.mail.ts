import type { Seat } from '@hns/config';
import { t } from '@hns/i18n';
import type { MailMessage } from '@hns/mail';
import type { MovementStatus } from '../notification.schema';
import {
  type MovementSummary,
  SEAT_LABELS,
  cellOnlyBanner,
  durationText,
  movementRows,
  renderNotice,
} from './seat-reminder.mail';

export interface OverdueAlertContext extends MovementSummary {
  /** The movement's status now: anything but acknowledged or final when the alert is sent. */
  status: MovementStatus;
  /** Required seats that have not decided on the current version. */
  pendingSeats: Seat[];
  /** UNDSS escalations of the movement not yet resolved. */
  openEscalations: number;
  movementUrl: string;
  /** ISO instant the alert is sent: the time left before departure is counted from it. */
  sentAt: string;
}

/**
 * The alert sent to OCHA when a movement departs soon and the cell has not acknowledged it
 * (DESIGN §2, §4): why it is stuck (status, seats pending, open escalations). Cell-internal.
 */
export function renderOverdueAlert(context: OverdueAlertContext, to: string[]): MailMessage {
  const { reference, version, notification: n } = context;
  const left = durationText(context.sentAt, n.departure.at);
  const subject =
    `[${reference}] Non pris en compte, départ dans ${left} / ` +
    `Not acknowledged, departure in ${left}`;

  return renderNotice(subject, to, (l, lang) => {
    const status = t(lang, `status.${context.status}`);
    return {
      banner: cellOnlyBanner(l),
      intro: [
        l(
          `La notification ${reference} (version ${version}) de ${context.organisationName} n'est pas encore prise en compte ` +
            `(statut : ${status}) alors que le départ est prévu dans ${left}.`,
          `Notification ${reference} (version ${version}) from ${context.organisationName} is not acknowledged yet ` +
            `(status: ${status}) and departure is in ${left}.`,
        ),
      ],
      rows: [
        ...movementRows(l, lang, context),
        [l('Départ dans', 'Departure in'), left],
        [l('Statut', 'Status'), status],
        [
          l('Sièges en attente', 'Seats pending'),
          context.pendingSeats.map((s) => SEAT_LABELS[s][lang]).join(', ') || l('aucun', 'none'),
        ],
        [l('Escalades ouvertes', 'Open escalations'), String(context.openEscalations)],
      ],
      outro: [
        l(
          "Relancez les sièges en attente ou UNDSS, ou contactez l'organisation : une notification non prise en compte à la fermeture de sa fenêtre de départ expire.",
          'Chase the pending seats or UNDSS, or contact the organisation: a notification not acknowledged when its departure window closes expires.',
        ),
      ],
      links: [[l('Voir le mouvement', 'View the movement'), context.movementUrl]],
    };
  });
}
