import { Module } from '@nestjs/common';
import { MailModule } from '@hns/mail';
import { ReviewMailer } from './review-mailer.service';
import { ReviewsService } from './reviews.service';

@Module({
  imports: [MailModule],
  providers: [ReviewsService, ReviewMailer],
  exports: [ReviewsService, ReviewMailer],
})
export class ReviewsModule {}
