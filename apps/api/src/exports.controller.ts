import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { Access, Actor, CurrentActor, Public } from '@hns/auth';
import { ZonesService, zoneListQuerySchema } from '@hns/deconfliction';
import {
  CalendarFeedService,
  DocumentParts,
  ExportFilters,
  GEOJSON_HEAD,
  GEOJSON_TAIL,
  KML_FOLDER_CLOSE,
  KML_TAIL,
  MovementExportSource,
  featureCollection,
  kmlFolderOpen,
  kmlHead,
  movementCsvRow,
  movementFeature,
  movementPlacemark,
  movementsCsvHead,
  selectionHeaders,
  streamDocument,
  zoneFeature,
  zonePlacemark,
} from '@hns/exports';
import { negotiateLocale } from '@hns/i18n';
import { listQuerySchema } from '@hns/movements';

const exportQuerySchema = listQuerySchema.pick({
  status: true,
  region: true,
  from: true,
  to: true,
});
const zoneExportQuerySchema = zoneListQuerySchema.pick({ state: true });
/** Zones are few; the export carries them all up to this, and says when it cut. */
const MAX_EXPORT_ZONES = 500;

const MOVEMENT_FORMATS = {
  csv: {
    type: 'text/csv; charset=utf-8',
    parts: (): DocumentParts => ({ head: movementsCsvHead(), item: movementCsvRow, tail: '' }),
  },
  geojson: {
    type: 'application/geo+json',
    parts: (): DocumentParts => ({
      head: GEOJSON_HEAD,
      item: (m) => JSON.stringify(movementFeature(m)),
      separator: ',',
      tail: GEOJSON_TAIL,
    }),
  },
  kml: {
    type: 'application/vnd.google-earth.kml+xml; charset=utf-8',
    parts: (): DocumentParts => ({
      head:
        kmlHead('CMCoord HNS — mouvements / movements', 'Notification, not permission.', 'routes') +
        kmlFolderOpen('Mouvements / Movements'),
      item: movementPlacemark,
      tail: KML_FOLDER_CLOSE + KML_TAIL,
    }),
  },
} as const;

/**
 * Exports for GIS, spreadsheets and calendars, on the API's need-to-know rules: an organisation
 * exports its own movements only; zones, with their confidential details, only the cell.
 */
@ApiTags('exports')
@ApiBearerAuth()
@Controller()
export class ExportsController {
  constructor(
    private readonly source: MovementExportSource,
    private readonly zones: ZonesService,
    private readonly calendar: CalendarFeedService,
  ) {}

  @Get('exports/movements.csv')
  @Access({ roles: ['ngo', 'cell'] })
  @ApiOperation({
    summary:
      'Movements as CSV with an HXL hashtag row (filters as GET /movements; at most 10,000, X-Export-Truncated)',
  })
  movementsCsv(
    @CurrentActor() actor: Actor,
    @Query({ schema: exportQuerySchema }) query: ExportFilters,
    @Headers('accept-language') language: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.movements('csv', actor, query, language, reply);
  }

  @Get('exports/movements.geojson')
  @Access({ roles: ['ngo', 'cell'] })
  @ApiOperation({ summary: 'Movement routes as GeoJSON (RFC 7946) LineStrings' })
  movementsGeoJson(
    @CurrentActor() actor: Actor,
    @Query({ schema: exportQuerySchema }) query: ExportFilters,
    @Headers('accept-language') language: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.movements('geojson', actor, query, language, reply);
  }

  @Get('exports/movements.kml')
  @Access({ roles: ['ngo', 'cell'] })
  @ApiOperation({ summary: 'Movement routes as KML 2.2 (GIS, Google Earth)' })
  movementsKml(
    @CurrentActor() actor: Actor,
    @Query({ schema: exportQuerySchema }) query: ExportFilters,
    @Headers('accept-language') language: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.movements('kml', actor, query, language, reply);
  }

  @Get('exports/zones.geojson')
  @Access({ roles: ['cell'] })
  @ApiOperation({
    summary: 'Restricted zones as GeoJSON, confidential details included (cell only)',
  })
  async zonesGeoJson(
    @CurrentActor() actor: Actor,
    @Query({ schema: zoneExportQuerySchema }) query: { state: 'current' | 'all' },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const zones = await this.zoneSelection(actor, query.state, reply, 'geojson');
    return file(
      reply,
      'application/geo+json',
      'zones.geojson',
      featureCollection(zones.map(zoneFeature)),
    );
  }

  @Get('exports/zones.kml')
  @Access({ roles: ['cell'] })
  @ApiOperation({
    summary: 'Restricted zones as KML 2.2, confidential details included (cell only)',
  })
  async zonesKml(
    @CurrentActor() actor: Actor,
    @Query({ schema: zoneExportQuerySchema }) query: { state: 'current' | 'all' },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const zones = await this.zoneSelection(actor, query.state, reply, 'kml');
    const kml =
      kmlHead(
        'CMCoord HNS — zones restreintes / restricted zones',
        'Confidentiel — cellule CMCoord / Confidential — CMCoord cell',
        'zones',
      ) +
      kmlFolderOpen('Zones') +
      zones.map(zonePlacemark).join('') +
      KML_FOLDER_CLOSE +
      KML_TAIL;
    return file(reply, MOVEMENT_FORMATS.kml.type, 'zones.kml', kml);
  }

  @Post('exports/calendar-token')
  @Access({ roles: ['ngo', 'cell'] })
  @ApiOperation({
    summary: 'Create or rotate your secret iCalendar feed address (the previous one stops working)',
  })
  issueCalendarToken(@CurrentActor() actor: Actor) {
    return this.calendar.issue(actor);
  }

  @Delete('exports/calendar-token')
  @HttpCode(204)
  @Access({ roles: ['ngo', 'cell'] })
  @ApiOperation({ summary: 'Revoke your iCalendar feed address' })
  async revokeCalendarToken(@CurrentActor() actor: Actor): Promise<void> {
    await this.calendar.revoke(actor);
  }

  @Get('calendar/:file')
  @Public()
  @ApiOperation({
    summary:
      'iCalendar feed of the movements you may see, at the secret address from POST /exports/calendar-token',
  })
  async calendarFeed(
    @Param('file', { schema: z.string().max(200) }) name: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const feed = await this.calendar.feed(name.replace(/\.ics$/, ''));
    // The address is a credential: not cached by shared caches, not sent on as a referrer.
    reply.header('cache-control', 'private, max-age=300').header('referrer-policy', 'no-referrer');
    return new StreamableFile(Readable.from(feed), {
      type: 'text/calendar; charset=utf-8',
      disposition: 'inline; filename="hns-movements.ics"',
    });
  }

  private async movements(
    format: keyof typeof MOVEMENT_FORMATS,
    actor: Actor,
    query: ExportFilters,
    language: string | undefined,
    reply: FastifyReply,
  ) {
    const selection = await this.source.select(actor, query, negotiateLocale(language));
    await this.source.recordExport(actor, `movements.${format}`, {
      filters: query,
      count: selection.count,
      truncated: selection.truncated,
    });
    reply.headers(selectionHeaders(selection));
    const { type, parts } = MOVEMENT_FORMATS[format];
    return file(reply, type, `movements.${format}`, streamDocument(selection, parts()));
  }

  private async zoneSelection(
    actor: Actor,
    state: 'current' | 'all',
    reply: FastifyReply,
    format: 'geojson' | 'kml',
  ) {
    const { items } = await this.zones.list(actor, { state, limit: MAX_EXPORT_ZONES + 1 });
    await this.source.recordExport(actor, `zones.${format}`, { state, count: items.length });
    reply.headers({
      'x-export-count': String(Math.min(items.length, MAX_EXPORT_ZONES)),
      'x-export-limit': String(MAX_EXPORT_ZONES),
      'x-export-truncated': String(items.length > MAX_EXPORT_ZONES),
    });
    return items.slice(0, MAX_EXPORT_ZONES);
  }
}

/** An attachment named after the day, never cached: exports hold movement data. */
function file(
  reply: FastifyReply,
  type: string,
  name: string,
  body: string | Readable,
): StreamableFile {
  reply.header('cache-control', 'no-store');
  const day = new Date().toISOString().slice(0, 10);
  const stream = typeof body === 'string' ? Readable.from([body]) : body;
  return new StreamableFile(stream, {
    type,
    disposition: `attachment; filename="hns-${day}-${name}"`,
  });
}
