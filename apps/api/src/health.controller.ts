import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Public } from '@hns/auth';
import { MailTransport } from '@hns/mail';
import { QUEUES } from '@hns/queue';

type Check = { status: 'up' | 'down'; latencyMs: number; error?: string };

async function check(probe: () => Promise<unknown>, timeoutMs = 3000): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'down',
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message.split('\n')[0].slice(0, 200) : 'unknown error',
    };
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QUEUES.mail) private readonly mailQueue: Queue,
    private readonly mail: MailTransport,
  ) {}

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
}
