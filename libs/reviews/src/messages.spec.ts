import { LOCALES } from '../../i18n/src/locale';
import { REVIEW_MESSAGES, type ReviewMessageKey, refusal, reviewText } from './messages';
import { REASON_CODES, SYSTEM_REASON_CODES, describeReason, isReasonCode } from './reason-codes';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const keys = Object.keys(REVIEW_MESSAGES.en) as ReviewMessageKey[];

describe('review messages', () => {
  it.each(keys)('%s reads in French and English with the same placeholders', (key) => {
    for (const locale of LOCALES) expect(REVIEW_MESSAGES[locale][key].trim()).not.toBe('');
    expect(placeholders(REVIEW_MESSAGES.fr[key])).toEqual(placeholders(REVIEW_MESSAGES.en[key]));
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(reviewText('en', 'review.rule.comment_too_long', { max: 2000 })).toBe(
      'the comment may be at most 2000 characters',
    );
    expect(reviewText('fr', 'review.rule.comment_too_long')).toContain('{max}');
  });

  it('builds a refusal with its rule, key, params and English reason', () => {
    expect(refusal('stale_version', { given: 1, current: 2 })).toEqual({
      rule: 'stale_version',
      messageKey: 'review.rule.stale_version',
      params: { given: 1, current: 2 },
      reason:
        'version 1 is not the current version (2); reload the movement and review the current version',
    });
  });
});

describe('reason codes', () => {
  it.each([...REASON_CODES, ...SYSTEM_REASON_CODES])(
    '%s tells the organisation what is wrong and what to change',
    (code) => {
      for (const locale of LOCALES) {
        const { label, hint } = describeReason(code, locale);
        expect(label).not.toBe('');
        expect(hint).not.toBe('');
        expect(hint).not.toBe(label);
      }
      expect(describeReason(code, 'fr')).not.toEqual(describeReason(code, 'en'));
    },
  );

  it('has no catalogue text for a code that does not exist', () => {
    const described = keys
      .filter((key) => key.startsWith('review.reason.'))
      .map((key) => key.replace(/^review\.reason\./, '').replace(/\.hint$/, ''));
    expect([...new Set(described)].sort()).toEqual(
      [...REASON_CODES, ...SYSTEM_REASON_CODES].sort(),
    );
  });

  it('words the restricted-area reason in French without naming the zone', () => {
    expect(describeReason('route_through_restricted_area', 'fr')).toEqual({
      label: 'L’itinéraire traverse une zone d’accès restreint',
      hint: expect.stringContaining('évite la zone d’accès restreint'),
    });
  });

  it('recognises catalogue codes only', () => {
    expect(isReasonCode('unclear_cargo')).toBe(true);
    expect(isReasonCode('looks_suspicious')).toBe(false);
  });
});
