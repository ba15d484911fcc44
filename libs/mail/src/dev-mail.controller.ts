import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { DEV_MAIL_CSP, listPage, messagePage, notFoundPage } from './dev-mail.pages';
import { MailSinkStore } from './mail-sink.store';

const EML_SUFFIX = '.eml';

/**
 * GET /dev/mail: the mail the development sink caught, so a new user sees the emails without
 * installing anything. Answers 404 whenever mail really goes out (SMTP_URL set) or in production.
 * Public like the sink itself: it exists only on a developer's machine.
 */
@ApiExcludeController()
@Public()
@Controller('dev/mail')
export class DevMailController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'useMailSink' | 'NODE_ENV'>,
    private readonly store: MailSinkStore,
  ) {}

  @Get()
  async list(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    if (!this.enabled()) return this.notFound(reply);
    htmlHeaders(reply);
    return listPage(await this.store.list(), requestPath(request).replace(/\/+$/, ''));
  }

  /** `:id` shows the message; `:id.eml` downloads it as received. */
  @Get(':id')
  async show(
    @Param('id') param: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | Buffer> {
    if (!this.enabled()) return this.notFound(reply);
    const wantsRaw = param.endsWith(EML_SUFFIX);
    const id = wantsRaw ? param.slice(0, -EML_SUFFIX.length) : param;
    if (!MailSinkStore.isValidId(id)) return this.notFound(reply);
    if (wantsRaw) {
      const raw = await this.store.readRaw(id);
      if (!raw) return this.notFound(reply);
      reply
        .header('content-type', 'message/rfc822')
        .header('content-disposition', `attachment; filename="${id}.eml"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store');
      return raw;
    }
    const message = await this.store.read(id);
    if (!message) return this.notFound(reply);
    htmlHeaders(reply);
    const path = requestPath(request);
    return messagePage(message, path.slice(0, path.lastIndexOf('/')));
  }

  private enabled(): boolean {
    return this.config.useMailSink && this.config.NODE_ENV !== 'production';
  }

  private notFound(reply: FastifyReply): string {
    htmlHeaders(reply);
    reply.status(404);
    return notFoundPage();
  }
}

function htmlHeaders(reply: FastifyReply): void {
  reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', DEV_MAIL_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
}

/** The path as the browser sees it, so links keep working behind a prefix. */
function requestPath(request: FastifyRequest): string {
  return request.url.split('?')[0];
}
