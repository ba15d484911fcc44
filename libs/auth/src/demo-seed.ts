import { randomBytes } from 'node:crypto';
import { SEATS } from '@hns/config';
import { AccountsService } from './accounts.service';

export interface DemoLogin {
  email: string;
  password: string;
  role: string;
  seat?: string;
  organisation?: string;
}

const ORGANISATIONS = [
  { name: 'Action Contre la Faim', acronym: 'ACF', email: 'ops@acf.example' },
  { name: 'Norwegian Refugee Council', acronym: 'NRC', email: 'ops@nrc.example' },
  { name: 'Médecins du Monde', acronym: 'MDM', email: 'ops@mdm.example' },
];

/**
 * A demo on an empty database: three organisations, an NGO focal point for two of them, one
 * user per seat of the cell and an administrator. Passwords are generated, never fixed.
 */
export async function seedDemo(accounts: AccountsService): Promise<DemoLogin[]> {
  const logins: DemoLogin[] = [];
  const password = () => `demo-${randomBytes(9).toString('base64url')}`;
  for (const org of ORGANISATIONS) await accounts.createOrganisation(org);
  for (const [email, org, locale] of [
    ['focal@acf.example', 'ACF', 'fr'],
    ['focal@nrc.example', 'NRC', 'en'],
  ] as const) {
    const login = { email, password: password(), role: 'ngo', organisation: org };
    await accounts.createUser({ email, password: login.password, role: 'ngo', org, locale });
    logins.push(login);
  }
  for (const seat of SEATS) {
    const email = `${seat.replace(/_/g, '-')}@cell.example`;
    const login = { email, password: password(), role: 'cell', seat };
    await accounts.createUser({
      email,
      password: login.password,
      role: 'cell',
      seat,
      locale: 'fr',
    });
    logins.push(login);
  }
  const admin = { email: 'admin@hns.example', password: password(), role: 'admin' };
  await accounts.createUser({ ...admin, role: 'admin', locale: 'en' });
  logins.push(admin);
  return logins;
}
