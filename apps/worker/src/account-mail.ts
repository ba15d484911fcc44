import { Inject, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LockoutNoticeJob } from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import {
  EmailDeliveryService,
  MailMessage,
  MailModule,
  bilingualDocument,
  bilingualText,
  html,
} from '@hns/mail';

export interface LockoutNoticeContext {
  displayName: string | null;
  email: string;
  lockedUntil: Date;
  failures: number;
  address: string;
  signInUrl: string;
}

const formatters = {
  fr: new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }),
};

/**
 * The email to an account's owner when too many wrong passwords locked it: French first, then
 * English. It says when the lock lifts and what to do if it was not them; it never contains a
 * password, a token or a link that signs in.
 */
export function renderLockoutNotice(c: LockoutNoticeContext): MailMessage {
  const until = {
    fr: `${formatters.fr.format(c.lockedUntil)} UTC`,
    en: `${formatters.en.format(c.lockedUntil)} UTC`,
  };
  const greeting = { fr: 'Bonjour', en: 'Hello' };
  const name = c.displayName ?? c.email;
  const body = {
    fr: [
      `${greeting.fr} ${name},`,
      `Après ${c.failures} tentatives de connexion avec un mot de passe erroné, la connexion à votre compte CMCoord HNS (${c.email}) est suspendue jusqu'au ${until.fr}. Dernière tentative depuis l'adresse ${c.address}.`,
      "Si c'était vous, attendez cette heure puis reconnectez-vous. Sinon, quelqu'un essaie peut-être de deviner votre mot de passe : prévenez votre administrateur, qui peut le réinitialiser. La cellule ne vous demandera jamais votre mot de passe.",
    ],
    en: [
      `${greeting.en} ${name},`,
      `After ${c.failures} sign-in attempts with a wrong password, signing in to your CMCoord HNS account (${c.email}) is suspended until ${until.en}. Last attempt from address ${c.address}.`,
      'If this was you, wait until then and sign in again. If not, someone may be trying to guess your password: tell your administrator, who can reset it. The cell will never ask you for your password.',
    ],
  };
  const subject =
    'Connexion suspendue après des tentatives échouées / Sign-in suspended after failed attempts';
  const text = bilingualText(
    [...body.fr, c.signInUrl].join('\n\n'),
    [...body.en, c.signInUrl].join('\n\n'),
  );
  const section = (lang: 'fr' | 'en') =>
    html`<div lang="${lang}">
      ${body[lang].map((paragraph) => html`<p>${paragraph}</p>`)}
      <p><a href="${c.signInUrl}">${c.signInUrl}</a></p>
    </div>`;
  const document = bilingualDocument(subject, section('fr'), section('en'));
  return { to: [c.email], subject, text, html: document, priority: 'high' };
}

/** Sends the lock-out notice of a mail job, once per lock-out (keyed email delivery). */
@Injectable()
export class AccountMailer {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deliveries: EmailDeliveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async sendLockoutNotice(job: LockoutNoticeJob): Promise<void> {
    const [user]: { email: string; display_name: string | null }[] = await this.db.query(
      `SELECT email, display_name FROM users WHERE id = $1`,
      [job.userId],
    );
    // Written in the same transaction as the outbox row, and users are never deleted.
    if (!user) throw new Error(`user ${job.userId} not found`);
    await this.deliveries.sendOnce(
      { idempotencyKey: `auth.lockout:${job.lockoutId}`, kind: 'auth.lockout' },
      () =>
        renderLockoutNotice({
          displayName: user.display_name,
          email: user.email,
          lockedUntil: new Date(job.lockedUntil),
          failures: job.failures,
          address: job.address,
          signInUrl: `${this.config.APP_URL}/web/sign-in`,
        }),
    );
  }
}

/** For the worker: the account emails, without the API's token machinery. */
@Module({ imports: [MailModule], providers: [AccountMailer], exports: [AccountMailer] })
export class AuthMailModule {}
