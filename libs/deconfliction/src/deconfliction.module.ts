import { Module } from '@nestjs/common';
import { CoMovementsService } from './co-movements.service';
import { ConflictDetector } from './conflict-detector';
import { ConflictsService } from './conflicts.service';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { DECONFLICTION_SETTINGS, deconflictionSettings } from './settings';
import { ZonesService } from './zones.service';

/** Restricted zones, the conflict engine and the need-to-know views of conflicts. */
@Module({
  providers: [
    {
      provide: DECONFLICTION_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => deconflictionSettings(config),
    },
    ZonesService,
    ConflictDetector,
    ConflictsService,
    CoMovementsService,
  ],
  exports: [
    ZonesService,
    ConflictDetector,
    ConflictsService,
    CoMovementsService,
    DECONFLICTION_SETTINGS,
  ],
})
export class DeconflictionModule {}
