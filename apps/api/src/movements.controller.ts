import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Access, Actor, CurrentActor } from '@hns/auth';
import {
  AmendmentInput,
  ListQuery,
  MovementsService,
  NotificationData,
  amendmentSchema,
  cancellationSchema,
  listQuerySchema,
  notificationSchema,
} from '@hns/movements';

const idSchema = z.uuid();

@ApiTags('movements')
@ApiBearerAuth()
@Controller('movements')
export class MovementsController {
  constructor(private readonly movements: MovementsService) {}

  @Post()
  @Access({ roles: ['ngo'] })
  @ApiOperation({ summary: 'Notify a movement (convoy, mission, evacuation, delivery)' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key + same body returns the first answer; same key + other body is 422',
  })
  async submit(
    @CurrentActor() actor: Actor,
    @Body({ schema: notificationSchema }) body: NotificationData,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.movements.submit(
      actor,
      body,
      idempotencyKey === undefined
        ? undefined
        : { key: idempotencyKey, method: 'POST', path: '/movements', body },
    );
    reply.status(result.status);
    reply.header('location', `/movements/${result.body.id}`);
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    return result.body;
  }

  @Get()
  @Access({ roles: ['ngo', 'cell'] })
  @ApiOperation({ summary: "List movements: the organisation's own for NGOs, all for the cell" })
  list(@CurrentActor() actor: Actor, @Query({ schema: listQuerySchema }) query: ListQuery) {
    return this.movements.list(actor, query);
  }

  @Get(':id')
  @Access({ roles: ['ngo', 'cell'] })
  @ApiOperation({ summary: 'A movement with its version history' })
  get(@CurrentActor() actor: Actor, @Param('id', { schema: idSchema }) id: string) {
    return this.movements.get(actor, id);
  }

  @Patch(':id')
  @Access({ roles: ['ngo'] })
  @ApiOperation({ summary: 'Amend a movement: creates a new version and restarts review' })
  amend(
    @CurrentActor() actor: Actor,
    @Param('id', { schema: idSchema }) id: string,
    @Body({ schema: amendmentSchema }) body: AmendmentInput,
  ) {
    return this.movements.amend(actor, id, body);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Access({ roles: ['ngo'] })
  @ApiOperation({ summary: 'Cancel a movement, with a reason' })
  cancel(
    @CurrentActor() actor: Actor,
    @Param('id', { schema: idSchema }) id: string,
    @Body({ schema: cancellationSchema }) body: z.output<typeof cancellationSchema>,
  ) {
    return this.movements.cancel(actor, id, body.reason);
  }
}
