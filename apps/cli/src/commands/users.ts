import { DataSource, EntityManager } from 'typeorm';
import { recordAudit } from '@hns/audit';
import { ROLES, hashPassword, passwordProblem, revokeUserSessions } from '@hns/auth';
import { Command, CommandError, cliAudit, required } from './command';

interface UserRow {
  id: string;
  email: string;
  role: string;
  seat: string | null;
  organisation_id: string | null;
  acronym: string | null;
  locale: string;
  disabled_at: Date | null;
  created_at: Date;
}

const USER_SQL = `
  SELECT u.id, u.email, u.role, u.seat, u.organisation_id, o.acronym, u.locale, u.disabled_at,
         u.created_at
  FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id`;

/** user:list [--role ngo|cell|admin] [--org ACRONYM] */
export const userList: Command = async (app, args) => {
  const db = app.get(DataSource);
  const params: unknown[] = [];
  const where: string[] = [];
  if (args.role) {
    if (!(ROLES as readonly string[]).includes(args.role)) {
      throw new CommandError(`--role: one of / l'un de ${ROLES.join(', ')}`);
    }
    params.push(args.role);
    where.push(`u.role = $${params.length}`);
  }
  if (args.org) {
    const [org] = await db.query(`SELECT 1 FROM organisations WHERE upper(acronym) = upper($1)`, [
      args.org,
    ]);
    if (!org) throw new CommandError(`--org: no organisation / aucune organisation "${args.org}"`);
    params.push(args.org);
    where.push(`upper(o.acronym) = upper($${params.length})`);
  }
  const users: UserRow[] = await db.query(
    `${USER_SQL} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY u.role, o.acronym NULLS FIRST, u.email`,
    params,
  );
  const lines = users.map((u) =>
    [
      u.email.padEnd(36),
      `${u.role}${u.seat ? `:${u.seat}` : ''}`.padEnd(26),
      (u.acronym ?? '-').padEnd(10),
      u.locale,
      u.disabled_at
        ? `disabled since / désactivé depuis ${u.disabled_at.toISOString()}`
        : 'active / actif',
    ].join(' '),
  );
  return { code: 0, lines: [...lines, `${users.length} user(s) / utilisateur(s)`] };
};

/** user:disable --email: sign-in and every request with an existing token refused at once. */
export const userDisable: Command = async (app, args) => {
  const email = required(args, 'email');
  return app.get(DataSource).transaction(async (manager) => {
    const user = await lockUser(manager, email);
    if (user.disabled_at) {
      return { code: 0, lines: [`Already disabled / déjà désactivé: ${user.email}`] };
    }
    await manager.query(`UPDATE users SET disabled_at = now(), updated_at = now() WHERE id = $1`, [
      user.id,
    ]);
    // Its sign-ins end too: refresh tokens and the access tokens of those sessions.
    const sessionsRevoked = await revokeUserSessions(manager, user.id, 'user_disabled');
    await recordAudit(
      manager,
      cliAudit(
        'user.disabled',
        'user',
        user.id,
        { email: user.email, sessionsRevoked },
        user.organisation_id,
      ),
    );
    return { code: 0, lines: [`User disabled / utilisateur désactivé: ${user.email}`] };
  });
};

/** user:enable --email */
export const userEnable: Command = async (app, args) => {
  const email = required(args, 'email');
  return app.get(DataSource).transaction(async (manager) => {
    const user = await lockUser(manager, email);
    if (!user.disabled_at)
      return { code: 0, lines: [`Already active / déjà actif: ${user.email}`] };
    await manager.query(`UPDATE users SET disabled_at = NULL, updated_at = now() WHERE id = $1`, [
      user.id,
    ]);
    await recordAudit(
      manager,
      cliAudit('user.enabled', 'user', user.id, { email: user.email }, user.organisation_id),
    );
    return { code: 0, lines: [`User enabled / utilisateur réactivé: ${user.email}`] };
  });
};

/** user:reset-password --email --password: the same rules and argon2id hashing as user:create. */
export const userResetPassword: Command = async (app, args) => {
  const email = required(args, 'email');
  const password = args.password ?? '';
  const problem = passwordProblem(password, email);
  if (problem) throw new CommandError(`password: ${problem}`);
  const hash = await hashPassword(password);
  return app.get(DataSource).transaction(async (manager) => {
    const user = await lockUser(manager, email);
    await manager.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, [
      user.id,
      hash,
    ]);
    // Whoever knew the old password is signed out everywhere.
    const sessionsRevoked = await revokeUserSessions(manager, user.id, 'password_reset');
    await recordAudit(
      manager,
      cliAudit(
        'user.password_reset',
        'user',
        user.id,
        { email: user.email, sessionsRevoked },
        user.organisation_id,
      ),
    );
    return {
      code: 0,
      lines: [
        `Password reset / mot de passe réinitialisé: ${user.email}` +
          ` (${sessionsRevoked} sign-in(s) revoked / connexion(s) révoquée(s))`,
      ],
    };
  });
};

async function lockUser(manager: EntityManager, email: string): Promise<UserRow> {
  const [user]: UserRow[] = await manager.query(
    `${USER_SQL} WHERE lower(u.email) = lower($1) FOR UPDATE OF u`,
    [email],
  );
  if (!user) throw new CommandError(`email: no user / aucun utilisateur "${email}"`);
  return user;
}
