import * as argon2 from 'argon2';

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

export const PASSWORD_MIN_LENGTH = 12;

/** Returns the rule broken, or undefined. Length over composition rules (NIST SP 800-63B). */
export function passwordProblem(plain: string, email?: string): string | undefined {
  if (plain.length < PASSWORD_MIN_LENGTH)
    return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (plain.length > 200) return 'must be at most 200 characters';
  const account = email?.split('@')[0].toLowerCase() ?? '';
  if (account.length >= 4 && plain.toLowerCase().includes(account))
    return 'must not contain the account name';
  if (/^(.)\1+$/.test(plain)) return 'must not repeat a single character';
  return undefined;
}
