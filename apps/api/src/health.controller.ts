import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Public } from '@hns/auth';
import { MailTransport } from '@hns/mail';
import { ReadinessProbe, check } from '@hns/metrics';
import { QUEUES } from '@hns/queue';
import { ShutdownState } from './operations/shutdown-state';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  private readonly readiness: ReadinessProbe;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QUEUES.mail) private readonly mailQueue: Queue,
    private readonly mail: MailTransport,
    private readonly shutdown: ShutdownState,
  ) {
    this.readiness = new ReadinessProbe(db, async () =>
      (await this.mailQueue.getBackend().client).info(),
    );
  }

  @Public()
  @Get()
  @ApiOperation({ summary: 'PostgreSQL, Redis and SMTP reachability; 503 when one is down' })
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const [postgres, redis, smtp] = await Promise.all([
      check(() => this.db.query('SELECT 1')),
      check(async () => (await this.mailQueue.getBackend().client).info()),
      check(() => this.mail.verify()),
    ]);
    const status = [postgres, redis, smtp].every((c) => c.status === 'up') ? 'ok' : 'degraded';
    reply.status(status === 'ok' ? 200 : 503);
    return { status, checks: { postgres, redis, smtp } };
  }

  /** Liveness: the process answers HTTP. No dependency is checked, so an outage of PostgreSQL
   * or Redis never gets a healthy process restarted (readiness takes it out of rotation). */
  @Public()
  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP (no dependency checks)' })
  live() {
    return { status: 'live' };
  }

  /** Readiness: send traffic here? PostgreSQL and Redis answer, migrations are applied, and the
   * process is not shutting down (503 from SIGTERM on). SMTP is left out: mail waits in queues. */
  @Public()
  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: 200 when PostgreSQL and Redis answer and migrations are applied; 503 otherwise and from SIGTERM on',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const shuttingDown = this.shutdown.shuttingDown;
    const readiness = await this.readiness.probe(shuttingDown);
    reply.status(readiness.status === 'ready' ? 200 : 503);
    if (readiness.status !== 'ready') reply.header('cache-control', 'no-store');
    return readiness;
  }
}
