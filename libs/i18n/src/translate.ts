import { MESSAGES, MessageKey } from './messages';
import { Locale } from './locale';

export type MessageParams = Record<string, string | number>;

/** The text of `key` in `locale`, with {placeholders} filled from params. */
export function t(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  const template = MESSAGES[locale][key];
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

/** Both languages, French first, as the cell writes to its partners. */
export function bilingual(key: MessageKey, params: MessageParams = {}): { fr: string; en: string } {
  return { fr: t('fr', key, params), en: t('en', key, params) };
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.prototype.hasOwnProperty.call(MESSAGES.en, value);
}
