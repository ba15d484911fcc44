import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Actor, AuthService, CurrentActor, Public, Access } from '@hns/auth';

const loginSchema = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(200),
});

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password; returns a bearer access token' })
  login(@Body({ schema: loginSchema }) body: z.output<typeof loginSchema>) {
    return this.auth.login(body.email, body.password);
  }

  @Get('me')
  @Access({ roles: ['ngo', 'cell', 'admin'] })
  @ApiOperation({ summary: 'The signed-in user' })
  me(@CurrentActor() actor: Actor) {
    return actor;
  }
}
