import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  ForbiddenException,
  HttpException,
  Injectable,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { wt } from '@hns/i18n';
import { html } from '@hns/mail';
import { WebSession } from './session';
import { WebPages } from './web-pages.service';

/** A form whose CSRF token does not match this browser's secret. */
export class CsrfRejected extends ForbiddenException {}

/**
 * Errors on the pages become pages: no session → the sign-in page (and back afterwards);
 * 403 and 404 → a page that says so (another organisation's movement is "not found", as in
 * the API); any other refusal → its message, worded by the API's renderer.
 */
@Injectable()
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Web');

  constructor(
    private readonly pages: WebPages,
    private readonly session: WebSession,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    if (status === 401) {
      // An expired or revoked session: forget it, and come back here after signing in.
      if (this.session.sessionToken(request)) this.session.signOut(reply);
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      this.pages.redirect(reply, `/web/sign-in${next}`);
      return;
    }
    const ctx = this.pages.context(request, reply);
    const { locale } = ctx;
    let message: string;
    if (exception instanceof CsrfRejected) message = wt(locale, 'web.error.csrf');
    else if (status === 403) message = wt(locale, 'web.error.forbidden');
    else if (status === 404) message = wt(locale, 'web.error.not_found');
    else if (status >= 500) {
      this.logger.error(
        `${request.method} ${request.url} → ${status}`,
        exception instanceof Error ? exception.stack : String(exception),
      );
      message = wt(locale, 'web.error.internal');
    } else {
      message = wt(locale, 'web.error.conflict', {
        message: this.pages.problems(exception, request, locale).message,
      });
    }
    this.pages.send(
      request,
      reply,
      ctx,
      {
        title: wt(locale, 'web.error.title'),
        main: html`<h1>${wt(locale, 'web.error.title')}</h1>
          <p class="error" role="alert">${message}</p>
          <p><a href="/web">${wt(locale, 'web.error.home')}</a></p>`,
      },
      status,
    );
  }
}
