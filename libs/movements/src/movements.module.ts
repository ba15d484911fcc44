import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailModule } from '@hns/mail';
import { MovementNotification, MovementVersion } from './entities';
import { MovementMailer } from './mail/movement-mailer.service';
import { MovementsService } from './movements.service';

@Module({
  imports: [TypeOrmModule.forFeature([MovementNotification, MovementVersion]), MailModule],
  providers: [MovementsService, MovementMailer],
  exports: [MovementsService, MovementMailer],
})
export class MovementsModule {}
