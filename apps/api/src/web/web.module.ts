import { Module } from '@nestjs/common';
import { AuthModule } from '@hns/auth';
import { DeconflictionModule } from '@hns/deconfliction';
import { GazetteerModule } from '@hns/gazetteer';
import { MovementsModule } from '@hns/movements';
import { ReviewsModule } from '@hns/reviews';
import { AssetsController, RootController } from './assets.controller';
import { AssetsService } from './assets.service';
import { AuthPagesController } from './auth-pages.controller';
import { CellPagesController } from './cell-pages.controller';
import { CsrfGuard } from './csrf.guard';
import { EscalationPagesController } from './escalation-pages.controller';
import { MapLayersService } from './map-layers.service';
import { MovementDetailPages } from './movement-detail.service';
import { MovementPagesController } from './movement-pages.controller';
import { PageErrorFilter } from './page-errors.filter';
import { PlacesPagesController } from './places-pages.controller';
import { ReviewStatusReader } from './review-status';
import { WebSession } from './session';
import { WebPages } from './web-pages.service';
import { ZonePagesController } from './zone-pages.controller';

/**
 * The web application: server-rendered pages over the same services as the JSON API, for
 * NGOs, the cell's seats and UNDSS (issue 5). Needs the app's ConfigModule and DatabaseModule.
 */
@Module({
  imports: [AuthModule, MovementsModule, ReviewsModule, DeconflictionModule, GazetteerModule],
  controllers: [
    RootController,
    AssetsController,
    AuthPagesController,
    MovementPagesController,
    CellPagesController,
    ZonePagesController,
    EscalationPagesController,
    PlacesPagesController,
  ],
  providers: [
    AssetsService,
    MapLayersService,
    WebSession,
    WebPages,
    CsrfGuard,
    PageErrorFilter,
    ReviewStatusReader,
    MovementDetailPages,
  ],
})
export class WebModule {}
