import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { DeconflictionModule } from '@hns/deconfliction';
import { GazetteerModule } from '@hns/gazetteer';
import { MovementsModule } from '@hns/movements';
import { CalendarFeedService } from './calendar/calendar-feed.service';
import { registerCsvBodyParser } from './import/csv-body';
import { MovementImportService } from './import/movement-import.service';
import { MovementExportSource } from './movement-export.source';

/**
 * Exports (CSV with HXL, GeoJSON, KML, the iCalendar feed) and the CSV bulk import, each on the
 * need-to-know rules of the API. In an HTTP application it also reads `text/csv` bodies.
 */
@Module({
  imports: [MovementsModule, DeconflictionModule, GazetteerModule],
  providers: [MovementExportSource, CalendarFeedService, MovementImportService],
  exports: [MovementExportSource, CalendarFeedService, MovementImportService],
})
export class ExportsModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (instance && typeof instance.addContentTypeParser === 'function') {
      registerCsvBodyParser(instance);
    }
  }
}
