import type { INestApplicationContext } from '@nestjs/common';
import { userInfo } from 'node:os';
import type { AuditRecord } from '@hns/audit';

/** The options every command may read (parsed by main.ts with node:util parseArgs). */
export interface CommandArgs {
  email?: string;
  password?: string;
  role?: string;
  org?: string;
  key?: string;
  movement?: string;
  kind?: string;
  version?: string;
  'since-id'?: string;
  'tolerance-seconds'?: string;
}

/** What a command prints (bilingual one-liners) and its exit code. */
export interface CommandResult {
  code: number;
  lines: string[];
}

export type Command = (app: INestApplicationContext, args: CommandArgs) => Promise<CommandResult>;

/** A refusal the administrator can act on: printed as is, exit code 1. */
export class CommandError extends Error {}

export function required(args: CommandArgs, name: keyof CommandArgs): string {
  const value = args[name]?.trim();
  if (!value) throw new CommandError(`--${name} is required / --${name} est obligatoire`);
  return value;
}

/** An audit record by the command line: no user account, the operating-system user named. */
export function cliAudit(
  action: string,
  entityType: string,
  entityId: string,
  details: Record<string, unknown> = {},
  organisationId: string | null = null,
): AuditRecord {
  return {
    actorUserId: null,
    actorRole: 'cli',
    organisationId,
    action,
    entityType,
    entityId,
    details: { ...details, osUser: osUser() },
  };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
