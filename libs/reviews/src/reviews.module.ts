import { Module } from '@nestjs/common';
import { DeconflictionModule } from '@hns/deconfliction';
import { MailModule } from '@hns/mail';
import { DeadlinesService } from './deadlines.service';
import { EscalationsService } from './escalations.service';
import { LifecycleLogListener } from './lifecycle-log.listener';
import { MovementLifecycle } from './movement-lifecycle';
import { ReviewMailer } from './review-mailer.service';
import { ReviewsService } from './reviews.service';
import { ZoneConsequences } from './zone-consequences.service';

@Module({
  imports: [MailModule, DeconflictionModule],
  providers: [
    LifecycleLogListener,
    MovementLifecycle,
    ReviewsService,
    ReviewMailer,
    EscalationsService,
    DeadlinesService,
    ZoneConsequences,
  ],
  exports: [
    LifecycleLogListener,
    MovementLifecycle,
    ReviewsService,
    ReviewMailer,
    EscalationsService,
    DeadlinesService,
    ZoneConsequences,
  ],
})
export class ReviewsModule {}
