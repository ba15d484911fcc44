import { Inject, Injectable } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { Locale, isLocale } from '@hns/i18n';

/** A random value only this browser holds; forms carry its HMAC (signed double-submit). */
export const CSRF_COOKIE = 'hns_csrf';
/** The language chosen before signing in; once signed in, users.locale decides. */
export const LOCALE_COOKIE = 'hns_lang';
/** The form field every POST of the pages carries. */
export const CSRF_FIELD = '_csrf';

type CookieRequest = FastifyRequest & { cookies?: Record<string, string | undefined> };

/**
 * The pages' cookies: the session (an access token of AuthService.login for a `web` session:
 * the same limits, lock-out, expiry, disabled account and revocation as the API, with its own
 * lifetime, WEB_SESSION_TTL_SECONDS), the CSRF secret and the language before sign-in.
 */
@Injectable()
export class WebSession {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private options(maxAge?: number) {
    return {
      path: '/',
      httpOnly: true,
      // Lax, not Strict: a link in an acknowledgement email opens the movement signed in.
      sameSite: 'lax' as const,
      secure: this.config.NODE_ENV === 'production',
      ...(maxAge === undefined ? {} : { maxAge }),
    };
  }

  /** The cookie lives as long as its token (WEB_SESSION_TTL_SECONDS), revocable server-side. */
  signIn(reply: FastifyReply, accessToken: string, lifetimeSeconds: number): void {
    reply.setCookie(SESSION_COOKIE, accessToken, this.options(lifetimeSeconds));
  }

  signOut(reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, this.options());
  }

  sessionToken(request: FastifyRequest): string | undefined {
    return (request as CookieRequest).cookies?.[SESSION_COOKIE];
  }

  /** The CSRF token for this browser's forms; sets the secret cookie on its first page. */
  csrfToken(request: FastifyRequest, reply: FastifyReply): string {
    let secret = (request as CookieRequest).cookies?.[CSRF_COOKIE];
    if (!secret || !/^[A-Za-z0-9_-]{32,64}$/.test(secret)) {
      secret = randomBytes(24).toString('base64url');
      reply.setCookie(CSRF_COOKIE, secret, this.options(365 * 24 * 3600));
      // Later code of this request (another form on the page) sees the same secret.
      ((request as CookieRequest).cookies ??= {})[CSRF_COOKIE] = secret;
    }
    return this.sign(secret);
  }

  /** True when the form's token is the HMAC of this browser's CSRF secret. */
  checkCsrf(request: FastifyRequest, token: unknown): boolean {
    const secret = (request as CookieRequest).cookies?.[CSRF_COOKIE];
    if (!secret || typeof token !== 'string') return false;
    const expected = Buffer.from(this.sign(secret));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The language of a visitor not signed in: the cookie, else French (the default). */
  visitorLocale(request: FastifyRequest): Locale {
    const chosen = (request as CookieRequest).cookies?.[LOCALE_COOKIE];
    return isLocale(chosen) ? chosen : 'fr';
  }

  rememberLocale(reply: FastifyReply, locale: Locale): void {
    reply.setCookie(LOCALE_COOKIE, locale, this.options(365 * 24 * 3600));
  }

  private sign(secret: string): string {
    return createHmac('sha256', this.config.JWT_SECRET)
      .update(`csrf:${secret}`)
      .digest('base64url');
  }
}
