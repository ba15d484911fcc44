import { Module } from '@nestjs/common';
import { ConfigModule } from '@hns/config';
import { DatabaseModule } from '@hns/database';
import { DeconflictionModule } from '@hns/deconfliction';
import { MailModule } from '@hns/mail';
import { MovementsModule } from '@hns/movements';
import { OutboxRelay, OutboxSignal, QueueModule } from '@hns/queue';
import { ReviewsModule } from '@hns/reviews';
import { AuditSealProcessor } from './audit-seal.processor';
import { AuthMailModule } from './account-mail';
import { DeconflictionProcessor } from './deconfliction.processor';
import { GracefulShutdown } from './graceful-shutdown';
import { MailSendLog } from './mail-send-log';
import { MailProcessor } from './mail.processor';
import { MailSinkLifecycle } from './mail-sink.lifecycle';
import { OutboxPruneProcessor } from './outbox-prune.processor';
import { ReviewProcessor } from './review.processor';
import { TimersProcessor } from './timers.processor';
import { WorkerOperationsModule } from './worker-operations';
import { WorkPriority } from './work-priority';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot('hns-worker'),
    QueueModule.forRoot(),
    MailModule,
    AuthMailModule,
    MovementsModule,
    ReviewsModule,
    DeconflictionModule,
    WorkerOperationsModule,
  ],
  providers: [
    OutboxRelay,
    OutboxSignal,
    MailProcessor,
    MailSendLog,
    ReviewProcessor,
    TimersProcessor,
    DeconflictionProcessor,
    AuditSealProcessor,
    OutboxPruneProcessor,
    MailSinkLifecycle,
    GracefulShutdown,
    // Built here, not injected: its constructor's parameters are for tests.
    { provide: WorkPriority, useFactory: () => new WorkPriority() },
  ],
})
export class WorkerModule {}
