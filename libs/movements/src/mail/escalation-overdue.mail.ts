import type { MailMessage } from '@hns/mail';
import type { EscalationSeverity, SecurityEscalationContext } from './escalation.mail';
import { formatInstant } from './format';
import {
  type MovementSummary,
  cellOnlyBanner,
  durationText,
  movementRows,
  renderNotice,
} from './seat-reminder.mail';

export interface EscalationOverdueContext
  extends
    MovementSummary,
    Pick<SecurityEscalationContext, 'severity' | 'acknowledgeBy' | 'movementUrl'> {
  /** 1 for the first re-alert after the missed deadline, 2 for the next one, and so on. */
  alertNumber: number;
  /** ISO instant the re-alert is sent: the delay is counted from `acknowledgeBy` to it. */
  sentAt: string;
  /** The escalations board (GET /escalations) of the UNDSS and OCHA seats. */
  escalationsUrl: string;
}

/** The same words as the escalation email's subject, so both read alike in a mailbox. */
export const SEVERITY_LABELS: Record<EscalationSeverity, { fr: string; en: string }> = {
  low: { fr: 'FAIBLE', en: 'LOW' },
  medium: { fr: 'MOYENNE', en: 'MEDIUM' },
  high: { fr: 'ÉLEVÉE', en: 'HIGH' },
  critical: { fr: 'CRITIQUE', en: 'CRITICAL' },
};

/**
 * The re-alert sent when UNDSS has not acknowledged a security escalation by its deadline
 * (DESIGN §4): addressed to UNDSS and OCHA, the widened circle, and marked high priority.
 * A missed deadline is never silent. Cell-internal.
 */
export function renderEscalationOverdue(
  context: EscalationOverdueContext,
  to: string[],
): MailMessage {
  const { reference, version } = context;
  const level = SEVERITY_LABELS[context.severity];
  const late = durationText(context.acknowledgeBy, context.sentAt);
  const nth = { fr: ordinalFr(context.alertNumber), en: ordinalEn(context.alertNumber) };
  const subject =
    `[${level.fr} / ${level.en}] [${reference}] ${nth.fr} relance : escalade sans accusé de réception / ` +
    `${nth.en} alert: escalation not acknowledged`;

  const message = renderNotice(subject, to, (l, lang) => ({
    banner: cellOnlyBanner(l),
    intro: [
      l(
        `UNDSS n'a pas accusé réception de l'escalade sécuritaire de gravité ${level.fr} pour la notification ${reference} ` +
          `(version ${version}) de ${context.organisationName} : l'échéance était le ${formatInstant(context.acknowledgeBy, 'fr')}, ` +
          `dépassée de ${late}.`,
        `UNDSS has not acknowledged the ${level.en} severity security escalation for notification ${reference} ` +
          `(version ${version}) from ${context.organisationName}: it was due by ${formatInstant(context.acknowledgeBy, 'en')}, ` +
          `${late} ago.`,
      ),
      l(
        `${nth.fr} relance : OCHA en est désormais informé. Accusez réception de l'escalade ou traitez-la sans attendre.`,
        `${nth.en} alert: OCHA is now informed. Acknowledge or handle the escalation without delay.`,
      ),
    ],
    rows: [
      [l('Gravité', 'Severity'), level[lang]],
      ...movementRows(l, lang, context),
      [l('Échéance initiale', 'Original deadline'), formatInstant(context.acknowledgeBy, lang)],
      [l('Retard', 'Overdue by'), late],
      [l('Relance', 'Alert'), nth[lang]],
    ],
    links: [
      [l('Tableau des escalades', 'Escalations board'), context.escalationsUrl],
      [l('Voir le mouvement', 'View the movement'), context.movementUrl],
    ],
  }));

  return {
    ...message,
    priority: 'high',
    headers: { Importance: 'high', 'X-Priority': '1' },
  };
}

/** 1re, 2e, 3e… */
function ordinalFr(n: number): string {
  return n === 1 ? '1re' : `${n}e`;
}

/** 1st, 2nd, 3rd, 4th… 11th, 12th, 13th… 21st. */
function ordinalEn(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10];
  return `${n}${suffix ?? 'th'}`;
}
