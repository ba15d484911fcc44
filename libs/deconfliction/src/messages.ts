import type { Locale, MessageParams } from '@hns/i18n';

/**
 * Every text of deconfliction, in English and French: refusals (`zone.*`) and the advice an
 * organisation gets with a conflict (`conflict.advice.*`). Kept here until @hns/i18n takes the
 * catalogue; French is typed against English so a missing translation fails to compile.
 */
const en = {
  'zone.not_found': 'Restricted zone {id} was not found.',
  'zone.rule.ring_too_short':
    'a polygon ring needs at least 4 positions (3 corners, then the first one repeated); this one has {count}',
  'zone.rule.ring_not_closed':
    'the ring is not closed: its last position must repeat its first one ({first})',
  'zone.rule.position_dimensions':
    'a position is [longitude, latitude], optionally followed by an altitude',
  'zone.rule.too_many_positions':
    'the geometry has {count} positions; at most {max} are accepted: simplify it',
  'zone.rule.geometry_or_circle':
    'give either "geometry" (a GeoJSON Polygon or MultiPolygon) or "center" with "radiusKm", not both',
  'zone.rule.circle_incomplete': 'a circular zone needs both "center" and "radiusKm"',
  'zone.rule.invalid_geometry':
    'the polygon is not valid ({reason}): draw it again so that no edge crosses another',
  'zone.rule.unreadable_geometry': 'the geometry could not be read: {reason}',
  'zone.rule.outside_area':
    'the zone lies outside the operation area (longitude {minLon} to {maxLon}, latitude {minLat} to {maxLat})',
  'zone.rule.partly_outside_area':
    'part of the zone lies outside the operation area (longitude {minLon} to {maxLon}, latitude {minLat} to {maxLat}); keep it inside',
  'zone.rule.active_order': 'activeTo must be after activeFrom',
  'zone.rule.already_over':
    'activeTo is already past: a zone must still be active or to come when it is declared or changed',
  'zone.rule.empty_update': 'send at least one field to change',
  'zone.rule.lifted':
    'the zone was lifted on {liftedAt}: it can no longer change; declare a new one',
  'zone.rule.version_conflict':
    'version {given} is not the current version ({current}) of the zone; reload it and try again',
  'zone.rule.other_seat':
    'this zone was declared by the {seat} seat: only that seat may change or lift it',

  'conflict.advice.no_go':
    'Your route crosses a no-go area while it is in force: change the route or the dates so the movement avoids it. The cell can advise an alternative.',
  'conflict.advice.caution':
    'Your route crosses an area where caution is advised while it is in force: reviewers will look at it; consider another route or other dates.',
} as const;

export type DeconflictionMessageKey = keyof typeof en;

const fr: Record<DeconflictionMessageKey, string> = {
  'zone.not_found': 'Zone d’accès restreint {id} introuvable.',
  'zone.rule.ring_too_short':
    'un anneau de polygone compte au moins 4 positions (3 sommets, puis le premier répété) ; celui-ci en a {count}',
  'zone.rule.ring_not_closed':
    'l’anneau n’est pas fermé : sa dernière position doit répéter la première ({first})',
  'zone.rule.position_dimensions':
    'une position s’écrit [longitude, latitude], éventuellement suivie d’une altitude',
  'zone.rule.too_many_positions':
    'la géométrie compte {count} positions ; au plus {max} sont acceptées : simplifiez-la',
  'zone.rule.geometry_or_circle':
    'donnez soit « geometry » (un Polygon ou MultiPolygon GeoJSON), soit « center » avec « radiusKm », pas les deux',
  'zone.rule.circle_incomplete': 'une zone circulaire demande « center » et « radiusKm »',
  'zone.rule.invalid_geometry':
    'le polygone n’est pas valide ({reason}) : redessinez-le sans qu’aucun côté n’en croise un autre',
  'zone.rule.unreadable_geometry': 'la géométrie est illisible : {reason}',
  'zone.rule.outside_area':
    'la zone est hors de la zone d’opération (longitude {minLon} à {maxLon}, latitude {minLat} à {maxLat})',
  'zone.rule.partly_outside_area':
    'une partie de la zone sort de la zone d’opération (longitude {minLon} à {maxLon}, latitude {minLat} à {maxLat}) ; gardez-la à l’intérieur',
  'zone.rule.active_order': 'activeTo doit être postérieur à activeFrom',
  'zone.rule.already_over':
    'activeTo est déjà passé : une zone doit être en vigueur ou à venir quand elle est déclarée ou modifiée',
  'zone.rule.empty_update': 'envoyez au moins un champ à modifier',
  'zone.rule.lifted':
    'la zone a été levée le {liftedAt} : elle ne peut plus changer ; déclarez-en une nouvelle',
  'zone.rule.version_conflict':
    'la version {given} n’est pas la version actuelle ({current}) de la zone ; rechargez-la et réessayez',
  'zone.rule.other_seat':
    'cette zone a été déclarée par le poste {seat} : seul ce poste peut la modifier ou la lever',

  'conflict.advice.no_go':
    'Votre itinéraire traverse une zone interdite pendant qu’elle est en vigueur : modifiez l’itinéraire ou les dates pour l’éviter. La cellule peut conseiller une alternative.',
  'conflict.advice.caution':
    'Votre itinéraire traverse une zone où la prudence est recommandée pendant qu’elle est en vigueur : les examinateurs l’étudieront ; envisagez un autre itinéraire ou d’autres dates.',
};

export const DECONFLICTION_MESSAGES: Record<Locale, Record<DeconflictionMessageKey, string>> = {
  en,
  fr,
};

/** The text of `key` in `locale`, with {placeholders} filled from params (as @hns/i18n's t()). */
export function deconflictionText(
  locale: Locale,
  key: DeconflictionMessageKey,
  params: MessageParams = {},
): string {
  return DECONFLICTION_MESSAGES[locale][key].replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

/** Both languages at once, as FieldProblem.text and LocalizedHttpException take them. */
export function bothLanguages(
  key: DeconflictionMessageKey,
  params: MessageParams = {},
): { fr: string; en: string } {
  return { fr: deconflictionText('fr', key, params), en: deconflictionText('en', key, params) };
}
