import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard, AuthModule } from '@hns/auth';
import { ConfigModule } from '@hns/config';
import { DatabaseModule } from '@hns/database';
import { DeconflictionModule } from '@hns/deconfliction';
import { ExportsModule } from '@hns/exports';
import { GazetteerModule } from '@hns/gazetteer';
import { DevMailController, MailModule } from '@hns/mail';
import { MovementsModule } from '@hns/movements';
import { OutboxSignal, QueueModule } from '@hns/queue';
import { ReviewsModule } from '@hns/reviews';
import { AdvisoriesController } from './advisories.controller';
import { AuthController } from './auth.controller';
import { ConflictsController } from './conflicts.controller';
import { EscalationsController } from './escalations.controller';
import { ExportsController } from './exports.controller';
import { HealthController } from './health.controller';
import { ImportsController } from './imports.controller';
import { MovementsController } from './movements.controller';
import { PlacesController } from './places.controller';
import { ReviewsController } from './reviews.controller';
import { ZonesController } from './zones.controller';
import { OperationsModule } from './operations/operations.module';
import { WebModule } from './web/web.module';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule.forRoot('hns-api'),
    QueueModule.forRoot(),
    AuthModule,
    MailModule,
    MovementsModule,
    ReviewsModule,
    GazetteerModule,
    DeconflictionModule,
    ExportsModule,
    WebModule,
    OperationsModule,
  ],
  controllers: [
    AuthController,
    MovementsController,
    ReviewsController,
    EscalationsController,
    PlacesController,
    ZonesController,
    ConflictsController,
    AdvisoriesController,
    ExportsController,
    ImportsController,
    HealthController,
    DevMailController,
  ],
  providers: [{ provide: APP_GUARD, useClass: AccessGuard }, OutboxSignal],
})
export class ApiModule {}
