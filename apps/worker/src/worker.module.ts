import { Module } from '@nestjs/common';
import { ConfigModule } from '@hns/config';
import { DatabaseModule } from '@hns/database';
import { MailModule } from '@hns/mail';
import { MovementsModule } from '@hns/movements';
import { OutboxRelay, QueueModule } from '@hns/queue';
import { ReviewsModule } from '@hns/reviews';
import { MailProcessor } from './mail.processor';
import { MailSinkLifecycle } from './mail-sink.lifecycle';
import { ReviewProcessor } from './review.processor';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot('hns-worker'),
    QueueModule.forRoot(),
    MailModule,
    MovementsModule,
    ReviewsModule,
  ],
  providers: [OutboxRelay, MailProcessor, ReviewProcessor, MailSinkLifecycle],
})
export class WorkerModule {}
