import type { MessageKey, MessageParams } from '@hns/i18n';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;

/** A password rule broken, with its catalogue message (libs/i18n, French and English). */
export interface PasswordRuleBroken {
  rule: 'min_length' | 'max_length' | 'contains_account' | 'common';
  messageKey: MessageKey;
  params?: MessageParams;
}

/**
 * Passwords and passphrases seen most often in breach corpora, at least 12 characters long
 * (shorter ones are refused by length already), plus French ones common in the operation area.
 * Compared after lower-casing and removing spaces, so "Password 1234" is caught too.
 */
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456789123',
  '123123123123',
  '123412341234',
  '121212121212',
  '111111111111',
  '000000000000',
  '987654321098',
  '147258369147',
  '159753159753',
  '1q2w3e4r5t6y',
  '1q2w3e4r5t6y7u',
  '1qaz2wsx3edc',
  '1qazxsw23edc',
  'zaq12wsxcde3',
  'zaq1xsw2cde3',
  'qazwsxedcrfv',
  '1234qwerasdf',
  'qwerasdfzxcv',
  'qwertyuiopasdf',
  'qwertyuiop123',
  'qwerty123456',
  'qwertyqwerty',
  'azertyuiop12',
  'azerty123456',
  'azertyazerty',
  'asdfghjkl123',
  'zxcvbnm12345',
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'passw0rd1234',
  'p@ssw0rd1234',
  'p@ssword1234',
  'mypassword123',
  'changeme1234',
  'changemenow1',
  'letmein12345',
  'welcome12345',
  'welcome123456',
  'iloveyou1234',
  'iloveyouiloveyou',
  'trustno1trustno1',
  'administrator',
  'administrator1',
  'administrateur',
  'football1234',
  'baseball1234',
  'basketball12',
  'princess1234',
  'sunshine1234',
  'superman1234',
  'starwars1234',
  'dragon123456',
  'monkey123456',
  'master123456',
  'michael12345',
  'jennifer1234',
  'abcdefghijkl',
  'abcd12345678',
  'abc123456789',
  'motdepasse12',
  'motdepasse123',
  'motdepasse1234',
  'bienvenue123',
  'bienvenue1234',
  'soleil123456',
  'doudou123456',
  'chouchou1234',
  'loulou123456',
  'jetaime12345',
  'jetaimejetaime',
  'nicolas12345',
  'marseille1313',
  'azertyuiopqsdf',
  'qsdfghjklm12',
  'wxcvbn123456',
]);

/** Words a guesser tries first, with a few digits or symbols around them. */
const BASE_WORDS = [
  'password',
  'passwort',
  'motdepasse',
  'passe',
  'qwerty',
  'azerty',
  'welcome',
  'bienvenue',
  'letmein',
  'iloveyou',
  'jetaime',
  'admin',
  'administrator',
  'administrateur',
  'changeme',
  'secret',
  'default',
  'monkey',
  'dragon',
  'football',
  'soleil',
  'master',
  'sunshine',
  'princess',
  'trustno',
  // This system and its context (NIST SP 800-63B: context-specific words).
  'cmcoord',
  'hns',
  'humanitarian',
  'humanitaire',
  'convoy',
  'convoi',
  'mali',
  'bamako',
];

/** Runs a guesser walks along: digits, alphabet, keyboard rows (QWERTY and AZERTY). */
const SEQUENCES = [
  '01234567890123456789',
  'abcdefghijklmnopqrstuvwxyz',
  'qwertyuiopasdfghjklzxcvbnm',
  'azertyuiopqsdfghjklmwxcvbn',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  'qazwsxedcrfvtgbyhnujmikolp',
  '1234567890qwertyuiop',
  '1234567890azertyuiop',
];

const LEET: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '8': 'b',
  '3': 'e',
  '1': 'i',
  '!': 'i',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
};

function simplify(plain: string): string {
  return plain
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, '');
}

/** True for a run along one of SEQUENCES, forwards or backwards, possibly repeated. */
function isSequence(text: string): boolean {
  if (text.length < 4) return false;
  for (const sequence of SEQUENCES) {
    const reversed = [...sequence].reverse().join('');
    for (const line of [sequence, reversed]) {
      // Cut the text in chunks that each follow the line (e.g. "123412341234").
      let position = 0;
      while (position < text.length) {
        let best = 0;
        for (let length = text.length - position; length >= 3; length -= 1) {
          if (line.includes(text.slice(position, position + length))) {
            best = length;
            break;
          }
        }
        if (best === 0) break;
        position += best;
      }
      if (position >= text.length) return true;
    }
  }
  return false;
}

/** True when `core` is one short unit repeated ("abcabcabcabc", "passwordpassword"). */
function isRepetition(text: string): boolean {
  for (let unit = 1; unit <= text.length / 2; unit += 1) {
    if (text.length % unit === 0 && text.slice(0, unit).repeat(text.length / unit) === text)
      return true;
  }
  return false;
}

/** A predictable password: common, a sequence, a repetition, or a base word with padding. */
export function isPredictable(plain: string): boolean {
  const simple = simplify(plain);
  if (COMMON_PASSWORDS.has(simple)) return true;
  if (new Set(simple).size < 5) return true;
  // Letters and digits of any script: symbols alone are no secret.
  const compact = simple.replace(/[^\p{L}\p{N}]/gu, '');
  if (compact.length === 0 || isSequence(compact) || isRepetition(compact)) return true;
  // Strip the digits and symbols people add around a word, then undo l33t spelling.
  const core = simple
    .replace(/^[^a-z]+/, '')
    .replace(/[^a-z]+$/, '')
    .replace(/[@4831!05$7]/g, (c) => LEET[c] ?? c)
    .replace(/[^a-z]/g, '');
  if (core.length >= 4 && (isSequence(core) || isRepetition(core))) return true;
  return BASE_WORDS.some((word) => {
    if (!core.includes(word)) return false;
    // The word plus at most four other letters ("password", "mypassword", "passwordabc").
    return core.length - word.length <= 4;
  });
}

/**
 * The first password rule broken, or undefined. NIST SP 800-63B: a minimum length, a generous
 * maximum, no composition rules, refused when common, predictable or containing the account.
 */
export function checkPassword(plain: string, email?: string): PasswordRuleBroken | undefined {
  if ([...plain].length < PASSWORD_MIN_LENGTH)
    return {
      rule: 'min_length',
      messageKey: 'password.too_short',
      params: { min: PASSWORD_MIN_LENGTH },
    };
  if (plain.length > PASSWORD_MAX_LENGTH)
    return {
      rule: 'max_length',
      messageKey: 'password.too_long',
      params: { max: PASSWORD_MAX_LENGTH },
    };
  if (email && containsAccount(plain, email))
    return { rule: 'contains_account', messageKey: 'password.contains_account' };
  if (isPredictable(plain)) return { rule: 'common', messageKey: 'password.common' };
  return undefined;
}

/** The email's local part (whole, or a part of 4+ letters) or its domain name in the password. */
function containsAccount(plain: string, email: string): boolean {
  const simple = simplify(plain);
  const [local = '', domain = ''] = email.toLowerCase().split('@');
  const parts = [local, ...local.split(/[._+-]+/), domain.split('.')[0] ?? ''];
  return parts.some(
    (part) => part.length >= (part === local ? 3 : 4) && simple.includes(part.replace(/\s+/g, '')),
  );
}
