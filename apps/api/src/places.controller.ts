import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@hns/auth';
import { GazetteerService, PlaceSearchQuery, placeSearchQuerySchema } from '@hns/gazetteer';

// Reference data that changes with a migration only: let clients on satellite links reuse it.
const CACHE_SEARCH = 'private, max-age=3600';
const CACHE_REGIONS = 'private, max-age=86400';

@ApiTags('places')
@ApiBearerAuth()
@Controller('places')
export class PlacesController {
  constructor(private readonly gazetteer: GazetteerService) {}

  @Get()
  @Access({ roles: ['ngo', 'cell', 'admin'] })
  @Header('Cache-Control', CACHE_SEARCH)
  @ApiOperation({
    summary: 'Find places by the start of their name (French or English, accents optional)',
  })
  async search(@Query({ schema: placeSearchQuerySchema }) query: PlaceSearchQuery) {
    return { items: await this.gazetteer.search(query.q, query.limit) };
  }

  @Get('regions')
  @Access({ roles: ['ngo', 'cell', 'admin'] })
  @Header('Cache-Control', CACHE_REGIONS)
  @ApiOperation({ summary: 'The admin1 regions (and the Bamako district), without geometry' })
  async regions() {
    return { items: await this.gazetteer.regions() };
  }
}
