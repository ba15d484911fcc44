import { Module } from '@nestjs/common';
import { ConfigModule } from '@hns/config';
import { DatabaseModule } from '@hns/database';
import { DeconflictionModule } from '@hns/deconfliction';
import { MailModule } from '@hns/mail';
import { MovementsModule } from '@hns/movements';
import { OutboxRelay, QueueModule } from '@hns/queue';
import { ReviewsModule } from '@hns/reviews';
import { DeconflictionProcessor } from './deconfliction.processor';
import { GracefulShutdown } from './graceful-shutdown';
import { MailProcessor } from './mail.processor';
import { MailSinkLifecycle } from './mail-sink.lifecycle';
import { ReviewProcessor } from './review.processor';
import { TimersProcessor } from './timers.processor';
import { WorkerOperationsModule } from './worker-operations';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot('hns-worker'),
    QueueModule.forRoot(),
    MailModule,
    MovementsModule,
    ReviewsModule,
    DeconflictionModule,
    WorkerOperationsModule,
  ],
  providers: [
    OutboxRelay,
    MailProcessor,
    ReviewProcessor,
    TimersProcessor,
    DeconflictionProcessor,
    MailSinkLifecycle,
    GracefulShutdown,
  ],
})
export class WorkerModule {}
