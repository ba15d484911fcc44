import { MESSAGES } from './messages';
import { negotiateLocale } from './locale';
import { t } from './translate';

describe('language negotiation', () => {
  it.each([
    [undefined, 'en'],
    ['fr', 'fr'],
    ['fr-ML,fr;q=0.9,en;q=0.8', 'fr'],
    ['en-GB,fr;q=0.5', 'en'],
    ['bm, fr;q=0.7', 'fr'],
    ['de, es', 'en'],
    ['fr;q=0, en', 'en'],
  ])('%s → %s', (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });
});

describe('message catalogue', () => {
  it('has every English message in French, with the same placeholders', () => {
    for (const [key, english] of Object.entries(MESSAGES.en)) {
      const french = MESSAGES.fr[key as keyof typeof MESSAGES.en];
      expect(french).toBeTruthy();
      const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
      expect([key, placeholders(french)]).toEqual([key, placeholders(english)]);
    }
  });

  it('fills placeholders', () => {
    expect(t('fr', 'movement.rule.lead_time', { hours: 48 })).toContain('au moins 48 h');
  });
});
