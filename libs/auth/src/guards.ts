import {
  CanActivate,
  ExecutionContext,
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig, Seat } from '@hns/config';
import { LocalizedHttpException, forbidden, unauthorized } from '@hns/http';
import { AuthService } from './auth.service';
import { clientAddress } from './client-address';
import { Actor, Role } from './entities';
import { AbuseLimits, LimitOutcome } from './rate-limits';

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
 * Global guard: the API-wide rate limit per client address, authentication by bearer token (or,
 * on pages, the session cookie), the rate limit per user, then the route's access rule. A route
 * with neither @Public nor @Access is refused (deny by default), so a forgotten rule cannot leak
 * data.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly limits: AbuseLimits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const address = clientAddress(request, this.config.TRUST_PROXY_HOPS);
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) {
      applyLimit(reply, await this.limits.apiAddressRequest(address));
      return true;
    }
    const header = request.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const token =
      bearer ??
      (this.reflector.getAllAndOverride<boolean>(SESSION, targets)
        ? request.cookies?.[SESSION_COOKIE]
        : undefined);
    // The token is checked first so that both limits take one Redis round trip; the answers
    // keep their order: 429 for the address, then 401, then 429 for the user.
    let actor: Actor | undefined;
    let refusal: unknown;
    if (token) {
      try {
        actor = await this.auth.authenticate(token);
      } catch (error) {
        refusal = error;
      }
    }
    const limits = await this.limits.apiRequest(address, actor?.userId);
    applyLimit(reply, limits.byAddress);
    if (!token) throw unauthorized();
    if (!actor) throw refusal;
    request.actor = actor;
    applyLimit(reply, limits.byUser);
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, targets);
    if (!rule || !isAllowed(actor, rule)) throw forbidden();
    return true;
  }
}

/** RateLimit headers (IETF draft) on the answer; 429 with Retry-After past the limit. */
function applyLimit(reply: FastifyReply, outcome: LimitOutcome | undefined): void {
  if (!outcome) return;
  reply.header('ratelimit-limit', String(outcome.limit));
  reply.header('ratelimit-remaining', String(outcome.remaining));
  reply.header('ratelimit-reset', String(outcome.resetSeconds));
  reply.header('ratelimit-policy', `${outcome.limit};w=60`);
  if (!outcome.allowed)
    throw new LocalizedHttpException(
      HttpStatus.TOO_MANY_REQUESTS,
      'http.rate_limited',
      { seconds: outcome.resetSeconds },
      'rate_limited',
      { 'retry-after': String(outcome.resetSeconds) },
    );
}

export function isAllowed(actor: Actor, rule: AccessRule): boolean {
  if (!rule.roles.includes(actor.role)) return false;
  if (actor.role === 'cell' && rule.seats && (!actor.seat || !rule.seats.includes(actor.seat))) {
    return false;
  }
  return true;
}
