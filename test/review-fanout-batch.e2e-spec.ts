import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { MOVEMENT_JOBS } from '@hns/movements';
import {
  BATCHED_JOBS,
  OutboxRow,
  QUEUES,
  TIMER_RELAY_HORIZON_SECONDS,
  batchJobId,
  toJobs,
} from '@hns/queue';
import { ReviewsService, TIMER_JOBS } from '@hns/reviews';
import {
  Harness,
  bearer,
  convoyNotice,
  ngoAccount,
  startHarness,
  submitNotice,
} from './support/harness';
import { waitFor } from './support/wait-for';

/**
 * The review fan-out in batches (issue 7): the outbox relay groups fan-out rows into one job,
 * and the worker fans a batch out in one transaction with set-based statements. What a single
 * fan-out guarantees must hold for every movement of a batch.
 */
describe('review fan-out in batches', () => {
  let h: Harness;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;
  let review: Queue;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    ngo = await ngoAccount(h);
    review = h.worker!.get<Queue>(getQueueToken(QUEUES.review), { strict: false });
    // Fan-outs stay queued: the tests run them, or inspect the jobs the relay made.
    await review.pause();
  });
  afterAll(async () => {
    await review.obliterate({ force: true });
    await h.close();
  });

  const submit = (hoursAhead: number, overrides: Record<string, unknown> = {}) =>
    submitNotice(h, ngo.token, hoursAhead, overrides);
  const count = async (sql: string, params: unknown[]) =>
    Number((await h.db.query(sql, params))[0].n);
  const statusOf = async (id: string) =>
    (await h.db.query(`SELECT status FROM movement_notifications WHERE id = $1`, [id]))[0].status;
  const tasksOf = (id: string, version: number) =>
    count(`SELECT count(*) AS n FROM review_tasks WHERE movement_id = $1 AND version = $2`, [
      id,
      version,
    ]);
  /** What a fan-out writes about a movement: tasks, audit events, outbox rows. */
  const footprint = async (ids: string[]) => ({
    tasks: await count(`SELECT count(*) AS n FROM review_tasks WHERE movement_id = ANY($1)`, [ids]),
    audit: await count(
      `SELECT count(*) AS n FROM audit_events WHERE entity_id = ANY($1::text[]) AND action = 'movement.status_changed'`,
      [ids],
    ),
    outbox: await count(`SELECT count(*) AS n FROM outbox WHERE correlation_id = ANY($1)`, [ids]),
  });

  it('groups the fan-outs committed together into one job; timers stay one job each', async () => {
    const movementIds = [randomUUID(), randomUUID(), randomUUID()];
    const rows: { id: string }[] = await h.db.query(
      `INSERT INTO outbox (queue, job_name, payload, correlation_id, run_at)
       SELECT $1, $2, jsonb_build_object('movementId', id, 'version', 1), id, NULL
       FROM unnest($3::uuid[]) WITH ORDINALITY AS m(id, n)
       UNION ALL SELECT $1, 'test.timer', '{}'::jsonb, NULL, now() + interval '5 minutes'
       RETURNING id`,
      [QUEUES.review, MOVEMENT_JOBS.reviewFanOut, movementIds],
    );
    const batchName = BATCHED_JOBS[MOVEMENT_JOBS.reviewFanOut].as;
    const itemsOf = (job: Job) =>
      (job.data.items ?? []).map((item: { movementId: string }) => item.movementId);
    const batch = await waitFor(
      async () =>
        (await review.getJobs(['waiting', 'prioritized'])).find(
          (job: Job) => job.name === batchName && itemsOf(job).includes(movementIds[0]),
        ),
      { description: 'the batch job of the three fan-outs' },
    );
    // Rows committed together share created_at: their order within the group is the relay's.
    expect([...itemsOf(batch)].sort()).toEqual([...movementIds].sort());
    const fanOutRows = rows.slice(0, 3).map((r) => r.id);
    // Named by all its rows (batchJobId), so that a different grouping is a job of its own.
    expect(batch.id).toBe(
      batchJobId(batch.data.items.map((item: { outboxId: string }) => ({ id: item.outboxId }))),
    );
    expect(batch.data.items.map((item: { outboxId: string }) => item.outboxId).sort()).toEqual(
      [...fanOutRows].sort(),
    );
    expect(batch.data.items[0]).toMatchObject({
      version: 1,
      correlationId: batch.data.items[0].movementId,
    });
    const timer = await review.getJob(rows[3].id);
    expect(timer?.name).toBe('test.timer');
    expect(await timer?.isDelayed()).toBe(true);
    await batch.remove();
    await timer?.remove();
  });

  it('enqueues the same rows regrouped after a relay crash as a job of its own, not a duplicate BullMQ drops', async () => {
    // A relay enqueued one row as a batch and died before committing; the next relay claims that
    // row with two more (fault suite (a): 94 movements never fanned out when the second group,
    // with the same first row, had the same job id and BullMQ ignored it).
    const rows: OutboxRow[] = [1, 2, 3].map(() => ({
      id: randomUUID(),
      queue: QUEUES.review,
      job_name: MOVEMENT_JOBS.reviewFanOut,
      payload: { movementId: randomUUID(), version: 1 },
      correlation_id: null,
      run_at: null,
    }));
    const [crashed] = toJobs(QUEUES.review, rows.slice(0, 1));
    const [regrouped] = toJobs(QUEUES.review, rows);
    await review.addBulk([crashed]);
    await review.addBulk([regrouped]);
    const stored = await review.getJob(regrouped.opts.jobId!);
    expect(stored?.data.items.map((item: { outboxId: string }) => item.outboxId)).toEqual(
      rows.map((row) => row.id),
    );
    // The same group again is the same job: a relay that crashed and regrouped identically
    // enqueues nothing twice.
    await review.addBulk(toJobs(QUEUES.review, rows));
    const holding = (await review.getJobs(['waiting', 'prioritized'])).filter((job) =>
      (job.data.items ?? []).some((item: { outboxId: string }) => item.outboxId === rows[0].id),
    );
    expect(holding.map((job) => job.id).sort()).toEqual(
      [crashed.opts.jobId, regrouped.opts.jobId].sort(),
    );
    for (const id of [crashed.opts.jobId!, regrouped.opts.jobId!]) await review.remove(id);
  });

  it('keeps timers due after the horizon in the outbox, and relays them once they come within it', async () => {
    const insertTimer = async (due: string) =>
      (
        await h.db.query(
          `INSERT INTO outbox (queue, job_name, payload, run_at)
           VALUES ($1, 'test.timer', '{}'::jsonb, now() + $2::interval) RETURNING id`,
          [QUEUES.review, due],
        )
      )[0].id as string;
    const relayedAt = async (id: string) =>
      (await h.db.query(`SELECT relayed_at FROM outbox WHERE id = $1`, [id]))[0].relayed_at;
    const later = await insertTimer(`${TIMER_RELAY_HORIZON_SECONDS + 3600} seconds`);
    const soon = await insertTimer(`${TIMER_RELAY_HORIZON_SECONDS - 60} seconds`);
    await waitFor(async () => (await relayedAt(soon)) !== null, {
      description: 'the timer due within the horizon to be relayed',
    });
    expect(await (await review.getJob(soon))?.isDelayed()).toBe(true);
    // Relayed in due order: the later timer waits, in PostgreSQL only.
    expect(await relayedAt(later)).toBeNull();
    expect(await review.getJob(later)).toBeUndefined();
    // Time passes (as if): it comes within the horizon, and keeps its own due time.
    await h.db.query(`UPDATE outbox SET run_at = now() + interval '2 minutes' WHERE id = $1`, [
      later,
    ]);
    await waitFor(async () => (await relayedAt(later)) !== null, {
      description: 'the later timer to be relayed once within the horizon',
    });
    const job = await review.getJob(later);
    expect(await job?.isDelayed()).toBe(true);
    expect(job!.opts.delay).toBeGreaterThan(60_000);
    expect(job!.opts.delay).toBeLessThanOrEqual(120_000);
    await job?.remove();
    await (await review.getJob(soon))?.remove();
  });

  it('fans a batch out like one by one: tasks, statuses, audit, deadlines carrying each request id; superseded, cancelled and unknown versions untouched; a re-run writes nothing', async () => {
    const a = await submit(200);
    const b = await submit(210);
    const amended = await submit(220);
    const later = convoyNotice(230);
    const patch = await h.api.inject({
      method: 'PATCH',
      url: `/movements/${amended.id}`,
      headers: bearer(ngo.token),
      payload: { version: 1, departure: later.departure, arrival: later.arrival },
    });
    expect(patch.statusCode).toBe(200);
    const cancelled = await submit(240);
    const cancel = await h.api.inject({
      method: 'POST',
      url: `/movements/${cancelled.id}/cancel`,
      headers: bearer(ngo.token),
      payload: { reason: 'Route closed' },
    });
    expect(cancel.statusCode).toBe(200);
    const ids = [a.id, b.id, amended.id, cancelled.id];
    const before = await footprint(ids);

    await h.worker!.get(ReviewsService).fanOutMany([
      { movementId: a.id, version: 1, requestId: 'req-batch-a' },
      { movementId: b.id, version: 1 },
      { movementId: amended.id, version: 1 }, // superseded by version 2
      { movementId: cancelled.id, version: 1 },
      { movementId: randomUUID(), version: 1 }, // unknown
    ]);

    for (const m of [a, b]) {
      expect(await statusOf(m.id)).toBe('in_review');
      expect(await tasksOf(m.id, 1)).toBe(4);
    }
    expect(await tasksOf(amended.id, 1)).toBe(0);
    expect(await statusOf(amended.id)).toBe('submitted');
    expect(await tasksOf(cancelled.id, 1)).toBe(0);
    expect(await statusOf(cancelled.id)).toBe('cancelled');

    const audit: { entity_id: string; details: Record<string, unknown> }[] = await h.db.query(
      `SELECT entity_id, details FROM audit_events
       WHERE entity_id = ANY($1::text[]) AND action = 'movement.status_changed' AND details->>'event' = 'review_fanned_out'`,
      [ids],
    );
    expect(audit.map((e) => e.entity_id).sort()).toEqual([a.id, b.id].sort());
    expect(audit[0].details).toMatchObject({ from: 'submitted', to: 'in_review', version: 1 });
    expect(audit[0].details.seats).toHaveLength(4);

    const timers: { correlation_id: string; job_name: string; payload: { requestId?: string } }[] =
      await h.db.query(
        `SELECT correlation_id, job_name, payload FROM outbox
         WHERE correlation_id = ANY($1) AND queue = $2 ORDER BY job_name`,
        [ids, QUEUES.timers],
      );
    const timersOf = (id: string) => timers.filter((t) => t.correlation_id === id);
    expect(timersOf(a.id).map((t) => t.job_name)).toEqual(
      [TIMER_JOBS.reminder, TIMER_JOBS.overdue, TIMER_JOBS.expiry].sort(),
    );
    expect(timersOf(a.id).every((t) => t.payload.requestId === 'req-batch-a')).toBe(true);
    expect(timersOf(b.id)).toHaveLength(3);
    expect(timersOf(amended.id)).toHaveLength(0);

    const after = await footprint(ids);
    expect(after).toEqual({
      tasks: before.tasks + 8,
      audit: before.audit + 2,
      outbox: before.outbox + 6,
    });
    // The same batch again (a retried or duplicated job) changes nothing.
    await h.worker!.get(ReviewsService).fanOutMany([
      { movementId: a.id, version: 1 },
      { movementId: b.id, version: 1 },
    ]);
    expect(await footprint(ids)).toEqual(after);
  });

  it('raises the automatic escalations of the movements that need one, and only those', async () => {
    const escorted = await submit(250, {
      escort: {
        status: 'requested',
        provider: 'FAMa',
        justification: 'Armed groups reported on the RN16',
      },
    });
    const plain = await submit(260);
    await h.worker!.get(ReviewsService).fanOutMany([
      { movementId: escorted.id, version: 1 },
      { movementId: plain.id, version: 1 },
    ]);
    const escalations = (id: string) =>
      count(`SELECT count(*) AS n FROM security_escalations WHERE movement_id = $1`, [id]);
    expect(await escalations(escorted.id)).toBe(1);
    expect(await statusOf(escorted.id)).toBe('escalated');
    expect(await escalations(plain.id)).toBe(0);
    expect(await statusOf(plain.id)).toBe('in_review');
  });

  it("one movement's failure holds none of the others back: each is retried alone and the job fails", async () => {
    const good = await submit(270);
    const alsoGood = await submit(280);
    await expect(
      h.worker!.get(ReviewsService).fanOutMany([
        { movementId: good.id, version: 1 },
        { movementId: 'not-a-uuid', version: 1 },
        { movementId: alsoGood.id, version: 1 },
      ]),
    ).rejects.toThrow(/uuid/);
    expect(await statusOf(good.id)).toBe('in_review');
    expect(await statusOf(alsoGood.id)).toBe('in_review');
    expect(await tasksOf(good.id, 1)).toBe(4);
  });
});
