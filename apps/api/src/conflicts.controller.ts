import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Access, Actor, CurrentActor } from '@hns/auth';
import { ConflictsService } from '@hns/deconfliction';

@ApiTags('movements')
@ApiBearerAuth()
@Controller('movements')
export class ConflictsController {
  constructor(private readonly conflicts: ConflictsService) {}

  @Get(':id/conflicts')
  @Access({ roles: ['ngo', 'cell'] })
  @ApiOperation({
    summary:
      "Restricted zones the movement's route crosses while they are in force: everything for the cell; for the organisation only the public label, level, when, its own route's stretch and the outline if shared",
  })
  forMovement(@CurrentActor() actor: Actor, @Param('id', { schema: z.uuid() }) id: string) {
    return this.conflicts.forMovement(actor, id);
  }
}
