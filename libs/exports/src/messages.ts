import type { Locale, MessageParams } from '@hns/i18n';

/**
 * Every text of exports and imports, in English and French (as deconfliction keeps its own until
 * @hns/i18n takes the catalogue); French is typed against English so a missing one fails to compile.
 */
const en = {
  'import.too_large':
    'the file is too large: at most {max} bytes ({maxKb} KiB) per upload; split it into several files',
  'import.too_many_rows':
    'the file has {count} movements; at most {max} are accepted per upload: split it into several files',
  'import.not_csv': 'send the file as the request body with "Content-Type: text/csv" (UTF-8)',
  'import.csv_format': 'the file is not valid CSV: {reason}',
  'import.no_header': 'the first row must name the columns; download the template',
  'import.no_rows': 'the file has no movement rows under its header',
  'import.unknown_column':
    'unknown column "{column}"; the columns are those of the template (GET /imports/movements/template.csv)',
  'import.duplicate_column': 'the column "{column}" appears twice',
  'import.row_width': 'this row has {count} fields where the header has {columns}',
  'import.list_item': 'item {item} has {count} parts; write it as {format}, items separated by ";"',
  'import.not_saved':
    'this row could not be saved because of a server error; nothing of it was written: upload it again',
  'calendar.token_unknown': 'This calendar address is unknown or was revoked.',
} as const;

export type ExportsMessageKey = keyof typeof en;

const fr: Record<ExportsMessageKey, string> = {
  'import.too_large':
    'le fichier est trop volumineux : au plus {max} octets ({maxKb} Kio) par envoi ; découpez-le en plusieurs fichiers',
  'import.too_many_rows':
    'le fichier compte {count} mouvements ; au plus {max} sont acceptés par envoi : découpez-le en plusieurs fichiers',
  'import.not_csv':
    'envoyez le fichier comme corps de la requête avec « Content-Type: text/csv » (UTF-8)',
  'import.csv_format': 'le fichier n’est pas un CSV valide : {reason}',
  'import.no_header': 'la première ligne doit nommer les colonnes ; téléchargez le modèle',
  'import.no_rows': 'le fichier ne contient aucune ligne de mouvement sous son en-tête',
  'import.unknown_column':
    'colonne inconnue « {column} » ; les colonnes sont celles du modèle (GET /imports/movements/template.csv)',
  'import.duplicate_column': 'la colonne « {column} » apparaît deux fois',
  'import.row_width': 'cette ligne compte {count} champs alors que l’en-tête en a {columns}',
  'import.list_item':
    'l’élément {item} compte {count} parties ; écrivez-le {format}, éléments séparés par « ; »',
  'import.not_saved':
    'cette ligne n’a pas pu être enregistrée à cause d’une erreur du serveur ; rien n’en a été écrit : renvoyez-la',
  'calendar.token_unknown': 'Cette adresse de calendrier est inconnue ou a été révoquée.',
};

const MESSAGES: Record<Locale, Record<ExportsMessageKey, string>> = { en, fr };

/** Both languages at once, as FieldProblem.text and LocalizedHttpException take them. */
export function exportsText(
  key: ExportsMessageKey,
  params: MessageParams = {},
): { fr: string; en: string } {
  const fill = (template: string) =>
    template.replace(/\{(\w+)\}/g, (match, name: string) =>
      name in params ? String(params[name]) : match,
    );
  return { fr: fill(MESSAGES.fr[key]), en: fill(MESSAGES.en[key]) };
}
