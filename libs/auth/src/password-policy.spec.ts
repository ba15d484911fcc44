import { t } from '@hns/i18n';
import { checkPassword, isPredictable } from './password-policy';
import { passwordProblem } from './passwords';

describe('password policy (NIST SP 800-63B)', () => {
  it.each([
    'correct horse battery staple',
    'a brand new passphrase',
    'Le fleuve Niger à Mopti en crue',
    'gao-timbuktu-kidal-2026!',
    'tR7#qL9v!mZ2',
    'demo-1uT5kq0zXgL_Bw2',
    '長い日本語のパスフレーズです',
  ])('accepts %j (no composition rule)', (password) => {
    expect(checkPassword(password, 'focal@acf.example')).toBeUndefined();
  });

  it('needs at least 12 characters (counted as characters, not bytes), at most 200', () => {
    expect(checkPassword('elevenchars')).toMatchObject({ rule: 'min_length', params: { min: 12 } });
    expect(checkPassword('ééééé-ççççç')?.rule).toBe('min_length');
    expect(checkPassword('x'.repeat(201))?.rule).toBe('max_length');
    expect(checkPassword(`${'a long passphrase '.repeat(11)}ok`.slice(0, 200))).toBeUndefined();
  });

  it.each([
    ['aminata.traore-2026', 'aminata.traore@acf.example'],
    ['my traore passphrase', 'aminata.traore@acf.example'],
    ['Ops at ACF-Mali office', 'ops@acf-mali.example'],
    ['xyzFOCALxyz123', 'focal@acf.example'],
  ])('refuses %j for %s (contains the account)', (password, email) => {
    expect(checkPassword(password, email)?.rule).toBe('contains_account');
  });

  it.each([
    'password1234',
    'Password 1234',
    'P@ssw0rd2026!',
    'MotDePasse2026',
    'motdepasse123',
    'qwertyuiop12',
    'azertyuiop123',
    '123456789012',
    '1234567890123',
    'aaaaaaaaaaaa',
    'abababababab',
    'abcdefghijklmn',
    'zyxwvutsrqpo',
    '1qaz2wsx3edc',
    'iloveyou2026',
    'welcome12345!',
    'bienvenue2026',
    'passwordpassword',
    'cmcoord-2026!',
    'hns-hns-hns-hns',
    'letmein!letmein',
    '!!!!!!!!!!!!!!',
  ])('refuses the common or predictable %j', (password) => {
    expect(isPredictable(password)).toBe(true);
    expect(checkPassword(password)?.rule).toBe('common');
  });

  it('says which rule, in English and French', () => {
    const broken = checkPassword('short')!;
    expect(t('en', broken.messageKey, broken.params)).toContain('at least 12 characters');
    expect(t('fr', broken.messageKey, broken.params)).toContain('au moins 12 caractères');
    expect(passwordProblem('password1234')).toBe(
      'is too common or too predictable; choose another passphrase / ' +
        'est trop courant ou trop prévisible ; choisissez une autre phrase de passe',
    );
    expect(passwordProblem('a brand new passphrase')).toBeUndefined();
  });
});
