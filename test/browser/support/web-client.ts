import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * A minimal browser for the pages, driven with inject: keeps cookies, posts forms as
 * application/x-www-form-urlencoded, and reads the CSRF token from the last page.
 */
export class WebClient {
  readonly cookies = new Map<string, string>();
  lastBody = '';

  constructor(private readonly api: NestFastifyApplication) {}

  async get(url: string, headers: Record<string, string> = {}) {
    return this.request('GET', url, undefined, headers);
  }

  /** Posts a form; `_csrf` is taken from the last page unless given. */
  async post(url: string, form: Record<string, string | string[]>, csrf = this.csrf()) {
    const params = new URLSearchParams();
    if (csrf !== undefined) params.append('_csrf', csrf);
    for (const [key, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
    }
    return this.request('POST', url, params.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  csrf(): string | undefined {
    return /name="_csrf" value="([^"]+)"/.exec(this.lastBody)?.[1];
  }

  async signIn(email: string, password: string) {
    await this.get('/web/sign-in');
    const response = await this.post('/web/sign-in', { email, password, next: '/web' });
    if (response.statusCode !== 303) {
      throw new Error(`sign-in ${email}: ${response.statusCode} ${response.body.slice(0, 500)}`);
    }
    return response;
  }

  private async request(
    method: 'GET' | 'POST',
    url: string,
    payload: string | undefined,
    headers: Record<string, string>,
  ) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await this.api.inject({
      method,
      url,
      payload,
      headers: { ...(cookie ? { cookie } : {}), ...headers },
    });
    for (const c of response.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (c.value === '' || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    if (response.headers['content-type']?.toString().startsWith('text/html')) {
      this.lastBody = response.body;
    }
    return response;
  }
}
