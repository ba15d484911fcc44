import { Module } from '@nestjs/common';
import { AuthModule } from '@hns/auth';
import { ConfigModule } from '@hns/config';
import { DatabaseModule } from '@hns/database';
import { DeconflictionModule } from '@hns/deconfliction';
import { MailModule } from '@hns/mail';
import { MovementsModule } from '@hns/movements';
import { ReviewsModule } from '@hns/reviews';

/** What the operations commands need besides accounts: mail, the mailers, the conflict engine. */
@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot('hns-cli'),
    AuthModule,
    MailModule,
    MovementsModule,
    ReviewsModule,
    DeconflictionModule,
  ],
})
export class OperationsModule {}
