import {
  CanActivate,
  ExecutionContext,
  Injectable,
  SetMetadata,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Seat } from '@hns/config';
import { forbidden, unauthorized } from '@hns/http';
import { AuthService } from './auth.service';
import { Actor, Role } from './entities';

const PUBLIC = 'hns:public';
const ACCESS = 'hns:access';
const SESSION = 'hns:session-cookie';

/** The cookie the web pages keep the access token in (set by apps/api/src/web). */
export const SESSION_COOKIE = 'hns_session';

export interface AccessRule {
  roles: Role[];
  /** For role `cell`: which seats may act; all seats when omitted. */
  seats?: Seat[];
}

/** The route needs no sign-in (login, health, documentation). */
export const Public = () => SetMetadata(PUBLIC, true);

/** Who may call the route. Every non-public route must say it; the guard refuses otherwise. */
export const Access = (rule: AccessRule) => SetMetadata(ACCESS, rule);

/**
 * The route also accepts the session cookie (web pages, which check a CSRF token on every form).
 * The JSON API keeps to bearer tokens, so a cross-site form can never act on it.
 */
export const AcceptsSessionCookie = () => SetMetadata(SESSION, true);

export type AuthenticatedRequest = FastifyRequest & {
  actor?: Actor;
  cookies?: Record<string, string | undefined>;
};

/** The signed-in actor of the request (only on routes that are not @Public). */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.actor) throw unauthorized();
  return request.actor;
});

/**
 * Global guard: authentication by bearer token (or, on pages, the session cookie), then the
 * route's access rule. A route with neither @Public nor @Access is refused (deny by default),
 * so a forgotten rule cannot leak data.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const token =
      bearer ??
      (this.reflector.getAllAndOverride<boolean>(SESSION, targets)
        ? request.cookies?.[SESSION_COOKIE]
        : undefined);
    if (!token) throw unauthorized();
    const actor = await this.auth.authenticate(token);
    request.actor = actor;
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, targets);
    if (!rule || !isAllowed(actor, rule)) throw forbidden();
    return true;
  }
}

export function isAllowed(actor: Actor, rule: AccessRule): boolean {
  if (!rule.roles.includes(actor.role)) return false;
  if (actor.role === 'cell' && rule.seats && (!actor.seat || !rule.seats.includes(actor.seat))) {
    return false;
  }
  return true;
}
