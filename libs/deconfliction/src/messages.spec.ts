import { LOCALES } from '../../i18n/src/locale';
import { DECONFLICTION_MESSAGES, DeconflictionMessageKey, deconflictionText } from './messages';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const keys = Object.keys(DECONFLICTION_MESSAGES.en) as DeconflictionMessageKey[];

describe('deconfliction messages', () => {
  it.each(keys)('%s reads in French and English with the same placeholders', (key) => {
    for (const locale of LOCALES) expect(DECONFLICTION_MESSAGES[locale][key].trim()).not.toBe('');
    expect(placeholders(DECONFLICTION_MESSAGES.fr[key])).toEqual(
      placeholders(DECONFLICTION_MESSAGES.en[key]),
    );
  });

  it('fills placeholders', () => {
    expect(deconflictionText('en', 'zone.rule.other_seat', { seat: 'undss' })).toBe(
      'this zone was declared by the undss seat: only that seat may change or lift it',
    );
  });
});
