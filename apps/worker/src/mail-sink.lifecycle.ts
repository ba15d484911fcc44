import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { MailSinkServer } from '@hns/mail';

/**
 * Without SMTP_URL the worker runs the embedded development mail sink, so a new user reads
 * every email at /dev/mail without installing a mail server.
 */
@Injectable()
export class MailSinkLifecycle implements OnApplicationBootstrap {
  private readonly logger = new Logger('MailSink');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sink: MailSinkServer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.useMailSink) return;
    const port = await this.sink.start(this.config.MAIL_SINK_PORT);
    this.logger.log(
      `No SMTP_URL: emails go to the development sink on 127.0.0.1:${port}, stored in ${this.config.mailSinkDir}; read them at ${this.config.APP_URL}/dev/mail`,
    );
  }
}
