import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { unauthorized } from '@hns/http';
import { Actor, User, actorOf } from './entities';
import { decoyHash, verifyPassword } from './passwords';

export interface AccessTokenClaims {
  sub: string;
  role: Actor['role'];
}

export interface PublicUser {
  id: string;
  email: string;
  role: Actor['role'];
  seat: Actor['seat'];
  organisationId: string | null;
  locale: Actor['locale'];
  displayName: string | null;
}

export function publicUser(user: User): PublicUser {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    seat: user.seat,
    organisationId: user.organisationId,
    locale: user.locale,
    displayName: user.displayName,
  };
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks the password (same work whether or not the account exists) and issues a token. */
  async login(
    email: string,
    password: string,
  ): Promise<{ accessToken: string; tokenType: 'Bearer'; expiresIn: number; user: PublicUser }> {
    const user = await this.db
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
    const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
    if (!user || !valid) throw unauthorized('auth.invalid_credentials');
    if (user.disabledAt) throw unauthorized('auth.account_disabled');
    const claims: AccessTokenClaims = { sub: user.id, role: user.role };
    const accessToken = await this.jwt.signAsync(claims, {
      expiresIn: this.config.JWT_TTL_SECONDS,
    });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.config.JWT_TTL_SECONDS,
      user: publicUser(user),
    };
  }

  /**
   * Resolves a bearer token to the acting user. The account is re-read on every request so a
   * disabled account or a changed role takes effect at once, not when the token expires.
   */
  async authenticate(token: string): Promise<Actor> {
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, { algorithms: ['HS256'] });
    } catch {
      throw unauthorized('auth.token_invalid');
    }
    const user = await this.db.getRepository(User).findOneBy({ id: claims.sub });
    if (!user) throw unauthorized('auth.token_invalid');
    if (user.disabledAt) throw unauthorized('auth.account_disabled');
    return actorOf(user);
  }
}
