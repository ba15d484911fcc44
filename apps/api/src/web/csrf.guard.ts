import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CsrfRejected } from './page-errors.filter';
import { CSRF_FIELD, WebSession } from './session';

/**
 * Every form the pages post carries the CSRF token of this browser (signed double-submit):
 * a page of another site can make the browser post, but cannot read the token to put in it.
 * Runs after the global AccessGuard, on every page controller.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(private readonly session: WebSession) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (request.method === 'GET' || request.method === 'HEAD') return true;
    const body = request.body as Record<string, unknown> | undefined;
    if (!this.session.checkCsrf(request, body?.[CSRF_FIELD])) throw new CsrfRejected();
    return true;
  }
}
