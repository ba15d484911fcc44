/**
 * Every text a user reads from the API and the emails, in English and French.
 * The French catalogue is typed against the English one, so a missing translation fails to compile.
 */
const en = {
  // Generic HTTP answers
  'http.bad_request': 'The request is not valid.',
  'http.validation_failed': 'The request has {count} problem(s): {summary}',
  'http.unauthorized': 'Sign in first: send a valid "Authorization: Bearer <token>" header.',
  'http.forbidden': 'Your role does not allow this action.',
  'http.not_found': 'Not found.',
  'http.conflict': 'The request conflicts with the current state.',
  'http.payload_too_large': 'The request body is too large.',
  'http.too_many_requests': 'Too many requests; try again later.',
  'http.unsupported_media_type': 'Send the body as application/json.',
  'http.internal': 'An unexpected error occurred. It has been logged; please try again.',
  'http.unavailable': 'The service is temporarily unavailable; try again in a few seconds.',
  'http.route_not_found': 'No such route: {method} {path}.',
  'http.malformed_json': 'The body is not valid JSON.',
  'http.invalid_characters':
    'Contains a character that cannot be stored (a NUL byte or a lone UTF-16 surrogate).',

  // Authentication
  'auth.invalid_credentials': 'Email or password is incorrect.',
  'auth.account_disabled': 'This account is disabled. Contact your administrator.',
  'auth.token_invalid': 'The access token is invalid or expired; sign in again.',
  'auth.too_many_attempts':
    'Too many sign-in attempts for this account or from this address; try again in {minutes} minute(s).',
  'auth.refresh_invalid': 'The refresh token is invalid, expired or revoked; sign in again.',
  'http.rate_limited': 'Too many requests; try again in {seconds} second(s).',
  'password.too_short': 'must be at least {min} characters (a passphrase of several words is best)',
  'password.too_long': 'must be at most {max} characters',
  'password.contains_account': 'must not contain the account name or email address',
  'password.common': 'is too common or too predictable; choose another passphrase',

  // Idempotency
  'idempotency.key_reused':
    'Idempotency-Key "{key}" was already used with a different request body; use a new key for a new notification.',
  'idempotency.key_invalid': 'Idempotency-Key must be 1 to 200 visible ASCII characters.',
  'idempotency.in_progress':
    'A request with Idempotency-Key "{key}" is still being processed; retry shortly.',

  // Movement rules
  'movement.not_found': 'Movement notification {id} was not found.',
  'movement.rule.departure_in_past': 'departure must be in the future',
  'movement.rule.arrival_after_departure': 'arrival must be after departure',
  'movement.rule.window_too_long':
    'a movement may last at most {days} days; notify longer operations in stages',
  'movement.rule.lead_time':
    'routine movements must be notified at least {hours} h ahead; use priority "emergency" with a reason for shorter notice',
  'movement.rule.emergency_reason':
    'required when priority is "emergency" (at least {min} characters)',
  'movement.rule.outside_area':
    'must lie inside the operation area (longitude {minLon} to {maxLon}, latitude {minLat} to {maxLat})',
  'movement.rule.escort_justification':
    'required when an escort is requested or imposed: armed escorts are a last resort (IASC guidelines); explain why (at least {min} characters)',
  'movement.rule.vehicles_required': 'at least one vehicle is required for a road movement',
  'movement.rule.personnel_required': 'at least one person must travel (national + international)',
  'movement.rule.data_accuracy':
    'must be true: the submitting organisation confirms the data is accurate',
  'movement.rule.not_amendable': 'a movement that is {status} can no longer be amended',
  'movement.rule.not_cancellable': 'a movement that is {status} can no longer be cancelled',
  'movement.rule.version_conflict':
    'version {given} is not the current version ({current}); reload the movement and amend the current version',
  'movement.rule.empty_amendment': 'send at least one field to change',

  // Statuses, as users read them
  'status.submitted': 'submitted',
  'status.in_review': 'in review',
  'status.flagged': 'flagged',
  'status.escalated': 'escalated',
  'status.acknowledged': 'acknowledged',
  'status.in_progress': 'in progress',
  'status.completed': 'completed',
  'status.cancelled': 'cancelled',
  'status.expired': 'expired',

  // Operations: the queue dashboard (/admin/queues)
  'operations.dashboard_cross_origin':
    'Dashboard actions signed in by the session cookie must come from this site’s own pages; send an "Authorization: Bearer <token>" header instead.',
  'operations.dashboard_action_refused':
    'This dashboard action is disabled: it would drop, forge or put off jobs the outbox has already handed over, or stop one of the worker’s schedules, and nothing would bring them back. Retry, promote or clean finished jobs instead.',
} as const;

export type MessageKey = keyof typeof en;

const fr: Record<MessageKey, string> = {
  'http.bad_request': "La requête n'est pas valide.",
  'http.validation_failed': 'La requête comporte {count} problème(s) : {summary}',
  'http.unauthorized':
    "Connectez-vous d'abord : envoyez un en-tête « Authorization: Bearer <jeton> » valide.",
  'http.forbidden': 'Votre rôle ne permet pas cette action.',
  'http.not_found': 'Introuvable.',
  'http.conflict': "La requête est en conflit avec l'état actuel.",
  'http.payload_too_large': 'Le corps de la requête est trop volumineux.',
  'http.too_many_requests': 'Trop de requêtes ; réessayez plus tard.',
  'http.unsupported_media_type': 'Envoyez le corps en application/json.',
  'http.internal':
    "Une erreur inattendue s'est produite. Elle a été journalisée ; veuillez réessayer.",
  'http.unavailable':
    'Le service est momentanément indisponible ; réessayez dans quelques secondes.',
  'http.route_not_found': 'Route inconnue : {method} {path}.',
  'http.malformed_json': "Le corps n'est pas du JSON valide.",
  'http.invalid_characters':
    'Contient un caractère impossible à enregistrer (un octet NUL ou un demi-caractère UTF-16 isolé).',

  'auth.invalid_credentials': 'Adresse e-mail ou mot de passe incorrect.',
  'auth.account_disabled': 'Ce compte est désactivé. Contactez votre administrateur.',
  'auth.token_invalid': "Le jeton d'accès est invalide ou expiré ; reconnectez-vous.",
  'auth.too_many_attempts':
    'Trop de tentatives de connexion pour ce compte ou depuis cette adresse ; réessayez dans {minutes} minute(s).',
  'auth.refresh_invalid':
    'Le jeton de renouvellement est invalide, expiré ou révoqué ; reconnectez-vous.',
  'http.rate_limited': 'Trop de requêtes ; réessayez dans {seconds} seconde(s).',
  'password.too_short':
    'doit compter au moins {min} caractères (une phrase de passe de plusieurs mots est préférable)',
  'password.too_long': 'doit compter au plus {max} caractères',
  'password.contains_account': "ne doit contenir ni le nom du compte ni l'adresse e-mail",
  'password.common': 'est trop courant ou trop prévisible ; choisissez une autre phrase de passe',

  'idempotency.key_reused':
    "L'Idempotency-Key « {key} » a déjà servi pour un autre contenu ; utilisez une nouvelle clé pour une nouvelle notification.",
  'idempotency.key_invalid': "L'Idempotency-Key doit compter de 1 à 200 caractères ASCII visibles.",
  'idempotency.in_progress':
    "Une requête avec l'Idempotency-Key « {key} » est encore en cours ; réessayez dans un instant.",

  'movement.not_found': 'Notification de mouvement {id} introuvable.',
  'movement.rule.departure_in_past': 'le départ doit être dans le futur',
  'movement.rule.arrival_after_departure': "l'arrivée doit être postérieure au départ",
  'movement.rule.window_too_long':
    'un mouvement dure au plus {days} jours ; notifiez les opérations plus longues par étapes',
  'movement.rule.lead_time':
    'les mouvements de routine doivent être notifiés au moins {hours} h à l’avance ; utilisez la priorité « emergency » avec un motif pour un préavis plus court',
  'movement.rule.emergency_reason':
    'obligatoire quand la priorité est « emergency » (au moins {min} caractères)',
  'movement.rule.outside_area':
    "doit se trouver dans la zone d'opération (longitude {minLon} à {maxLon}, latitude {minLat} à {maxLat})",
  'movement.rule.escort_justification':
    "obligatoire quand une escorte est demandée ou imposée : les escortes armées sont un dernier recours (directives de l'IASC) ; expliquez pourquoi (au moins {min} caractères)",
  'movement.rule.vehicles_required': 'au moins un véhicule est requis pour un mouvement routier',
  'movement.rule.personnel_required':
    'au moins une personne doit voyager (nationaux + internationaux)',
  'movement.rule.data_accuracy':
    "doit valoir true : l'organisation qui soumet confirme l'exactitude des données",
  'movement.rule.not_amendable': 'un mouvement au statut « {status} » ne peut plus être modifié',
  'movement.rule.not_cancellable': 'un mouvement au statut « {status} » ne peut plus être annulé',
  'movement.rule.version_conflict':
    "la version {given} n'est pas la version actuelle ({current}) ; rechargez le mouvement et modifiez la version actuelle",
  'movement.rule.empty_amendment': 'envoyez au moins un champ à modifier',

  'status.submitted': 'soumis',
  'status.in_review': 'en cours d’examen',
  'status.flagged': 'signalé',
  'status.escalated': 'escaladé',
  'status.acknowledged': 'pris en compte',
  'status.in_progress': 'en cours',
  'status.completed': 'terminé',
  'status.cancelled': 'annulé',
  'status.expired': 'expiré',

  'operations.dashboard_cross_origin':
    'Les actions du tableau de bord authentifiées par le cookie de session doivent venir des pages de ce site ; envoyez plutôt un en-tête « Authorization: Bearer <jeton> ».',
  'operations.dashboard_action_refused':
    'Cette action du tableau de bord est désactivée : elle supprimerait, fabriquerait ou retarderait des tâches déjà transmises par la boîte d’envoi, ou arrêterait une planification du worker, et rien ne les rétablirait. Relancez, avancez ou nettoyez plutôt les tâches terminées.',
};

export const MESSAGES: Record<'en' | 'fr', Record<MessageKey, string>> = { en, fr };
