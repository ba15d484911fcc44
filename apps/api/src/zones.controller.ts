import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Access, Actor, CurrentActor } from '@hns/auth';
import {
  BodySchemaPipe,
  ZONE_DECLARING_SEATS,
  ZoneDeclaration,
  ZoneListQuery,
  ZoneUpdate,
  ZonesService,
  zoneDeclarationSchema,
  zoneLiftSchema,
  zoneListQuerySchema,
  zoneUpdateSchema,
} from '@hns/deconfliction';

const declaringSeats = { roles: ['cell' as const], seats: [...ZONE_DECLARING_SEATS] };

@ApiTags('zones')
@ApiBearerAuth()
@Controller('zones')
export class ZonesController {
  constructor(private readonly zones: ZonesService) {}

  @Post()
  @Access(declaringSeats)
  @ApiOperation({
    summary:
      'Declare a restricted zone (GeoJSON Polygon/MultiPolygon, or center + radiusKm), no_go or caution',
  })
  async declare(
    @CurrentActor() actor: Actor,
    @Body(new BodySchemaPipe(zoneDeclarationSchema)) body: ZoneDeclaration,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const zone = await this.zones.declare(actor, body);
    reply.header('location', `/zones/${zone.id}`);
    return zone;
  }

  @Get()
  @Access({ roles: ['cell'] })
  @ApiOperation({ summary: 'Restricted zones, with their confidential details (cell only)' })
  list(@CurrentActor() actor: Actor, @Query({ schema: zoneListQuerySchema }) query: ZoneListQuery) {
    return this.zones.list(actor, query);
  }

  @Get(':id')
  @Access({ roles: ['cell'] })
  @ApiOperation({ summary: 'One restricted zone (cell only)' })
  get(@CurrentActor() actor: Actor, @Param('id', { schema: z.uuid() }) id: string) {
    return this.zones.get(actor, id);
  }

  @Patch(':id')
  @Access(declaringSeats)
  @ApiOperation({ summary: 'Change a zone (the declaring seat only); its version goes up' })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', { schema: z.uuid() }) id: string,
    @Body(new BodySchemaPipe(zoneUpdateSchema)) body: ZoneUpdate,
  ) {
    return this.zones.update(actor, id, body);
  }

  @Post(':id/lift')
  @HttpCode(200)
  @Access(declaringSeats)
  @ApiOperation({ summary: 'Lift a zone now (it is kept on the record, never deleted)' })
  lift(
    @CurrentActor() actor: Actor,
    @Param('id', { schema: z.uuid() }) id: string,
    @Body(new BodySchemaPipe(zoneLiftSchema)) body: z.output<typeof zoneLiftSchema>,
  ) {
    return this.zones.lift(actor, id, body.reason);
  }
}
