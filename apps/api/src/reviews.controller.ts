import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Access, Actor, CurrentActor } from '@hns/auth';
import { DECISIONS, REASON_CODES, ReviewsService, reviewQueueSchema } from '@hns/reviews';

const decisionSchema = z.strictObject({
  version: z.number().int().min(1),
  decision: z.enum(DECISIONS),
  reasonCodes: z.array(z.enum(REASON_CODES)).max(20).default([]),
  comment: z.string().trim().max(2000).optional(),
});

const queueQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

@ApiTags('reviews')
@ApiBearerAuth()
@Controller()
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Get('reviews')
  @Access({ roles: ['cell'] })
  @ApiOperation({
    summary: "The signed-in seat's pending reviews, soonest departure first",
    description:
      'One line per pending task: reference, organisation, route, dates, escort status, counts ' +
      'of vehicles, personnel and restricted zones crossed. The full notice is in ' +
      'GET /movements/{movementId}, the zones in GET /movements/{movementId}/conflicts.',
  })
  @ApiOkResponse({ description: 'The seat and its queue', standardSchema: reviewQueueSchema })
  async queue(
    @CurrentActor() actor: Actor,
    @Query({ schema: queueQuerySchema }) query: z.output<typeof queueQuerySchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    // The JSON text PostgreSQL built in reviewQueueSchema's shape, sent without parsing it again.
    const body = await this.reviews.queueJson(actor, query.limit);
    void reply.type('application/json; charset=utf-8');
    return body;
  }

  @Post('movements/:id/depart')
  @HttpCode(200)
  @Access({ roles: ['ngo'] })
  @ApiOperation({ summary: 'Report that an acknowledged movement has departed' })
  depart(@CurrentActor() actor: Actor, @Param('id', { schema: z.uuid() }) id: string) {
    return this.reviews.reportProgress(actor, id, 'departed');
  }

  @Post('movements/:id/arrive')
  @HttpCode(200)
  @Access({ roles: ['ngo'] })
  @ApiOperation({ summary: 'Report that a movement under way has arrived' })
  arrive(@CurrentActor() actor: Actor, @Param('id', { schema: z.uuid() }) id: string) {
    return this.reviews.reportProgress(actor, id, 'arrived');
  }

  @Post('movements/:id/reviews')
  @HttpCode(200)
  @Access({ roles: ['cell'] })
  @ApiOperation({
    summary:
      'Approve, flag or escalate the current version of a movement (once per seat and version)',
  })
  decide(
    @CurrentActor() actor: Actor,
    @Param('id', { schema: z.uuid() }) id: string,
    @Body({ schema: decisionSchema }) body: z.output<typeof decisionSchema>,
  ) {
    return this.reviews.decide(actor, id, body);
  }
}
