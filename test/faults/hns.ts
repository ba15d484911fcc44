import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ChildService, freePort, run } from './processes';

export interface HnsEndpoints {
  databaseUrl: string;
  redisUrl: string;
  smtpUrl: string;
}

export const SEATS = ['armed_forces_liaison', 'undss', 'wfp_logistics', 'ocha'] as const;
export type Seat = (typeof SEATS)[number];

/**
 * The real API and worker, run from dist/ as `npm run start:api` / `start:worker` would, with a
 * production configuration pointing at the suite's own PostgreSQL, Redis and SMTP servers.
 */
export class HnsDeployment {
  readonly api: ChildService;
  readonly worker: ChildService;
  readonly env: NodeJS.ProcessEnv;
  private port = 0;

  private constructor(
    private readonly root: string,
    logDir: string,
    endpoints: HnsEndpoints,
    port: number,
    workerHttpPort: number,
  ) {
    this.port = port;
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      USER: process.env.USER ?? 'root',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      WORKER_HTTP_PORT: String(workerHttpPort),
      APP_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: endpoints.databaseUrl,
      REDIS_URL: endpoints.redisUrl,
      SMTP_URL: endpoints.smtpUrl,
      QUEUE_PREFIX: 'faults',
      JWT_SECRET: randomBytes(32).toString('hex'),
      MAIL_FROM: 'CMCoord HNS <no-reply@hns-faults.test>',
      OCHA_CELL_EMAILS: 'cell@ocha-faults.test',
      UNDSS_ESCALATION_EMAILS: 'duty@undss-faults.test',
      DEMO_SEED: 'false',
      // One NGO and four seats drive thousands of requests from one address for minutes: the
      // abuse limits (tested in test/security-*.e2e-spec.ts) are off here, and tokens outlive
      // the run (the suite signs in once).
      API_RATE_LIMIT_PER_USER: '0',
      API_RATE_LIMIT_PER_ADDRESS: '0',
      LOGIN_MAX_PER_ADDRESS: '10000',
      JWT_TTL_SECONDS: '86400',
      // info: the start-up lines the suite waits for ("API listening on", "worker started").
      LOG_LEVEL: 'info',
      NO_COLOR: '1',
    };
    const node = process.execPath;
    const options = (name: string) => ({
      cwd: root,
      env: this.env,
      logFile: join(logDir, `${name}.log`),
    });
    this.api = new ChildService('api', node, [this.script('api/src/main.js')], options('api'));
    this.worker = new ChildService(
      'worker',
      node,
      [this.script('worker/src/main.js')],
      options('worker'),
    );
  }

  static async create(root: string, logDir: string, endpoints: HnsEndpoints) {
    return new HnsDeployment(root, logDir, endpoints, await freePort(), await freePort());
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `npm run cli -- …` without npm: the same script, the same environment. */
  cli(...args: string[]): Promise<string> {
    return run(process.execPath, [this.script('cli/src/main.js'), ...args], {
      cwd: this.root,
      env: this.env,
      timeoutMs: 60_000,
    });
  }

  async startApi(): Promise<void> {
    this.api.start();
    await this.api.waitForOutput(/API listening on/, 120_000);
  }

  async startWorker(): Promise<void> {
    this.worker.start();
    await this.worker.waitForOutput(/worker started/, 120_000);
  }

  async close(): Promise<void> {
    await Promise.all([this.api.close(), this.worker.close()]);
  }

  private script(path: string): string {
    return join(this.root, 'dist/apps', path);
  }
}
