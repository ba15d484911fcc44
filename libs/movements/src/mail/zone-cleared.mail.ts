import type { MailMessage } from '@hns/mail';
import { formatInstant } from './format';
import { MovementSummary, cellOnlyBanner, movementRows, renderNotice } from './seat-reminder.mail';

export interface ZoneClearedContext extends MovementSummary {
  /** The zone's name and public label: this message stays within the cell. */
  zoneName: string;
  zonePublicLabel: string;
  /** Lifted, or changed so that it no longer meets the route. */
  lifted: boolean;
  changedAt: string;
  reviewUrl: string;
}

/**
 * Tells the reviewers that a zone which explained a flag has been lifted or moved: the flag may
 * no longer be needed. The movement stays flagged until the organisation amends it (DESIGN §4).
 */
export function renderZoneCleared(context: ZoneClearedContext, to: string[]): MailMessage {
  const subject =
    `[${context.reference}] Zone levée : signalement à revoir / ` +
    `Zone lifted: flag to review — ${context.zoneName}`;
  return renderNotice(subject, to, (l, lang) => ({
    banner: cellOnlyBanner(l),
    intro: [
      context.lifted
        ? l(
            `La zone « ${context.zoneName} » a été levée le ${formatInstant(context.changedAt, lang)}.`,
            `Zone "${context.zoneName}" was lifted on ${formatInstant(context.changedAt, lang)}.`,
          )
        : l(
            `La zone « ${context.zoneName} » a été modifiée et ne croise plus cet itinéraire.`,
            `Zone "${context.zoneName}" was changed and no longer meets this route.`,
          ),
      l(
        'Ce mouvement avait été signalé à cause de cette zone. Le signalement reste en place jusqu’à ce que l’organisation modifie sa notification : vérifiez s’il est encore nécessaire et informez-la si besoin.',
        'This movement was flagged because of that zone. The flag stays until the organisation amends its notification: check whether it is still needed and tell the organisation if not.',
      ),
    ],
    rows: [
      ...movementRows(l, lang, context),
      [l('Libellé public de la zone', 'Public label of the zone'), context.zonePublicLabel],
    ],
    links: [[l('Voir le mouvement', 'View the movement'), context.reviewUrl]],
  }));
}
