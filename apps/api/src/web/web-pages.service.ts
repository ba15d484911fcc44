import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, AuthenticatedRequest } from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { ErrorResponseFilter } from '@hns/http';
import { Locale, isWebMessageKey, wt } from '@hns/i18n';
import { AssetsService } from './assets.service';
import { PageContext, PageOptions, layout } from './layout';
import { sendHtml } from './send';
import { WebSession } from './session';

/** References as MovementsService writes them; anything else in `?ref=` is ignored. */
const REFERENCE = /^HNS-[A-Z]{2}-\d{4}-\d{6}$/;

/** Builds each page's context, renders it in the layout and sends it. */
@Injectable()
export class WebPages {
  private readonly errors = new ErrorResponseFilter();

  constructor(
    private readonly session: WebSession,
    readonly assets: AssetsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  context(request: FastifyRequest, reply: FastifyReply, actor?: Actor): PageContext {
    const signedIn = actor ?? (request as AuthenticatedRequest).actor;
    const locale: Locale = signedIn?.locale ?? this.session.visitorLocale(request);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const done = typeof query.done === 'string' ? `web.flash.${query.done}` : '';
    const reference = typeof query.ref === 'string' && REFERENCE.test(query.ref) ? query.ref : '';
    return {
      locale,
      actor: signedIn,
      csrf: this.session.csrfToken(request, reply),
      path: request.url,
      mailSink: this.config.useMailSink && this.config.NODE_ENV !== 'production',
      assets: this.assets,
      flash: isWebMessageKey(done) ? wt(locale, done, { reference }) : undefined,
    };
  }

  send(
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: PageContext,
    options: PageOptions,
    status = 200,
  ): FastifyReply {
    return sendHtml(request, reply, layout(ctx, options), status);
  }

  /** After a form: 303, so that reloading the next page does not post the form again. */
  redirect(reply: FastifyReply, location: string): FastifyReply {
    return reply
      .status(303)
      .header('location', location)
      .header('cache-control', 'no-store')
      .send();
  }

  /**
   * The per-field problems of a refusal, worded by the API's own error renderer in the page's
   * language: the same texts as the JSON API, from one place.
   */
  problems(
    error: unknown,
    request: FastifyRequest,
    locale: Locale,
  ): { message: string; errors: { field: string; message: string }[] } {
    const { body } = this.errors.render(error, locale, request);
    return { message: body.message, errors: body.errors ?? [] };
  }
}
