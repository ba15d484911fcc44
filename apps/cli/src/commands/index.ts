import { auditVerify } from './audit-verify';
import type { Command } from './command';
import { deconflict } from './deconflict';
import { RESENDABLE_KINDS, emailResend } from './email-resend';
import { userDisable, userEnable, userList, userResetPassword } from './users';

export * from './command';
export { assessAuditLog } from './audit-assessment';
export {
  auditVerify,
  deconflict,
  emailResend,
  userDisable,
  userEnable,
  userList,
  userResetPassword,
};

/** The operations commands, run in the OperationsModule context by main.ts. */
export const OPERATIONS: Record<string, Command> = {
  'user:list': userList,
  'user:disable': userDisable,
  'user:enable': userEnable,
  'user:reset-password': userResetPassword,
  'email:resend': emailResend,
  deconflict,
  'audit:verify': auditVerify,
};

export const OPERATIONS_USAGE = `
  npm run cli -- user:list [--role ngo|cell|admin] [--org ACF]
  npm run cli -- user:disable --email a@acf.example      (refused at once, tokens included / refusé aussitôt)
  npm run cli -- user:enable --email a@acf.example
  npm run cli -- user:reset-password --email a@acf.example --password '…'
  npm run cli -- email:resend --key 'movement.acknowledgement:<movement id>:v2'
  npm run cli -- email:resend --movement HNS-ML-2026-000123 --kind movement.receipt [--version 2]
      Sends the email again as a NEW delivery "<key>:resend:<n>" (own Message-ID), rendered from
      the current records, even if the original was sent; the original stays on record. Sent from
      this process: SMTP_URL (or the worker's development sink) must be reachable.
      / Renvoie l'e-mail comme une nouvelle remise ; l'original reste au dossier.
      Kinds / types: ${RESENDABLE_KINDS.join(', ')}
  npm run cli -- deconflict --movement HNS-ML-2026-000123
      Re-runs the conflict engine on the current version, with its consequences (a new no-go
      conflict flags and escalates), and prints the conflicts / relance la déconfliction.
  npm run cli -- audit:verify [--since-id N] [--tolerance-seconds 60]
      Seals new events, recomputes the hash chain and names its first broken link; also checks
      the append-only triggers, gapless ids and time order; exit 1 on a problem
      / scelle les nouveaux événements, recalcule la chaîne de hachage et nomme le premier
      maillon rompu ; vérifie aussi les déclencheurs, les identifiants et l'ordre ; code 1 en
      cas de problème.

Changes are audited with actor "cli" / les modifications sont journalisées (acteur « cli »).`;
