import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  Access,
  Actor,
  AuthService,
  CurrentActor,
  PASSWORD_MAX_LENGTH,
  Public,
  REFRESH_TOKEN_PATTERN,
  clientAddress,
} from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';

const loginSchema = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});

const refreshSchema = z.strictObject({
  refreshToken: z.string().regex(REFRESH_TOKEN_PATTERN, {
    error: 'must be the refresh token returned by POST /auth/login or POST /auth/refresh',
  }),
});

const SIGNED_IN = { roles: ['ngo' as const, 'cell' as const, 'admin' as const] };

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Sign in with email and password; returns a short-lived bearer access token and a refresh token. ' +
      'Too many failures lock the account for a while (429 with Retry-After).',
  })
  login(
    @Body({ schema: loginSchema }) body: z.output<typeof loginSchema>,
    @Req() request: FastifyRequest,
  ) {
    return this.auth.login(body.email, body.password, {
      address: clientAddress(request, this.config.TRUST_PROXY_HOPS),
      channel: 'api',
    });
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Exchange a refresh token for a new access token and a new refresh token (each refresh token works once; ' +
      'reusing one revokes the whole sign-in)',
  })
  refresh(@Body({ schema: refreshSchema }) body: z.output<typeof refreshSchema>) {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @Access(SIGNED_IN)
  @ApiOperation({
    summary: 'Sign out: revokes this sign-in (its access tokens and refresh tokens) at once',
  })
  async logout(@CurrentActor() actor: Actor): Promise<void> {
    await this.auth.logout(actor);
  }

  @Get('me')
  @Access(SIGNED_IN)
  @ApiOperation({ summary: 'The signed-in user' })
  me(@CurrentActor() actor: Actor) {
    const { sessionId: _session, ...user } = actor;
    return user;
  }
}
