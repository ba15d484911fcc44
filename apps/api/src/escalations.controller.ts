import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Access, Actor, CurrentActor } from '@hns/auth';
import { ESCALATION_OUTCOMES, EscalationsService } from '@hns/reviews';

const resolutionSchema = z.strictObject({
  outcome: z.enum(ESCALATION_OUTCOMES),
  note: z.string().trim().max(2000).optional(),
});

@ApiTags('escalations')
@ApiBearerAuth()
@Controller('escalations')
export class EscalationsController {
  constructor(private readonly escalations: EscalationsService) {}

  @Get()
  @Access({ roles: ['cell'], seats: ['undss', 'ocha'] })
  @ApiOperation({ summary: 'Open security escalations, nearest acknowledgement deadline first' })
  board(@CurrentActor() actor: Actor) {
    return this.escalations.board(actor);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Access({ roles: ['cell'], seats: ['undss'] })
  @ApiOperation({ summary: 'UNDSS acknowledges an escalation (stops the deadline)' })
  acknowledge(@CurrentActor() actor: Actor, @Param('id', { schema: z.uuid() }) id: string) {
    return this.escalations.acknowledge(actor, id);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Access({ roles: ['cell'], seats: ['undss'] })
  @ApiOperation({
    summary: 'UNDSS resolves an escalation: cleared, or advice to reroute, postpone or cancel',
  })
  resolve(
    @CurrentActor() actor: Actor,
    @Param('id', { schema: z.uuid() }) id: string,
    @Body({ schema: resolutionSchema }) body: z.output<typeof resolutionSchema>,
  ) {
    return this.escalations.resolve(actor, id, body.outcome, body.note);
  }
}
