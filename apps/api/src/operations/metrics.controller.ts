import { Controller, Get, Inject, NotFoundException, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { unauthorized } from '@hns/http';
import { metricsTokenMatches } from '@hns/metrics';
import { ApiMetrics } from './api-metrics';

/**
 * Prometheus scrape endpoint. Not for users (the user guard lets it through: @Public), but for
 * the monitoring system: it answers only with `Authorization: Bearer <METRICS_TOKEN>`, and not
 * at all (404) when no METRICS_TOKEN is configured.
 */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: ApiMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  @ApiExcludeEndpoint()
  async scrape(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const token = this.config.METRICS_TOKEN;
    if (!token) throw new NotFoundException();
    if (!metricsTokenMatches(request.headers.authorization, token)) throw unauthorized();
    const { contentType, body } = await this.metrics.metrics();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  }
}
