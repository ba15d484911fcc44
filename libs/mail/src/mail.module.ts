import { Module } from '@nestjs/common';
import { EmailDeliveryService } from './email-delivery.service';
import { MailSinkServer } from './mail-sink.server';
import { MailSinkStore } from './mail-sink.store';
import { MailTransport } from './mail-transport';

/**
 * Email for the API and the worker. Needs the global ConfigModule and, for
 * EmailDeliveryService, the TypeORM connection of DatabaseModule.forRoot().
 * Register DevMailController in the API to serve GET /dev/mail.
 */
@Module({
  providers: [MailTransport, MailSinkServer, MailSinkStore, EmailDeliveryService],
  exports: [MailTransport, MailSinkServer, MailSinkStore, EmailDeliveryService],
})
export class MailModule {}
