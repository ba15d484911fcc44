import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { JOB_OPTIONS, OUTBOX_PRUNE_QUEUE, OutboxRelay, QUEUES } from '@hns/queue';
import {
  OUTBOX_PRUNE_EVERY_MS,
  OUTBOX_PRUNE_JOB,
  OutboxPruneProcessor,
} from '../apps/worker/src/outbox-prune.processor';
import { MOVEMENT_JOBS } from '@hns/movements';
import { Harness, bearer, convoyNotice, ngoAccount, startHarness } from './support/harness';
import { waitFor } from './support/wait-for';

describe('durable hand-off from the API to the worker', () => {
  let h: Harness;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    ngo = await ngoAccount(h);
  });
  afterAll(() => h.close());

  const submit = async (hoursAhead: number) => {
    const response = await h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: bearer(ngo.token),
      payload: convoyNotice(hoursAhead),
    });
    expect(response.statusCode).toBe(201);
    return response.json();
  };

  it('a relay that crashed after enqueueing but before marking the rows enqueues nothing twice', async () => {
    const relay = h.worker!.get(OutboxRelay);
    const queue = h.worker!.get<Queue>(getQueueToken(QUEUES.review), { strict: false });
    await queue.pause();
    try {
      // An outbox row as a crashed relay leaves it: already in BullMQ, not marked relayed.
      const [row] = await h.db.query(
        `INSERT INTO outbox (queue, job_name, payload) VALUES ($1, $2, $3::jsonb) RETURNING id`,
        [QUEUES.review, 'test.noop', JSON.stringify({ probe: true })],
      );
      await queue.add('test.noop', { probe: true }, { ...JOB_OPTIONS.review, jobId: row.id });
      // The worker's own relay loop may get there first; either way the job id deduplicates.
      await relay.relayBatch();
      await waitFor(
        async () =>
          (await h.db.query(`SELECT relayed_at FROM outbox WHERE id = $1`, [row.id]))[0]
            .relayed_at !== null,
        { description: 'the outbox row to be marked relayed' },
      );
      const jobs = (
        await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])
      ).filter((job) => job.name === 'test.noop' && job.id === row.id);
      expect(jobs).toHaveLength(1);
      await queue.remove(row.id);
    } finally {
      await queue.resume();
    }
  });

  it('marks nothing relayed when enqueueing a batch fails, and relays the rows once it succeeds', async () => {
    // The relay marks its rows relayed in the statement that claims them, before enqueueing:
    // only the rollback of that transaction keeps them for the next batch.
    const queue = h.worker!.get<Queue>(getQueueToken(QUEUES.review), { strict: false });
    await queue.pause();
    const failing = jest.spyOn(queue, 'addBulk').mockRejectedValue(new Error('Redis is away'));
    try {
      const [row] = await h.db.query(
        `INSERT INTO outbox (queue, job_name, payload) VALUES ($1, $2, $3::jsonb) RETURNING id`,
        [QUEUES.review, 'test.noop', JSON.stringify({ probe: 'rollback' })],
      );
      await waitFor(
        async () =>
          failing.mock.calls.some(([jobs]) =>
            jobs.some((job) => (job.opts as { jobId?: string } | undefined)?.jobId === row.id),
          ),
        { description: 'a batch with the row to fail' },
      );
      const [afterFailure] = await h.db.query(`SELECT relayed_at FROM outbox WHERE id = $1`, [
        row.id,
      ]);
      expect(afterFailure.relayed_at).toBeNull();

      failing.mockRestore();
      await waitFor(
        async () =>
          (await h.db.query(`SELECT relayed_at FROM outbox WHERE id = $1`, [row.id]))[0]
            .relayed_at !== null,
        { description: 'the outbox row to be relayed once enqueueing works', timeoutMs: 20_000 },
      );
      const jobs = (
        await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])
      ).filter((job) => job.id === row.id);
      expect(jobs).toHaveLength(1);
      await queue.remove(row.id);
    } finally {
      failing.mockRestore();
      await queue.resume();
    }
  });

  it('keeps the work in the outbox while the relay is failing, and delivers it once it recovers', async () => {
    const created = await submit(75);
    const [row] = await h.db.query(
      `SELECT id, job_name, payload FROM outbox WHERE correlation_id = $1 AND queue = 'mail'`,
      [created.id],
    );
    expect(row).toMatchObject({
      job_name: MOVEMENT_JOBS.receipt,
      payload: { movementId: created.id, version: 1 },
    });
    const mail = await h.smtp.waitFor((m) => (m.subject ?? '').includes(created.reference), {
      timeoutMs: 15_000,
    });
    expect(mail).toBeDefined();
    const relayed = await h.db.query(`SELECT relayed_at FROM outbox WHERE id = $1`, [row.id]);
    expect(relayed[0].relayed_at).not.toBeNull();
  });

  it('retries a receipt while the mail server refuses connections, and delivers it exactly once after', async () => {
    h.smtp.refuseConnections(true);
    const created = await submit(76);
    await waitFor(
      async () =>
        (
          await h.db.query(
            `SELECT 1 FROM email_deliveries WHERE movement_id = $1 AND status = 'failed' AND attempts >= 1`,
            [created.id],
          )
        ).length > 0,
      { description: 'a failed delivery attempt to be recorded', timeoutMs: 20_000 },
    );
    expect(
      h.smtp.messages.filter((m) => (m.subject ?? '').includes(created.reference)),
    ).toHaveLength(0);
    h.smtp.refuseConnections(false);
    await h.smtp.waitFor((m) => (m.subject ?? '').includes(created.reference), {
      timeoutMs: 30_000,
    });
    const delivery = await waitFor(
      async () =>
        (
          await h.db.query(
            `SELECT status, attempts FROM email_deliveries WHERE movement_id = $1 AND status = 'sent'`,
            [created.id],
          )
        )[0],
      { description: 'the delivery to be recorded as sent' },
    );
    expect(delivery.attempts).toBeGreaterThanOrEqual(2);
    expect(
      h.smtp.messages.filter((m) => (m.subject ?? '').includes(created.reference)),
    ).toHaveLength(1);
  });

  it('removes outbox rows relayed longer ago than the retention, and never a row not relayed', async () => {
    // The hourly run is held meanwhile: this test runs the removal itself.
    const queue = h.worker!.get<Queue>(getQueueToken(OUTBOX_PRUNE_QUEUE), { strict: false });
    await queue.pause();
    const insert = (age: string, relayed: boolean, runIn: string | null, count: number) =>
      h.db.query(
        `INSERT INTO outbox (queue, job_name, payload, correlation_id, created_at, relayed_at, run_at)
         SELECT $1, 'test.retention', '{}'::jsonb, $2, now() - $3::interval,
                CASE WHEN $4 THEN now() - $3::interval END, now() + $5::interval
         FROM generate_series(1, $6)`,
        [QUEUES.mail, `retention-${age}-${relayed}`, age, relayed, runIn, count],
      );
    // More old rows than one statement removes (5,000), rows relayed a day ago, and deadlines
    // written long ago that are still to come (not relayed: they wait in the outbox).
    await insert('8 days', true, null, 5001);
    await insert('1 day', true, null, 3);
    await insert('30 days', false, '30 days', 2);
    const left = async () =>
      Object.fromEntries(
        (
          await h.db.query(
            `SELECT correlation_id AS k, count(*)::int AS n FROM outbox
             WHERE job_name = 'test.retention' GROUP BY correlation_id`,
          )
        ).map((row: { k: string; n: number }) => [row.k, row.n]),
      );

    const prune = h.worker!.get(OutboxPruneProcessor);
    try {
      expect(await prune.process()).toEqual({ removed: 5001 });
      expect(await left()).toEqual({ 'retention-1 day-true': 3, 'retention-30 days-false': 2 });
      expect(await prune.process()).toEqual({ removed: 0 });
    } finally {
      await queue.resume();
    }

    // It runs every hour, once across the worker processes (a BullMQ job scheduler).
    expect(await queue.getJobScheduler(OUTBOX_PRUNE_JOB)).toMatchObject({
      every: OUTBOX_PRUNE_EVERY_MS,
    });
  });
});
