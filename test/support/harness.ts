import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/src/create-api';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { AccountsService } from '@hns/auth';
import { PinoNestLogger, configureLogging } from '@hns/logging';
import { HOUR, convoyNoticeAt } from './fixtures';
import { SmtpTestServer } from './smtp-test-server';
import { createFileDatabase } from './file-database';
import { testRedisUrl } from './test-env';

export interface Harness {
  api: NestFastifyApplication;
  worker?: INestApplicationContext;
  smtp: SmtpTestServer;
  db: DataSource;
  accounts: AccountsService;
  close(): Promise<void>;
}

/**
 * The API (Fastify, in process, driven with inject) and, optionally, the worker, against the real
 * test PostgreSQL/PostGIS and Redis, with an SMTP server of the test's own. Each harness uses its
 * own queue prefix and its own copy of the migrated test database (createFileDatabase), so test
 * files never see each other's jobs or data.
 */
export async function startHarness(
  options: {
    worker?: boolean;
    env?: Record<string, string>;
    /** Capture the JSON log lines (API and worker, Nest's own included) in this stream. */
    logs?: { write(line: string): void };
  } = {},
): Promise<Harness> {
  const smtp = await new SmtpTestServer().start();
  const database = await createFileDatabase();
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    SMTP_URL: smtp.url,
    QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    APP_URL: 'http://hns.test',
    OCHA_CELL_EMAILS: 'cell@ocha.test',
    UNDSS_ESCALATION_EMAILS: 'duty@undss.test',
    ...options.env,
  });
  if (options.logs)
    configureLogging({ service: 'test', level: 'debug', destination: options.logs });
  const api = await createApiApp(options.logs ? {} : { logger: false });
  await api.init();
  await api.getHttpAdapter().getInstance().ready();
  let worker: INestApplicationContext | undefined;
  if (options.worker) {
    worker = await NestFactory.createApplicationContext(WorkerModule, {
      logger: options.logs ? new PinoNestLogger() : ['error', 'warn'],
    });
    await worker.init();
  }
  return {
    api,
    worker,
    smtp,
    db: api.get(DataSource),
    accounts: api.get(AccountsService),
    async close() {
      await worker?.close();
      await api.close();
      await smtp.stop();
      await database.drop();
    },
  };
}

export const uniqueSuffix = () => randomBytes(3).toString('hex').toUpperCase();

export const TEST_PASSWORD = 'correct horse battery staple';

/** An organisation with one NGO focal point, signed in. */
export async function ngoAccount(h: Harness, acronym = `ORG${uniqueSuffix()}`) {
  const org = await h.accounts.createOrganisation({
    name: `Test organisation ${acronym}`,
    acronym,
    email: `ops@${acronym.toLowerCase()}.test`,
  });
  const email = `focal@${acronym.toLowerCase()}.test`;
  await h.accounts.createUser({
    email,
    password: TEST_PASSWORD,
    role: 'ngo',
    org: acronym,
    locale: 'fr',
  });
  return { org, email, token: await login(h, email) };
}

export async function cellAccount(
  h: Harness,
  seat: 'armed_forces_liaison' | 'undss' | 'wfp_logistics' | 'ocha',
) {
  const email = `${seat}-${uniqueSuffix().toLowerCase()}@cell.test`;
  await h.accounts.createUser({ email, password: TEST_PASSWORD, role: 'cell', seat });
  return { email, token: await login(h, email) };
}

export async function login(h: Harness, email: string, password = TEST_PASSWORD): Promise<string> {
  const response = await h.api.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password },
  });
  if (response.statusCode !== 200)
    throw new Error(`login ${email}: ${response.statusCode} ${response.body}`);
  return response.json().accessToken;
}

/** A complete convoy notice: Mopti → Douentza → Gao, leaving in `hoursAhead` hours. */
export function convoyNotice(hoursAhead = 72, overrides: Record<string, unknown> = {}) {
  return convoyNoticeAt(new Date(Date.now() + hoursAhead * HOUR), overrides);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Submits a convoy notice (convoyNotice) as the user of `token`; it must be accepted (201). */
export async function submitNotice(
  h: Harness,
  token: string,
  hoursAhead: number,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; reference: string }> {
  const response = await h.api.inject({
    method: 'POST',
    url: '/movements',
    headers: bearer(token),
    payload: convoyNotice(hoursAhead, overrides),
  });
  expect(response.statusCode).toBe(201);
  return response.json();
}
