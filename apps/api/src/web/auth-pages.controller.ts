import { Body, Get, HttpException, Query, Post, Req, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { Access, Actor, AuthService, CurrentActor, Public } from '@hns/auth';
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
      const { accessToken } = await this.auth.login(email, field(body, 'password'));
      this.session.signIn(reply, accessToken);
      return this.pages.redirect(reply, next);
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() !== 401) throw error;
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
        401,
      );
    }
  }

  @Post('sign-out')
  @Access(SIGNED_IN)
  signOut(@Res() reply: FastifyReply) {
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
  }
}
