import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Access } from '@hns/auth';
import { CoMovementsService } from '@hns/deconfliction';

const DAY = 24 * 3600_000;
const querySchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .transform((q) => {
    const from = q.from ?? new Date().toISOString();
    return { from, to: q.to ?? new Date(Date.parse(from) + 7 * DAY).toISOString(), limit: q.limit };
  });

@ApiTags('advisories')
@ApiBearerAuth()
@Controller('advisories')
export class AdvisoriesController {
  constructor(private readonly coMovements: CoMovementsService) {}

  @Get('co-movements')
  @Access({ roles: ['cell'], seats: ['wfp_logistics', 'ocha'] })
  @ApiOperation({
    summary:
      'Movements of different organisations on the same corridor at the same time (default: the next 7 days), to merge or stagger convoys',
  })
  list(@Query({ schema: querySchema }) query: z.output<typeof querySchema>) {
    return this.coMovements.pairs(query);
  }
}
