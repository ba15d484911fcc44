import { Module } from '@nestjs/common';
import { DeconflictionModule } from '@hns/deconfliction';
import { MailModule } from '@hns/mail';
import { DeadlinesService } from './deadlines.service';
import { EscalationsService } from './escalations.service';
import { MovementLifecycle } from './movement-lifecycle';
import { ReviewMailer } from './review-mailer.service';
import { ReviewsService } from './reviews.service';
import { ZoneConsequences } from './zone-consequences.service';

@Module({
  imports: [MailModule, DeconflictionModule],
  providers: [
    MovementLifecycle,
    ReviewsService,
    ReviewMailer,
    EscalationsService,
    DeadlinesService,
    ZoneConsequences,
  ],
  exports: [
    MovementLifecycle,
    ReviewsService,
    ReviewMailer,
    EscalationsService,
    DeadlinesService,
    ZoneConsequences,
  ],
})
export class ReviewsModule {}
