import { setTimeout as sleep } from 'node:timers/promises';

/** What a write leaves in the database when the API processed it, to tell after a reset. */
export type AttemptEffect =
  | { kind: 'submission'; idempotencyKey: string }
  | { kind: 'review'; movementId: string; seat: string };

/** One HTTP attempt as the client saw it: an answer, or the network error that replaced it. */
export interface Attempt {
  route: string;
  effect?: AttemptEffect;
  startedAt: number;
  settledAt?: number;
  status?: number;
  retryAfter?: string | null;
  error?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** Plain fetch on loopback, every attempt recorded so a scenario can judge what happened when. */
export class HttpClient {
  readonly attempts: Attempt[] = [];

  constructor(private readonly baseUrl: string) {}

  /** Attempts started in [from, to), optionally for one route. */
  between(from: number, to: number, route?: string): Attempt[] {
    return this.attempts.filter(
      (a) => a.startedAt >= from && a.startedAt < to && (!route || a.route === route),
    );
  }

  async request(
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
      effect?: AttemptEffect;
    } = {},
  ): Promise<Answer> {
    const route = `${method} ${path.replace(/[0-9a-f-]{36}/g, ':id').split('?')[0]}`;
    const attempt: Attempt = { route, effect: options.effect, startedAt: Date.now() };
    this.attempts.push(attempt);
    try {
      const response = await fetch(this.baseUrl + path, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      attempt.settledAt = Date.now();
      attempt.status = response.status;
      attempt.retryAfter = response.headers.get('retry-after');
      return { status: response.status, headers: response.headers, body: parse(text) };
    } catch (error) {
      attempt.settledAt = Date.now();
      attempt.error = networkErrorCode(error);
      throw new NetworkError(attempt.error);
    }
  }

  /** Signs in, retrying while the API is not reachable yet. */
  async login(email: string, password: string): Promise<string> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const answer = await this.request('POST', '/auth/login', { body: { email, password } });
        const token = (answer.body as { accessToken?: string }).accessToken;
        if (answer.status === 200 && token) return token;
        if (answer.status < 500) throw new Error(`login ${email}: ${answer.status}`);
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
      }
      if (Date.now() > deadline) throw new Error(`login ${email}: API unreachable for 60 s`);
      await sleep(500);
    }
  }
}

export class NetworkError extends Error {}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET (closed mid-response), TimeoutError, … */
function networkErrorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string; name?: string; message?: string } }).cause;
  return (
    cause?.code ??
    cause?.name ??
    (error as { name?: string }).name ??
    (error instanceof Error ? error.message : String(error))
  );
}

/** Delay before retry number `attempt` (1-based): 200 ms doubling up to 2 s. */
export function backoff(attempt: number): number {
  return Math.min(2000, 200 * 2 ** Math.min(attempt - 1, 4));
}
