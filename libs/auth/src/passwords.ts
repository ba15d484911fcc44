import * as argon2 from 'argon2';
import { t } from '@hns/i18n';
import { checkPassword } from './password-policy';

/** argon2id with OWASP's recommended parameters (19 MiB, 2 passes). */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, OPTIONS);
}

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when the account does not exist (same timing). */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(`decoy-${Math.random()}`);
  return decoy;
}

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, checkPassword } from './password-policy';

/**
 * The password rule broken, in English then French ("… / …", as the administrator commands
 * write), or undefined. The rules are in password-policy.ts (NIST SP 800-63B).
 */
export function passwordProblem(plain: string, email?: string): string | undefined {
  const broken = checkPassword(plain, email);
  if (!broken) return undefined;
  return `${t('en', broken.messageKey, broken.params)} / ${t('fr', broken.messageKey, broken.params)}`;
}
