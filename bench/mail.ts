import { createTransport } from 'nodemailer';
import { performance } from 'node:perf_hooks';
import { sleep } from './lib/env';
import { type Context, reserve, withDbProfile } from './lib/context';
import { count, databaseName } from './lib/db';
import { CpuMeter, cpuPer, describeCpu } from './lib/processes';
import { ratio } from './lib/report';
import { createOrganisation, seedMovements } from './lib/seed';
import type { SmtpSink } from './lib/smtp-sink';

/**
 * The bare limit: nodemailer, pooled as MailTransport is (5 connections, 100 messages each),
 * sending plain one-part messages straight to the same sink.
 */
export async function bareNodemailer(
  sink: SmtpSink,
  messages: number,
): Promise<{ seconds: number; perSecond: number }> {
  const transport = createTransport({
    pool: true,
    maxConnections: 5,
    maxMessages: 100,
    ...sink.address,
    secure: false,
    ignoreTLS: true,
  });
  try {
    const started = performance.now();
    const before = sink.messages;
    await Promise.all(
      Array.from({ length: messages }, (_, i) =>
        transport.sendMail({
          from: 'CMCoord HNS <no-reply@hns.localhost>',
          to: `focal${i}@bench.test`,
          subject: `Benchmark message ${i}`,
          text: 'A plain message of a few words, as the bare limit of sending mail.',
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    if (sink.messages - before < messages)
      throw new Error('bare nodemailer: the sink missed messages');
    return { seconds, perSecond: messages / seconds };
  } finally {
    transport.close();
  }
}

/**
 * Mail: N acknowledgements (bilingual text + HTML + .ics, to the focal point with the OCHA
 * cell in copy) asked for through the outbox, as the lifecycle does when the last seat clears
 * a movement; the time until every one is recorded as sent to the loopback SMTP sink.
 */
export async function mail(ctx: Context): Promise<void> {
  const n = ctx.sizes.mailMessages;
  ctx.log(`mail: ${n} acknowledgements from the queue to a loopback SMTP sink`);

  let meter = new CpuMeter([ctx.api, ctx.worker], databaseName(ctx.databaseUrl)).begin();
  const bare = await bareNodemailer(ctx.sink, n);
  const bareCpu = meter.end();
  ctx.log(
    `  baseline (nodemailer pooled, plain messages): ${bare.perSecond.toFixed(0)} messages/s`,
  );

  const organisation = await createOrganisation(ctx.pool, 'BMAIL');
  const from = reserve(ctx, n);
  await seedMovements(ctx.pool, {
    from,
    to: from + n - 1,
    prefix: 'A',
    template: ctx.template,
    createdBy: ctx.accounts.ngo.userId,
    organisations: { featured: organisation, featuredEvery: 1, others: [organisation] },
    departureSql: `date_trunc('minute', now()) + interval '72 hours' + (i % 720) * interval '1 hour'`,
    statusSql: `'acknowledged'`,
    tasks: { approvedStatuses: ['acknowledged'] },
    features: ctx.features,
  });

  const sinkBefore = ctx.sink.messages;
  const bytesBefore = ctx.sink.bytes;
  meter = new CpuMeter([ctx.api, ctx.worker], databaseName(ctx.databaseUrl)).begin();
  const started = performance.now();
  await ctx.pool.query(
    `INSERT INTO outbox (queue, job_name, payload, correlation_id)
     SELECT 'mail', 'movement.acknowledgement', jsonb_build_object('movementId', id, 'version', 1), id::text
     FROM movement_notifications WHERE organisation_id = $1 ORDER BY departure_at`,
    [organisation],
  );
  const committed = performance.now();
  await withDbProfile(ctx, 'mail', async () => {
    let sent = 0;
    const deadline = committed + 300_000;
    while (sent < n) {
      if (performance.now() > deadline)
        throw new Error(`mail: only ${sent} of ${n} sent after 300 s`);
      await sleep(100);
      sent = await count(
        ctx.pool,
        `SELECT count(*) AS n FROM email_deliveries WHERE kind = 'movement.acknowledgement' AND status = 'sent'`,
      );
      const failed = await count(
        ctx.pool,
        `SELECT count(*) AS n FROM email_deliveries WHERE kind = 'movement.acknowledgement' AND status = 'failed'`,
      );
      if (failed > 0)
        throw new Error(`mail: ${failed} acknowledgements failed (see var/bench/worker.log)`);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = meter.end();
  const perSecond = n / seconds;
  const received = ctx.sink.messages - sinkBefore;
  const meanBytes = Math.round((ctx.sink.bytes - bytesBefore) / Math.max(1, received));
  ctx.log(
    `  system: ${n} acknowledgements in ${seconds.toFixed(2)} s = ${perSecond.toFixed(0)} emails/s ` +
      `(sink received ${received}, ${meanBytes} bytes each on average)`,
  );
  ctx.log(`    ${describeCpu(cpu, n, 'email')}; baseline: ${describeCpu(bareCpu, n, 'message')}`);
  ctx.results.mail = {
    cpuMsPerEmail: cpuPer(cpu, n),
    messages: n,
    seconds,
    emailsPerSecond: perSecond,
    sinkReceived: received,
    meanMessageBytes: meanBytes,
    baseline: { messages: n, ...bare, cpuMsPerMessage: cpuPer(bareCpu, n) },
  };
  const r = ratio(perSecond, bare.perSecond);
  ctx.rows.push({
    benchmark: 'mail',
    metric: `${n.toLocaleString('en-GB')} acknowledgements → SMTP`,
    unit: '/s',
    figure: perSecond,
    baseline: bare.perSecond,
    baselineLabel: 'nodemailer pooled',
    ratio: r,
    target: '≥ 0.7× baseline, ≥ 300/s',
    pass: r !== null && r >= 0.7 && perSecond >= 300,
  });
}
