import { Module } from '@nestjs/common';
import { ConfigModule } from '@hns/config';
import { DatabaseModule } from '@hns/database';
import { MailModule } from '@hns/mail';
import { MovementsModule } from '@hns/movements';
import { OutboxRelay, QueueModule } from '@hns/queue';
import { MailProcessor } from './mail.processor';
import { MailSinkLifecycle } from './mail-sink.lifecycle';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot('hns-worker'),
    QueueModule.forRoot(),
    MailModule,
    MovementsModule,
  ],
  providers: [OutboxRelay, MailProcessor, MailSinkLifecycle],
})
export class WorkerModule {}
