import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/env';
import { convoyNotice, type LoadResult } from './intake';

/** The wrk script of the intake benchmark (see bench/WRK.md). */
export const WRK_SCRIPT = join(ROOT, 'bench', 'wrk', 'intake.lua');

/** wrk's version line, or undefined when wrk is not installed. */
export function wrkVersion(): string | undefined {
  const run = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (run.error) return undefined;
  return `${run.stdout}${run.stderr}`.split('\n')[0].trim() || 'wrk';
}

/**
 * The Lua script carries its own copy of the notice (so that it can be run by hand): it must be
 * convoyNotice() with the two instants replaced by placeholders, or the two tools would not send
 * the same payload.
 */
export function checkWrkTemplate(): void {
  const lua = readFileSync(WRK_SCRIPT, 'utf8');
  const embedded = /TEMPLATE = \[==\[(.*)\]==\]/.exec(lua)?.[1];
  const departure = new Date(Date.UTC(2030, 0, 1));
  const expected = JSON.stringify(convoyNotice(departure))
    .replace(departure.toISOString(), '__DEPARTURE__')
    .replace(new Date(departure.getTime() + 30 * 3600_000).toISOString(), '__ARRIVAL__');
  if (embedded !== expected) {
    throw new Error(
      `${WRK_SCRIPT}: its TEMPLATE is not convoyNotice() of bench/intake.ts; update it to\n${expected}`,
    );
  }
}

/** wrk -t<threads> -c<connections> -d<seconds>s against `base`, with the bearer token if any. */
export async function wrkLoad(
  base: string,
  token: string | undefined,
  { connections, seconds, threads = 2 }: { connections: number; seconds: number; threads?: number },
): Promise<LoadResult & { command: string }> {
  const args = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    '--timeout',
    '10s',
    '--latency',
    '-s',
    WRK_SCRIPT,
    base,
    '--',
    token ?? '',
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`)),
    );
  });
  const line = /^WRK_RESULT (\{.*\})$/m.exec(output)?.[1];
  if (!line) throw new Error(`wrk printed no WRK_RESULT line:\n${output}`);
  const r = JSON.parse(line) as {
    requests: number;
    durationUs: number;
    connectErrors: number;
    readErrors: number;
    writeErrors: number;
    non2xx3xx: number;
    timeouts: number;
    p50Us: number;
    p90Us: number;
    p99Us: number;
    maxUs: number;
  };
  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    requestsPerSecond: r.requests / (r.durationUs / 1e6),
    p50: ms(r.p50Us),
    p90: ms(r.p90Us),
    p99: ms(r.p99Us),
    max: ms(r.maxUs),
    requests: r.requests,
    // wrk counts 4xx and 5xx answers as "status" errors; 3xx would be counted as success.
    non2xx: r.non2xx3xx,
    errors: r.connectErrors + r.readErrors + r.writeErrors,
    timeouts: r.timeouts,
    durationS: r.durationUs / 1e6,
    command: `wrk ${args.map((a) => (a === token && token ? '<token>' : a)).join(' ')}`,
  };
}
