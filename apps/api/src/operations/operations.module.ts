import { Module } from '@nestjs/common';
import { ApiMetrics } from './api-metrics';
import { MetricsController } from './metrics.controller';
import { ShutdownState } from './shutdown-state';

/** Metrics (/metrics) and the shutdown state behind readiness (/health/ready). */
@Module({
  controllers: [MetricsController],
  providers: [ApiMetrics, ShutdownState],
  exports: [ApiMetrics, ShutdownState],
})
export class OperationsModule {}
