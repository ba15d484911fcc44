import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { waitFor } from '../support/wait-for';
import { ChildService, freePort, onExit, run } from './processes';

const PG_BIN = process.env.FAULTS_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PG_OS_USER = 'postgres';

/**
 * A PostgreSQL cluster of the suite's own, in a temporary directory, on a free port of 127.0.0.1.
 * PostgreSQL refuses to run as root: as root (CI), initdb and pg_ctl run as the postgres OS user.
 */
export class PostgresCluster {
  port = 0;
  private readonly dataDir: string;
  private readonly socketDir: string;
  private readonly asRoot = process.getuid?.() === 0;

  constructor(private readonly dir: string) {
    this.dataDir = join(dir, 'data');
    this.socketDir = join(dir, 'socket');
  }

  /** postgres://postgres@127.0.0.1:PORT/<database>: the superuser, trust authentication. */
  url(database = 'hns'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async init(): Promise<void> {
    this.port = await freePort();
    mkdirSync(this.socketDir, { recursive: true });
    if (this.asRoot) {
      const { uid, gid } = osUser(PG_OS_USER);
      chownSync(this.dir, uid, gid);
      chownSync(this.socketDir, uid, gid);
    }
    await this.pg('initdb', [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    onExit(() => this.stopNow());
  }

  async start(): Promise<void> {
    // fsync off: a process crash loses nothing (the WAL is in the OS cache); only an OS crash would.
    const options = [
      `-p ${this.port}`,
      `-k ${this.socketDir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c max_connections=200',
      '-c shared_buffers=128MB',
    ].join(' ');
    await this.pg(
      'pg_ctl',
      ['-D', this.dataDir, '-l', join(this.dir, 'postgres.log'), '-o', options, '-w', 'start'],
      60_000,
    );
    await waitFor(() => this.ready(), { description: 'PostgreSQL to accept connections' });
  }

  /** A clean stop: sessions are terminated (57P01), as during a maintenance restart. */
  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop'], 60_000);
  }

  async ready(): Promise<boolean> {
    const client = new Client({
      connectionString: this.url('postgres'),
      connectionTimeoutMillis: 2000,
    });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private stopNow(): void {
    if (!existsSync(join(this.dataDir, 'postmaster.pid'))) return;
    const [command, args] = this.command('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', 'stop']);
    spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  }

  private pg(tool: string, args: string[], timeoutMs = 60_000): Promise<string> {
    const [command, fullArgs] = this.command(tool, args);
    return run(command, fullArgs, { cwd: this.dir, timeoutMs });
  }

  private command(tool: string, args: string[]): [string, string[]] {
    const binary = join(PG_BIN, tool);
    return this.asRoot ? ['runuser', ['-u', PG_OS_USER, '--', binary, ...args]] : [binary, args];
  }
}

/**
 * A Redis server of the suite's own, as production runs it (DESIGN §6, docker-compose.yml):
 * append-only file on, maxmemory-policy noeviction. A clean stop (SIGTERM) flushes the AOF, so
 * jobs relayed before the stop are still there after the restart.
 */
export class RedisServer {
  port = 0;
  private service?: ChildService;

  constructor(
    private readonly dir: string,
    private readonly logFile: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.service) {
      this.port = await freePort();
      mkdirSync(this.dir, { recursive: true });
      this.service = new ChildService(
        'redis',
        'redis-server',
        [
          '--port',
          String(this.port),
          '--bind',
          '127.0.0.1',
          '--dir',
          this.dir,
          '--save',
          '',
          '--appendonly',
          'yes',
          '--appendfsync',
          'everysec',
          '--maxmemory-policy',
          'noeviction',
          '--daemonize',
          'no',
          '--loglevel',
          'warning',
        ],
        { cwd: this.dir, env: process.env, logFile: this.logFile },
      );
    }
    this.service.start();
    await waitFor(() => this.ready(), { description: 'Redis to answer PING', timeoutMs: 20_000 });
  }

  async stop(): Promise<void> {
    const exit = await this.service?.stop('SIGTERM', 20_000);
    if (exit === null) throw new Error('redis-server did not stop within 20 s');
  }

  async close(): Promise<void> {
    await this.service?.close();
  }

  async ready(): Promise<boolean> {
    const redis = new Redis(this.url, {
      lazyConnect: true,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return (await redis.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      redis.disconnect();
    }
  }
}

function osUser(name: string): { uid: number; gid: number } {
  if (userInfo().username === name) return { uid: userInfo().uid, gid: userInfo().gid };
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line)
    throw new Error(`the OS user "${name}" does not exist (needed to run PostgreSQL as root)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
