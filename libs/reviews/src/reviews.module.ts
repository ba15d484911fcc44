import { Module } from '@nestjs/common';
import { MailModule } from '@hns/mail';
import { EscalationsService } from './escalations.service';
import { ReviewMailer } from './review-mailer.service';
import { ReviewsService } from './reviews.service';

@Module({
  imports: [MailModule],
  providers: [ReviewsService, ReviewMailer, EscalationsService],
  exports: [ReviewsService, ReviewMailer, EscalationsService],
})
export class ReviewsModule {}
