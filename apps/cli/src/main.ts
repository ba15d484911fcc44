import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AccountError, AccountsService } from '@hns/auth';
import { ConfigError, loadConfig } from '@hns/config';
import { DatabaseSetupError, migrateDatabase } from '@hns/database';
import { AdminModule } from './admin.module';
import { CommandArgs, CommandError, OPERATIONS, OPERATIONS_USAGE } from './commands';
import { OperationsModule } from './operations.module';

const USAGE = `CMCoord HNS administration / administration

  npm run cli -- migrate
  npm run cli -- org:create --name "Action Contre la Faim" --acronym ACF --email ops@acf.example
  npm run cli -- user:create --email a@acf.example --password '…' --role ngo --org ACF [--locale fr|en] [--name "…"]
  npm run cli -- user:create --email u@undss.example --password '…' --role cell --seat undss
  npm run cli -- user:create --email root@hns.example --password '…' --role admin

Seats / sièges: armed_forces_liaison, undss, wfp_logistics, ocha
Passwords: at least 12 characters / au moins 12 caractères.
${OPERATIONS_USAGE}`;

async function withAccounts<T>(work: (accounts: AccountsService) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(AdminModule, { logger: ['error'] });
  try {
    return await work(app.get(AccountsService));
  } finally {
    await app.close();
  }
}

/** The operations commands (commands/): run in their own application context, then closed. */
async function runOperation(command: string, values: CommandArgs): Promise<number> {
  const app = await NestFactory.createApplicationContext(OperationsModule, { logger: ['error'] });
  try {
    const result = await OPERATIONS[command](app, values);
    for (const line of result.lines) console.log(line);
    return result.code;
  } finally {
    await app.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      acronym: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      seat: { type: 'string' },
      org: { type: 'string' },
      locale: { type: 'string' },
      key: { type: 'string' },
      movement: { type: 'string' },
      kind: { type: 'string' },
      version: { type: 'string' },
      'since-id': { type: 'string' },
      'tolerance-seconds': { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig();
  switch (command) {
    case 'migrate': {
      const applied = await migrateDatabase({ url: config.DATABASE_URL });
      console.log(
        applied.length
          ? `Migrations applied / migrations appliquées: ${applied.join(', ')}`
          : 'Database up to date / base de données à jour',
      );
      return 0;
    }
    case 'org:create': {
      const org = await withAccounts((a) =>
        a.createOrganisation({
          name: values.name ?? '',
          acronym: values.acronym ?? '',
          email: values.email ?? '',
        }),
      );
      console.log(
        `Organisation created / organisation créée: ${org.acronym} — ${org.name} (${org.id})`,
      );
      return 0;
    }
    case 'user:create': {
      const user = await withAccounts((a) =>
        a.createUser({
          email: values.email ?? '',
          password: values.password ?? '',
          role: values.role as never,
          seat: values.seat as never,
          org: values.org,
          locale: (values.locale ?? 'fr') as never,
          displayName: values.name,
        }),
      );
      const detail = user.seat
        ? ` seat/siège ${user.seat}`
        : values.org
          ? ` org ${values.org}`
          : '';
      console.log(
        `User created / utilisateur créé: ${user.email} (${user.role}${detail}) ${user.id}`,
      );
      return 0;
    }
    default:
      if (command !== undefined && Object.hasOwn(OPERATIONS, command)) {
        return runOperation(command, values);
      }
      console.log(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    const known =
      error instanceof AccountError ||
      error instanceof CommandError ||
      error instanceof ConfigError ||
      error instanceof DatabaseSetupError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(known ? `Error / erreur:\n${(error as Error).message}` : error);
    process.exit(1);
  });
