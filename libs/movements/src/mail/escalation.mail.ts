import { bilingualDocument, bilingualText, rowsTable } from './layout';
import type { Locale } from '@hns/i18n';
import { MailMessage, html } from '@hns/mail';
import type { NotificationData } from '../notification.schema';
import type { ReasonText } from './flag-notice.mail';
import { formatInstant, routeText, typeLabel } from './format';

export type EscalationSeverity = 'low' | 'medium' | 'high' | 'critical';

/** Restricted-zone details for the cell's eyes only (DESIGN §1.5): never in an NGO email. */
export interface CellOnlyZoneDetails {
  publicLabel: string;
  level: 'no_go' | 'caution';
  from: string;
  until?: string;
  confidentialDetails: string;
}

export interface SecurityEscalationContext {
  reference: string;
  version: number;
  severity: EscalationSeverity;
  organisationName: string;
  notification: NotificationData;
  reasons: ReasonText[];
  /** Who raised it, in words: a seat ("the UNDSS seat") or the automatic rule that fired. */
  raisedBy: { fr: string; en: string };
  comment?: string;
  /** ISO instant by which UNDSS must acknowledge the escalation. */
  acknowledgeBy: string;
  escalationUrl: string;
  movementUrl: string;
  cellOnlyZoneDetails?: CellOnlyZoneDetails[];
}

const SEVERITY: Record<EscalationSeverity, { fr: string; en: string }> = {
  low: { fr: 'FAIBLE', en: 'LOW' },
  medium: { fr: 'MOYENNE', en: 'MEDIUM' },
  high: { fr: 'ÉLEVÉE', en: 'HIGH' },
  critical: { fr: 'CRITIQUE', en: 'CRITICAL' },
};

const ESCORT: Record<NotificationData['escort']['status'], { fr: string; en: string }> = {
  none: { fr: 'aucune escorte', en: 'no escort' },
  requested: { fr: 'escorte armée demandée', en: 'armed escort requested' },
  imposed: { fr: 'escorte armée imposée', en: 'armed escort imposed' },
};

/**
 * The security escalation sent to UNDSS at once, marked high priority: everything needed to
 * act on it, including contacts, without opening the application. Cell-internal.
 */
export function renderSecurityEscalation(
  context: SecurityEscalationContext,
  to: string[],
): MailMessage {
  const { reference, version, severity, notification: n } = context;
  const level = SEVERITY[severity];
  const subject =
    `[${level.fr} / ${level.en}] [${reference}] Escalade sécuritaire / Security escalation — ` +
    routeText(n);

  const section = (lang: Locale): Section => {
    const fr = lang === 'fr';
    const label = (french: string, english: string) => (fr ? french : english);
    const fp = n.focalPoint;
    const leader = n.convoyLeader;
    const comms = n.communications;
    return {
      lang,
      restricted: label(
        "Diffusion restreinte à la cellule CMCoord : ne pas transmettre à l'organisation.",
        'Restricted to the CMCoord cell: do not forward to the organisation.',
      ),
      intro: label(
        `Escalade sécuritaire de gravité ${level.fr} pour la notification ${reference} (version ${version}), soulevée par ${context.raisedBy.fr}.`,
        `Security escalation of ${level.en} severity for notification ${reference} (version ${version}), raised by ${context.raisedBy.en}.`,
      ),
      deadline: label(
        `À accuser réception avant le ${formatInstant(context.acknowledgeBy, 'fr')}.`,
        `Acknowledge by ${formatInstant(context.acknowledgeBy, 'en')}.`,
      ),
      reasonsTitle: label('Motifs', 'Reasons'),
      reasons: context.reasons.map((r) => (fr ? r.fr : r.en)),
      commentTitle: label('Commentaire', 'Comment'),
      rows: [
        [label('Référence', 'Reference'), `${reference} (version ${version})`],
        [label('Gravité', 'Severity'), fr ? level.fr : level.en],
        ['Organisation', context.organisationName],
        [
          'Type',
          typeLabel(n.type, lang) +
            (n.priority === 'emergency'
              ? ` — ${label('URGENCE', 'EMERGENCY')}${n.emergencyReason ? `: ${n.emergencyReason}` : ''}`
              : ''),
        ],
        [label('Objet', 'Purpose'), n.purpose],
        [label('Itinéraire', 'Route'), routeText(n)],
        [label('Départ', 'Departure'), formatInstant(n.departure.at, lang)],
        [label('Arrivée', 'Arrival'), formatInstant(n.arrival.at, lang)],
        [label('Véhicules', 'Vehicles'), n.vehicles.map((v) => `${v.type} ${v.plate}`).join(', ')],
        [
          label('Personnel', 'Personnel'),
          label(
            `nationaux : ${n.personnel.national}, internationaux : ${n.personnel.international}`,
            `national: ${n.personnel.national}, international: ${n.personnel.international}`,
          ),
        ],
        [
          label('Escorte', 'Escort'),
          [
            fr ? ESCORT[n.escort.status].fr : ESCORT[n.escort.status].en,
            n.escort.provider,
            n.escort.justification,
          ]
            .filter(Boolean)
            .join(' — '),
        ],
        [
          label('Chef de convoi', 'Convoy leader'),
          [
            leader.name,
            leader.phone,
            leader.callSign &&
              label(`indicatif ${leader.callSign}`, `call sign ${leader.callSign}`),
          ]
            .filter(Boolean)
            .join(', '),
        ],
        [
          label('Point focal', 'Focal point'),
          [fp.name, fp.phone, fp.satPhone && `sat. ${fp.satPhone}`, fp.email]
            .filter(Boolean)
            .join(', '),
        ],
        [
          label('Communications', 'Communications'),
          [
            comms.vhfChannel &&
              label(`VHF canal ${comms.vhfChannel}`, `VHF channel ${comms.vhfChannel}`),
            comms.radioRoom &&
              label(`salle radio ${comms.radioRoom}`, `radio room ${comms.radioRoom}`),
            comms.satPhone && `sat. ${comms.satPhone}`,
          ]
            .filter(Boolean)
            .join(', ') || '—',
        ],
      ],
      zonesTitle: label(
        'Zones concernées (confidentiel, cellule uniquement)',
        'Zones involved (confidential, cell only)',
      ),
      zones: (context.cellOnlyZoneDetails ?? []).map((z) => zoneText(z, lang)),
      links: [
        [label("Traiter l'escalade", 'Handle the escalation'), context.escalationUrl],
        [label('Voir le mouvement', 'View the movement'), context.movementUrl],
      ],
    };
  };
  const fr = section('fr');
  const en = section('en');
  const comment = context.comment?.trim() || undefined;

  const text = bilingualText(sectionText(fr, comment), sectionText(en, comment));
  const body = bilingualDocument(subject, sectionHtml(fr, comment), sectionHtml(en, comment));

  return {
    to,
    subject,
    text,
    html: body.toString(),
    priority: 'high',
    headers: { Importance: 'high', 'X-Priority': '1' },
  };
}

interface Section {
  lang: Locale;
  restricted: string;
  intro: string;
  deadline: string;
  reasonsTitle: string;
  reasons: string[];
  commentTitle: string;
  rows: [string, string][];
  zonesTitle: string;
  zones: string[];
  links: [string, string][];
}

function zoneText(zone: CellOnlyZoneDetails, lang: Locale): string {
  const level = zone.level === 'no_go' ? (lang === 'fr' ? 'interdite' : 'no-go') : 'caution';
  const from = formatInstant(zone.from, lang);
  const window = zone.until
    ? `${from} → ${formatInstant(zone.until, lang)}`
    : `${lang === 'fr' ? 'depuis le' : 'from'} ${from}`;
  return `${zone.publicLabel} (${level}, ${window}): ${zone.confidentialDetails}`;
}

function sectionText(s: Section, comment: string | undefined): string {
  return [
    s.restricted,
    '',
    s.intro,
    s.deadline,
    '',
    `${s.reasonsTitle}:`,
    ...s.reasons.map((r) => `- ${r}`),
    ...(comment ? ['', `${s.commentTitle}:`, comment] : []),
    '',
    ...s.rows.map(([k, v]) => `${k}: ${v}`),
    ...(s.zones.length > 0 ? ['', `${s.zonesTitle}:`, ...s.zones.map((z) => `- ${z}`)] : []),
    '',
    ...s.links.map(([label, url]) => `${label}: ${url}`),
  ].join('\n');
}

function sectionHtml(s: Section, comment: string | undefined) {
  return html`<section lang="${s.lang}">
    <p style="color:#a00"><strong>${s.restricted}</strong></p>
    <p>${s.intro}</p>
    <p><strong>${s.deadline}</strong></p>
    <h3>${s.reasonsTitle}</h3>
    <ul>
      ${s.reasons.map((r) => html`<li>${r}</li>`)}
    </ul>
    ${
      comment &&
      html`<h3>${s.commentTitle}</h3>
        <blockquote style="white-space:pre-line">${comment}</blockquote>`
    }
    ${rowsTable(s.rows)}
    ${
      s.zones.length > 0 &&
      html`<h3>${s.zonesTitle}</h3>
        <ul>
          ${s.zones.map((z) => html`<li>${z}</li>`)}
        </ul>`
    }
    <p>${s.links.map(([label, url]) => html`<a href="${url}">${label}</a> `)}</p>
  </section>`;
}
