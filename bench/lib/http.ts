import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One JSON request for setting up (login, a zone declaration); throws on a non-2xx answer. */
export async function jsonRequest<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function login(base: string, email: string, password: string): Promise<string> {
  const { body } = await jsonRequest<{ accessToken: string }>(base, 'POST', '/auth/login', {
    email,
    password,
  });
  return body.accessToken;
}

export interface LatencySummary {
  requests: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** Size of the last answer, to show what a page weighs. */
  bytes: number;
  /** How many items the last answer listed (`items` array), when it has one. */
  items?: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

/**
 * Sends `count` GET requests one after the other on one kept-alive connection (bounded by
 * `maxMs` too) and returns the latency distribution in milliseconds, measured client side.
 */
export async function sequentialLatency(
  url: string,
  headers: Record<string, string>,
  { count, warmup = 20, maxMs = 30_000 }: { count: number; warmup?: number; maxMs?: number },
): Promise<LatencySummary> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<{ ms: number; status: number; body: string }>((resolve, reject) => {
      const started = performance.now();
      const req = request(url, { method: 'GET', headers, agent, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            ms: performance.now() - started,
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end();
    });
  try {
    let last = { ms: 0, status: 0, body: '' };
    for (let i = 0; i < warmup; i++) last = await once();
    if (last.status !== 200)
      throw new Error(`GET ${url}: ${last.status} ${last.body.slice(0, 300)}`);
    const times: number[] = [];
    let errors = 0;
    const deadline = performance.now() + maxMs;
    while (times.length < count && performance.now() < deadline) {
      last = await once();
      if (last.status !== 200) errors += 1;
      times.push(last.ms);
    }
    times.sort((a, b) => a - b);
    let items: number | undefined;
    try {
      const parsed = JSON.parse(last.body) as { items?: unknown[] };
      items = Array.isArray(parsed.items) ? parsed.items.length : undefined;
    } catch {
      items = undefined;
    }
    return {
      requests: times.length,
      errors,
      p50: percentile(times, 50),
      p90: percentile(times, 90),
      p99: percentile(times, 99),
      max: times[times.length - 1],
      mean: times.reduce((a, b) => a + b, 0) / times.length,
      bytes: Buffer.byteLength(last.body),
      items,
    };
  } finally {
    agent.destroy();
  }
}
