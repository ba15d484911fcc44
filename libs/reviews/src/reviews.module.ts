import { Module } from '@nestjs/common';
import { MailModule } from '@hns/mail';
import { DeadlinesService } from './deadlines.service';
import { EscalationsService } from './escalations.service';
import { MovementLifecycle } from './movement-lifecycle';
import { ReviewMailer } from './review-mailer.service';
import { ReviewsService } from './reviews.service';

@Module({
  imports: [MailModule],
  providers: [
    MovementLifecycle,
    ReviewsService,
    ReviewMailer,
    EscalationsService,
    DeadlinesService,
  ],
  exports: [MovementLifecycle, ReviewsService, ReviewMailer, EscalationsService, DeadlinesService],
})
export class ReviewsModule {}
