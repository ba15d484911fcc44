import { once } from 'node:events';
import fs from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { currentRequestId, runWithLogContext } from './context';
import { logEmailSent } from './email-logging';
import { runLoggedJob } from './job-logging';
import { configureLogging, getLogger, standardOutput } from './logger';
import { PinoNestLogger } from './nest-logger';
import { hashAddress } from './redaction';

type Line = Record<string, unknown>;

function capture(level: 'info' | 'debug' = 'info') {
  const raw: string[] = [];
  configureLogging({ service: 'test', level, destination: { write: (s: string) => raw.push(s) } });
  return {
    raw,
    lines: (): Line[] => raw.map((s) => JSON.parse(s) as Line),
  };
}

const job = (overrides: Partial<Parameters<typeof runLoggedJob>[0]> = {}) => ({
  id: 'job-1',
  name: 'movement.receipt',
  queueName: 'mail',
  data: { movementId: 'm-1', correlationId: 'm-1', requestId: 'req-abc123' },
  attemptsMade: 0,
  opts: { attempts: 3 },
  ...overrides,
});

describe('logger', () => {
  it('writes one JSON object per line with time, level name, service, fields and message', () => {
    const out = capture();
    getLogger().info({ route: '/movements' }, 'hello');
    expect(out.raw).toHaveLength(1);
    expect(out.raw[0].endsWith('\n')).toBe(true);
    expect(out.lines()[0]).toMatchObject({
      level: 'info',
      service: 'test',
      route: '/movements',
      msg: 'hello',
    });
    expect(Date.parse(out.lines()[0].time as string)).not.toBeNaN();
  });

  it('adds the request context to every line written inside it, and only there', () => {
    const out = capture();
    runWithLogContext({ requestId: 'req-1', correlationId: 'm-9' }, () => {
      getLogger().info('inside');
    });
    getLogger().info('outside');
    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({ requestId: 'req-1', correlationId: 'm-9' });
    expect(outside).not.toHaveProperty('requestId');
  });

  it('redacts secrets and contact data in fields at any depth and in the message', () => {
    const out = capture();
    getLogger().info(
      {
        req: { headers: { authorization: 'Bearer abc.def', cookie: 'hns_session=s3cr3t' } },
        body: { password: 'correct horse battery staple', user: { email: 'a@acf.test' } },
        accessToken: 'tok-123',
      },
      'login of a@acf.test from +223 76 00 00 01',
    );
    const text = out.raw.join('');
    for (const secret of ['abc.def', 's3cr3t', 'correct horse', 'a@acf.test', 'tok-123', '+223']) {
      expect(text).not.toContain(secret);
    }
    expect(out.lines()[0].msg).toBe('login of [email] from [phone]');
  });

  it('serialises an error given alone or as a field, scrubbed', () => {
    const out = capture();
    getLogger().error(new Error('550 <focal@acf.test> unknown'));
    getLogger().warn({ err: new Error('x@y.org refused') }, 'send failed');
    const [alone, field] = out.lines();
    expect(alone).toMatchObject({
      msg: '550 <[email]> unknown',
      err: { type: 'Error', message: '550 <[email]> unknown' },
    });
    expect(field).toMatchObject({ msg: 'send failed', err: { message: '[email] refused' } });
    expect(out.raw.join('')).not.toMatch(/focal@|x@y/);
  });

  it('is silent until an entry point configures it', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('./logger') as typeof import('./logger');
      expect(fresh.getLogger().isLevelEnabled('fatal')).toBe(false);
    });
  });
});

describe('PinoNestLogger', () => {
  it('writes Nest log calls with their context, stack and level', () => {
    const out = capture('debug');
    const nest = new PinoNestLogger();
    nest.log('started', 'Worker');
    nest.error('boom', 'Error: boom\n    at x (a.ts:1:1)', 'HTTP');
    nest.error('no stack', undefined, 'HTTP');
    nest.warn({ msg: 'structured', jobId: '7' }, 'Relay');
    nest.debug('details');
    nest.log(JSON.stringify({ msg: 'movement status changed', to: 'in_review' }), 'Lifecycle');
    nest.verbose('hidden at debug');
    expect(out.lines()).toEqual([
      expect.objectContaining({ level: 'info', context: 'Worker', msg: 'started' }),
      expect.objectContaining({
        level: 'error',
        context: 'HTTP',
        msg: 'boom',
        stack: 'Error: boom\n    at x (a.ts:1:1)',
      }),
      expect.objectContaining({ level: 'error', context: 'HTTP', msg: 'no stack' }),
      expect.objectContaining({ level: 'warn', context: 'Relay', msg: 'structured', jobId: '7' }),
      expect.objectContaining({ level: 'debug', msg: 'details' }),
      expect.objectContaining({
        context: 'Lifecycle',
        msg: 'movement status changed',
        to: 'in_review',
      }),
    ]);
  });
});

describe('runLoggedJob', () => {
  it('runs the job in its context and writes one line with queue, name, id, attempt, outcome', async () => {
    const out = capture();
    let seen: string | undefined;
    const result = await runLoggedJob(job(), async () => {
      await new Promise((resolve) => setImmediate(resolve));
      seen = currentRequestId();
      return 42;
    });
    expect(result).toBe(42);
    expect(seen).toBe('req-abc123');
    expect(out.lines()).toEqual([
      expect.objectContaining({
        event: 'job',
        queue: 'mail',
        jobName: 'movement.receipt',
        jobId: 'job-1',
        attempt: 1,
        outcome: 'completed',
        correlationId: 'm-1',
        requestId: 'req-abc123',
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it('says retrying while attempts remain, failed on the last one or an unrecoverable error', async () => {
    const out = capture();
    const fail = (error: Error) => async () => {
      throw error;
    };
    await expect(runLoggedJob(job(), fail(new Error('smtp down')))).rejects.toThrow('smtp down');
    await expect(
      runLoggedJob(job({ attemptsMade: 2 }), fail(new Error('again'))),
    ).rejects.toThrow();
    await expect(runLoggedJob(job(), fail(new UnrecoverableError('550')))).rejects.toThrow();
    expect(out.lines().map((l) => [l.level, l.outcome, l.attempt])).toEqual([
      ['warn', 'retrying', 1],
      ['error', 'failed', 3],
      ['error', 'failed', 1],
    ]);
    expect(out.lines()[0]).toMatchObject({ err: { message: 'smtp down' } });
  });

  it('ignores a request id in the job data that is not a safe token', async () => {
    const out = capture();
    await runLoggedJob(job({ data: { requestId: 'x\n{"level":"fatal"}' } }), async () => undefined);
    expect(out.lines()[0]).not.toHaveProperty('requestId');
  });

  it("lists the ids of a batch job's items on its line, and keeps in context the one they share", async () => {
    const out = capture();
    const items = (requestIds: string[]) =>
      requestIds.map((requestId, n) => ({
        movementId: `m-${n}`,
        correlationId: `m-${n}`,
        requestId,
      }));
    let shared: string | undefined;
    await runLoggedJob(job({ data: { items: items(['req-1', 'req-1']) } }), async () => {
      shared = currentRequestId();
    });
    expect(shared).toBe('req-1');
    await runLoggedJob(job({ data: { items: items(['req-1', 'req-2', 'bad id']) } }), async () => {
      shared = currentRequestId();
    });
    expect(shared).toBeUndefined();
    expect(out.lines()[1]).toMatchObject({
      items: 3,
      requestIds: ['req-1', 'req-2'],
      correlationIds: ['m-0', 'm-1', 'm-2'],
      outcome: 'completed',
    });
    expect(out.lines()[1].correlationId).toBeUndefined();
  });
});

describe('logEmailSent', () => {
  it('writes kind, reference, Message-ID and hashed recipients, with the job context', async () => {
    const out = capture();
    await runLoggedJob(job(), async () =>
      logEmailSent(
        {
          to: ['aminata@acf.test'],
          cc: ['cell@ocha.test'],
          subject: '[HNS-ML-2026-000123] Notification de mouvement reçue',
        },
        { messageId: '<hns.abc@hns.localhost>', accepted: ['aminata@acf.test'], rejected: [] },
      ),
    );
    const [sent] = out.lines();
    expect(sent).toMatchObject({
      event: 'email.sent',
      kind: 'movement.receipt',
      reference: 'HNS-ML-2026-000123',
      messageId: '<hns.abc@hns.localhost>',
      recipients: [hashAddress('aminata@acf.test'), hashAddress('cell@ocha.test')],
      accepted: 1,
      rejected: 0,
      requestId: 'req-abc123',
      correlationId: 'm-1',
    });
    expect(out.raw.join('')).not.toMatch(/aminata|ocha\.test/);
  });
});

describe('standard output (the default destination of the processes)', () => {
  it('writes lines in batches, every line within about 100 ms', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hns-log-'));
    const file = join(dir, 'out.log');
    const fd = fs.openSync(file, 'a');
    const write = jest.spyOn(fs, 'write');
    // Writes of lines to the file (the periodic flush also writes nothing when idle).
    const writesToFile = () =>
      write.mock.calls.filter(([target, data]) => target === fd && String(data).length > 0).length;
    const destination = standardOutput(fd) as unknown as NodeJS.WritableStream;
    try {
      configureLogging({ service: 'test', destination });
      for (let i = 0; i < 20; i++) getLogger().info({ i }, `email sent ${i}`);
      // Twenty lines, far less than 4 KB: no write yet (one system call per line before).
      expect(writesToFile()).toBe(0);
      // Then one write, by the periodic flush (waited for, at most 2 s).
      const deadline = Date.now() + 2000;
      while (writesToFile() === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(writesToFile()).toBe(1);
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      expect(lines.map((line) => (JSON.parse(line) as Line).i)).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      );
    } finally {
      write.mockRestore();
      configureLogging({ service: 'test', level: 'silent', destination: { write: () => {} } });
      // Closes the file descriptor and stops the periodic flush.
      const closed = once(destination, 'close');
      destination.end();
      await closed;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
