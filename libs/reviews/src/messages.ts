import type { Locale } from '../../i18n/src/locale';
import type { MessageParams } from '../../i18n/src/translate';

/**
 * Every text of the review workflow, in English and French: refusals (`review.rule.*`) and the
 * reason codes a seat gives with a flag or an escalation (`review.reason.*`, with a hint saying
 * what to change). Kept here until @hns/i18n takes the catalogue; French is typed against
 * English so a missing translation fails to compile.
 */
const en = {
  'review.rule.movement_closed': 'the movement is {status}: nothing about it can change any more',
  'review.rule.review_not_started':
    'the review of this movement has not started yet; seats decide once it is in review',
  'review.rule.review_over': 'the review of this movement is over: it is {status}',
  'review.rule.seat_not_required': 'the {seat} seat is not required to review this movement',
  'review.rule.no_open_escalation':
    'no security escalation is holding this movement (it is {status})',
  'review.rule.not_acknowledged':
    'only an acknowledged movement can be marked departed; this one is {status}',
  'review.rule.already_under_way': 'the movement is already under way',
  'review.rule.not_under_way':
    'only a movement under way can be marked arrived; this one is {status}: mark it departed first',
  'review.rule.does_not_expire':
    'a movement that is {status} does not expire: it was acknowledged before its departure window closed',
  'review.rule.stale_version':
    'version {given} is not the current version ({current}); reload the movement and review the current version',
  'review.rule.already_decided':
    'the {seat} seat has already decided on version {version} ({decision}); a seat decides once per version',
  'review.rule.already_escalated':
    'the {seat} seat has already escalated version {version} to UNDSS; approve or flag it when ready',
  'review.rule.reason_required':
    'choose at least one reason code: a flag or an escalation must say why, in words the organisation can act on',
  'review.rule.reasons_not_allowed':
    'an approval takes no reason codes; write any remark in the comment',
  'review.rule.comment_required':
    'write a comment of at least {min} characters with reason code "other": say what the organisation should change',
  'review.rule.comment_too_long': 'the comment may be at most {max} characters',

  'review.reason.route_through_restricted_area': 'The route crosses a restricted area',
  'review.reason.route_through_restricted_area.hint':
    'Change the route or the dates so that the movement avoids the restricted area; the cell can advise an alternative corridor.',
  'review.reason.security_threat_on_route': 'A security threat is reported on the route',
  'review.reason.security_threat_on_route.hint':
    'Postpone the movement or choose another route; contact UNDSS for the latest security advice.',
  'review.reason.impassable_road': 'A road on the route is reported impassable',
  'review.reason.impassable_road.hint':
    'Choose another route or postpone the movement; the Logistics Cluster can advise on road conditions.',
  'review.reason.incomplete_route': 'The route is incomplete',
  'review.reason.incomplete_route.hint':
    'Add every waypoint and overnight stop, in order, with its coordinates.',
  'review.reason.insufficient_lead_time': 'Notified too late to be reviewed before departure',
  'review.reason.insufficient_lead_time.hint':
    'Move the departure later, or set the priority to "emergency" with a written reason.',
  'review.reason.missing_vehicle_markings': 'Vehicle markings are missing or unclear',
  'review.reason.missing_vehicle_markings.hint':
    "Give each vehicle's plate and visible markings (logo, roof marking).",
  'review.reason.escort_not_justified': 'The armed escort is not justified',
  'review.reason.escort_not_justified.hint':
    'Armed escorts are a last resort: explain why no other option exists, or set the escort to "none".',
  'review.reason.unclear_cargo': 'The cargo is not described clearly',
  'review.reason.unclear_cargo.hint': 'Describe each cargo line: category, content and tonnes.',
  'review.reason.contact_unreachable': 'The focal point or the convoy leader could not be reached',
  'review.reason.contact_unreachable.hint':
    'Give phone and satellite phone numbers that are answered 24/7, and check that they work.',
  'review.reason.escort_requested': 'An armed escort is requested or imposed: UNDSS reviews it',
  'review.reason.escort_requested.hint':
    'Armed escorts are a last resort: keep the justification precise; UNDSS will advise.',
  'review.reason.emergency_short_notice':
    'Emergency movement notified at short notice: UNDSS reviews it',
  'review.reason.emergency_short_notice.hint':
    'Keep the focal point and the convoy leader reachable: UNDSS may call before departure.',
  'review.reason.undss_advise_reroute': 'UNDSS advises another route',
  'review.reason.undss_advise_reroute.hint':
    'Amend the route (waypoints) and submit the amendment; contact the cell for the areas to avoid.',
  'review.reason.undss_advise_postpone': 'UNDSS advises postponing the movement',
  'review.reason.undss_advise_postpone.hint':
    'Amend the departure and arrival times to a later date.',
  'review.reason.undss_advise_cancel': 'UNDSS advises cancelling the movement',
  'review.reason.undss_advise_cancel.hint':
    'Cancel the notification, or contact the cell to discuss the conditions of a new one.',
  'review.reason.other': "Another reason (see the reviewer's comment)",
  'review.reason.other.hint': "Follow the reviewer's comment.",
} as const;

export type ReviewMessageKey = keyof typeof en;

const fr: Record<ReviewMessageKey, string> = {
  'review.rule.movement_closed':
    'le mouvement est au statut « {status} » : il ne peut plus changer',
  'review.rule.review_not_started':
    'l’examen de ce mouvement n’a pas encore commencé ; les postes décident une fois l’examen ouvert',
  'review.rule.review_over': 'l’examen de ce mouvement est terminé : il est au statut « {status} »',
  'review.rule.seat_not_required': 'le poste {seat} n’est pas requis pour examiner ce mouvement',
  'review.rule.no_open_escalation':
    'aucune escalade de sécurité ne retient ce mouvement (statut « {status} »)',
  'review.rule.not_acknowledged':
    'seul un mouvement pris en compte peut être marqué parti ; celui-ci est au statut « {status} »',
  'review.rule.already_under_way': 'le mouvement est déjà en cours',
  'review.rule.not_under_way':
    'seul un mouvement en cours peut être marqué arrivé ; celui-ci est au statut « {status} » : marquez-le d’abord parti',
  'review.rule.does_not_expire':
    'un mouvement au statut « {status} » n’expire pas : il a été pris en compte avant la fermeture de sa fenêtre de départ',
  'review.rule.stale_version':
    'la version {given} n’est pas la version actuelle ({current}) ; rechargez le mouvement et examinez la version actuelle',
  'review.rule.already_decided':
    'le poste {seat} a déjà décidé sur la version {version} ({decision}) ; un poste décide une fois par version',
  'review.rule.already_escalated':
    'le poste {seat} a déjà escaladé la version {version} à l’UNDSS ; approuvez-la ou signalez-la quand vous serez prêt',
  'review.rule.reason_required':
    'choisissez au moins un code de motif : un signalement ou une escalade doit dire pourquoi, en des termes sur lesquels l’organisation peut agir',
  'review.rule.reasons_not_allowed':
    'une approbation ne prend pas de code de motif ; écrivez vos remarques dans le commentaire',
  'review.rule.comment_required':
    'écrivez un commentaire d’au moins {min} caractères avec le code de motif « other » : dites ce que l’organisation doit changer',
  'review.rule.comment_too_long': 'le commentaire compte au plus {max} caractères',

  'review.reason.route_through_restricted_area': 'L’itinéraire traverse une zone d’accès restreint',
  'review.reason.route_through_restricted_area.hint':
    'Modifiez l’itinéraire ou les dates pour que le mouvement évite la zone d’accès restreint ; la cellule peut conseiller un autre corridor.',
  'review.reason.security_threat_on_route': 'Une menace sécuritaire est signalée sur l’itinéraire',
  'review.reason.security_threat_on_route.hint':
    'Reportez le mouvement ou choisissez un autre itinéraire ; contactez l’UNDSS pour les derniers conseils de sécurité.',
  'review.reason.impassable_road': 'Une route de l’itinéraire est signalée impraticable',
  'review.reason.impassable_road.hint':
    'Choisissez un autre itinéraire ou reportez le mouvement ; le Cluster Logistique peut renseigner sur l’état des routes.',
  'review.reason.incomplete_route': 'L’itinéraire est incomplet',
  'review.reason.incomplete_route.hint':
    'Ajoutez chaque point de passage et chaque étape de nuit, dans l’ordre, avec leurs coordonnées.',
  'review.reason.insufficient_lead_time': 'Notifié trop tard pour être examiné avant le départ',
  'review.reason.insufficient_lead_time.hint':
    'Repoussez le départ, ou choisissez la priorité « emergency » avec un motif écrit.',
  'review.reason.missing_vehicle_markings': 'Marquages des véhicules absents ou peu clairs',
  'review.reason.missing_vehicle_markings.hint':
    'Indiquez pour chaque véhicule la plaque et les marquages visibles (logo, marquage de toit).',
  'review.reason.escort_not_justified': 'L’escorte armée n’est pas justifiée',
  'review.reason.escort_not_justified.hint':
    'Les escortes armées sont un dernier recours : expliquez pourquoi aucune autre option n’existe, ou renoncez à l’escorte (« none »).',
  'review.reason.unclear_cargo': 'La cargaison n’est pas décrite clairement',
  'review.reason.unclear_cargo.hint':
    'Décrivez chaque ligne de cargaison : catégorie, contenu et tonnage.',
  'review.reason.contact_unreachable': 'Le point focal ou le chef de convoi n’a pas pu être joint',
  'review.reason.contact_unreachable.hint':
    'Donnez des numéros de téléphone et de téléphone satellite joignables 24 h/24, et vérifiez-les.',
  'review.reason.escort_requested': 'Une escorte armée est demandée ou imposée : l’UNDSS l’examine',
  'review.reason.escort_requested.hint':
    'Les escortes armées sont un dernier recours : gardez la justification précise ; l’UNDSS donnera son avis.',
  'review.reason.emergency_short_notice':
    'Mouvement d’urgence notifié avec un préavis court : l’UNDSS l’examine',
  'review.reason.emergency_short_notice.hint':
    'Gardez le point focal et le chef de convoi joignables : l’UNDSS peut appeler avant le départ.',
  'review.reason.undss_advise_reroute': 'L’UNDSS conseille un autre itinéraire',
  'review.reason.undss_advise_reroute.hint':
    'Modifiez l’itinéraire (points de passage) et soumettez la modification ; contactez la cellule pour les zones à éviter.',
  'review.reason.undss_advise_postpone': 'L’UNDSS conseille de reporter le mouvement',
  'review.reason.undss_advise_postpone.hint':
    'Modifiez les heures de départ et d’arrivée pour une date ultérieure.',
  'review.reason.undss_advise_cancel': 'L’UNDSS conseille d’annuler le mouvement',
  'review.reason.undss_advise_cancel.hint':
    'Annulez la notification, ou contactez la cellule pour discuter des conditions d’une nouvelle.',
  'review.reason.other': 'Autre motif (voir le commentaire de l’examinateur)',
  'review.reason.other.hint': 'Suivez le commentaire de l’examinateur.',
};

export const REVIEW_MESSAGES: Record<Locale, Record<ReviewMessageKey, string>> = { en, fr };

/** A rule a request or an event broke, e.g. `stale_version` (message `review.rule.stale_version`). */
export type ReviewRule = ReviewMessageKey extends infer K
  ? K extends `review.rule.${infer Rule}`
    ? Rule
    : never
  : never;

/**
 * Why something was refused, for a person to act on: the rule, its catalogue key and params (to
 * answer in the reader's language) and the English text for logs and audit.
 */
export interface Refusal {
  rule: ReviewRule;
  messageKey: ReviewMessageKey;
  params: MessageParams;
  reason: string;
}

export function refusal(rule: ReviewRule, params: MessageParams = {}): Refusal {
  const messageKey = `review.rule.${rule}` as const;
  return { rule, messageKey, params, reason: reviewText('en', messageKey, params) };
}

/** The text of `key` in `locale`, with {placeholders} filled from params (as @hns/i18n's t()). */
export function reviewText(
  locale: Locale,
  key: ReviewMessageKey,
  params: MessageParams = {},
): string {
  return REVIEW_MESSAGES[locale][key].replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}
