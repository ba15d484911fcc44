import { randomUUID } from 'node:crypto';
import { OutboxRow, toJobs } from './outbox-relay.service';
import { ROUTINE_PRIORITY } from './queues';

const fanOut = (): OutboxRow => ({
  id: randomUUID(),
  queue: 'review',
  job_name: 'movement.review-fanout',
  payload: { movementId: randomUUID(), version: 1 },
  correlation_id: null,
  run_at: null,
});

const batches = (rows: OutboxRow[]) =>
  toJobs('review', rows).map((job) => ({
    id: job.opts.jobId,
    outboxIds: (job.data as { items: { outboxId: string }[] }).items.map((i) => i.outboxId),
  }));

describe('the outbox relay’s batch jobs', () => {
  const rows = Array.from({ length: 8 }, fanOut);

  it('groups the fan-out rows in outbox order, and the same group gets the same id again', () => {
    const first = batches(rows.slice(0, 3));
    expect(first).toHaveLength(1);
    expect(first[0].outboxIds).toEqual(rows.slice(0, 3).map((r) => r.id));
    expect(batches(rows.slice(0, 3))[0].id).toBe(first[0].id);
  });

  it('gives a group regrouped after a crash (same first row, more rows) an id of its own', () => {
    // A relay enqueued rows 0–2 as one job, then died before committing; the next relay claims
    // rows 0–7. BullMQ ignores a job whose id it has: with an id naming only the first row, rows
    // 3–7 were dropped (fault suite, scenario a).
    const before = batches(rows.slice(0, 3))[0];
    const after = batches(rows)[0];
    expect(after.outboxIds).toEqual(rows.map((r) => r.id));
    expect(after.id).not.toBe(before.id);
    expect(after.id).toMatch(new RegExp(`^batch-${rows[0].id}-[0-9a-f]{16}$`));
  });

  const mail = (jobName: string, runAt: Date | null = null): OutboxRow => ({
    id: String(Math.floor(Math.random() * 1e12)),
    queue: 'mail',
    job_name: jobName,
    payload: { movementId: randomUUID(), version: 1 },
    correlation_id: null,
    run_at: runAt,
  });

  it('groups every mail row but timers, whatever its kind, each item naming its job', () => {
    const kinds = Array.from({ length: 60 }, (_, i) =>
      mail(i % 2 ? 'movement.receipt' : 'movement.acknowledgement'),
    );
    const timer = mail('review.seat-reminder', new Date(Date.now() + 60_000));
    const jobs = toJobs('mail', [...kinds, timer]);
    // 50 at most to a batch: 50 + 10, and the timer as a delayed job of its own.
    expect(jobs.map((job) => job.name)).toEqual([
      'review.seat-reminder',
      'mail.batch',
      'mail.batch',
    ]);
    expect(jobs[0].opts).toMatchObject({ jobId: timer.id, delay: expect.any(Number) });
    const items = jobs.slice(1).flatMap((job) => (job.data as { items: object[] }).items);
    expect(items).toEqual(
      kinds.map((row) => ({
        ...row.payload,
        outboxId: row.id,
        correlationId: null,
        job: row.job_name,
      })),
    );
  });

  it('queues escalations ahead of the other emails: batched apart, without the routine priority', () => {
    const receipts = Array.from({ length: 3 }, () => mail('movement.receipt'));
    const alert = mail('escalation.alert');
    const overdue = mail('escalation.overdue', new Date(Date.now() + 60_000));
    const reminder = mail('review.seat-reminder', new Date(Date.now() + 60_000));
    const jobs = toJobs('mail', [receipts[0], alert, ...receipts.slice(1), overdue, reminder]);
    const summary = jobs.map((job) => ({
      name: job.name,
      items: (job.data as { items?: { job: string }[] }).items?.map((item) => item.job),
      priority: (job.opts as { priority?: number }).priority,
    }));
    expect(summary).toEqual([
      { name: 'escalation.overdue', items: undefined, priority: undefined },
      { name: 'review.seat-reminder', items: undefined, priority: ROUTINE_PRIORITY },
      { name: 'mail.batch', items: Array(3).fill('movement.receipt'), priority: ROUTINE_PRIORITY },
      { name: 'mail.batch', items: ['escalation.alert'], priority: undefined },
    ]);
    // Other queues have no urgent jobs, and no priorities.
    expect(toJobs('review', [fanOut()]).map((job) => job.opts)).not.toContainEqual(
      expect.objectContaining({ priority: expect.anything() }),
    );
  });
});
