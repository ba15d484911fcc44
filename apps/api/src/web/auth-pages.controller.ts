import { Body, Get, HttpException, Inject, Query, Post, Req, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import {
  Access,
  Actor,
  AuthService,
  CurrentActor,
  Public,
  clientAddress,
  sessionCache,
} from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { LocalizedHttpException } from '@hns/http';
import { Locale, isLocale, t, wt } from '@hns/i18n';
import { html } from '@hns/mail';
import { PageContext, csrfField } from './layout';
import { WebSession } from './session';
import { FormBody, WebController, field, safeNext } from './web-controller';
import { WebPages } from './web-pages.service';

const SIGNED_IN = { roles: ['ngo' as const, 'cell' as const, 'admin' as const] };

function signInPage(ctx: PageContext, next: string, email = '', error?: string) {
  const { locale } = ctx;
  return html`<h1>${wt(locale, 'web.signin.title')}</h1>
    ${error && html`<p class="error" role="alert" id="signin-error">${error}</p>`}
    <form method="post" action="/web/sign-in" class="narrow">
      ${csrfField(ctx)}
      <input type="hidden" name="next" value="${next}" />
      <label for="email">${wt(locale, 'web.signin.email')}</label>
      <input
        id="email"
        name="email"
        type="email"
        autocomplete="username"
        required
        value="${email}"
        ${error && html`aria-describedby="signin-error"`}
      />
      <label for="password">${wt(locale, 'web.signin.password')}</label>
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
      />
      <button type="submit" class="primary">${wt(locale, 'web.signin.submit')}</button>
    </form>`;
}

/** Sign in and out, the language switch, and the start page of each role. */
@WebController()
export class AuthPagesController {
  constructor(
    private readonly auth: AuthService,
    private readonly session: WebSession,
    private readonly pages: WebPages,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Access(SIGNED_IN)
  home(@CurrentActor() actor: Actor, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (actor.role === 'ngo') return this.pages.redirect(reply, '/web/movements');
    if (actor.role === 'cell') return this.pages.redirect(reply, '/web/queue');
    const ctx = this.pages.context(request, reply, actor);
    return this.pages.send(request, reply, ctx, {
      title: wt(ctx.locale, 'web.app_name'),
      main: html`<h1>${wt(ctx.locale, 'web.app_name')}</h1>
        <p>${wt(ctx.locale, 'web.admin.note')}</p>`,
    });
  }

  @Get('sign-in')
  @Public()
  signInForm(
    @Query('next') next: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = this.pages.context(request, reply);
    return this.pages.send(request, reply, ctx, {
      title: wt(ctx.locale, 'web.signin.title'),
      main: signInPage(ctx, safeNext(next)),
    });
  }

  @Post('sign-in')
  @Public()
  async signIn(@Body() body: FormBody, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const email = field(body, 'email');
    const next = safeNext(field(body, 'next'));
    try {
      // The same limits as POST /auth/login (per address, per account, lock-out).
      const { accessToken, expiresIn } = await this.auth.login(email, field(body, 'password'), {
        address: clientAddress(request, this.config.TRUST_PROXY_HOPS),
        channel: 'web',
      });
      this.session.signIn(reply, accessToken, expiresIn);
      return this.pages.redirect(reply, next);
    } catch (error) {
      if (!(error instanceof HttpException) || ![401, 429].includes(error.getStatus())) throw error;
      if (error instanceof LocalizedHttpException)
        for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      const ctx = this.pages.context(request, reply);
      const message = this.pages.problems(error, request, ctx.locale).message;
      return this.pages.send(
        request,
        reply,
        ctx,
        {
          title: wt(ctx.locale, 'web.signin.title'),
          main: signInPage(ctx, next, email, message || t(ctx.locale, 'auth.invalid_credentials')),
        },
        error.getStatus(),
      );
    }
  }

  @Post('sign-out')
  @Access(SIGNED_IN)
  async signOut(@CurrentActor() actor: Actor, @Res() reply: FastifyReply) {
    // The session is revoked, not only forgotten: a copy of the cookie stops working too.
    await this.auth.logout(actor);
    this.session.signOut(reply);
    return this.pages.redirect(reply, '/web/sign-in?done=signed_out');
  }

  /**
   * The language switch, signed in or not: remembered in users.locale for a signed-in user
   * (pages and emails follow it), in a cookie for a visitor.
   */
  @Post('locale')
  @Public()
  async switchLocale(
    @Body() body: FormBody,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const locale = field(body, 'locale');
    if (isLocale(locale)) {
      this.session.rememberLocale(reply, locale);
      const token = this.session.sessionToken(request);
      const actor = token ? await this.auth.authenticate(token).catch(() => undefined) : undefined;
      if (actor) await this.saveLocale(actor, locale);
    }
    return this.pages.redirect(reply, safeNext(field(body, 'next')));
  }

  private async saveLocale(actor: Actor, locale: Locale): Promise<void> {
    await this.db.query(`UPDATE users SET locale = $2, updated_at = now() WHERE id = $1`, [
      actor.userId,
      locale,
    ]);
    // The actor's locale as this process's token cache holds it (session-cache.ts) is stale.
    sessionCache().forgetUser(actor.userId);
  }
}
