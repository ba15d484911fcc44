import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { REVIEW_MAIL_JOBS } from '@hns/reviews';
import { MAIL_SENDS_IN_FLIGHT } from '@hns/mail';
import { MOVEMENT_JOBS } from '@hns/movements';
import { MAIL_BATCH, QUEUES, ROUTINE_PRIORITY } from '@hns/queue';
import { MailProcessor } from '../apps/worker/src/mail.processor';
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
 * Emails in batches (issue 7): the relay hands the mail rows it moves together to one job, whose
 * emails are claimed and marked set-based. Each email must still be sent once, and one that
 * fails must not hold back or resend the others.
 */
describe('mail in batches', () => {
  let h: Harness;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;
  let mail: Queue;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    ngo = await ngoAccount(h);
    mail = h.worker!.get<Queue>(getQueueToken(QUEUES.mail), { strict: false });
  });
  afterAll(async () => {
    await h.close();
  });

  /** A movement whose focal point is `email`; its receipt is sent before this returns. */
  const movement = async (hoursAhead: number, email: string) => {
    const notice = convoyNotice(hoursAhead);
    const response = await h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: bearer(ngo.token),
      payload: { ...notice, focalPoint: { ...notice.focalPoint, email } },
    });
    expect(response.statusCode).toBe(201);
    const created = response.json() as { id: string; reference: string };
    await h.smtp.waitFor((m) => (m.subject ?? '').includes(created.reference), {
      description: `the receipt of ${created.reference}`,
    });
    return created;
  };
  /** Acknowledgements asked for in one transaction, as the relay then sees them: together. */
  const askAcknowledgements = async (ids: string[]): Promise<string[]> =>
    (
      await h.db.query(
        `INSERT INTO outbox (queue, job_name, payload, correlation_id)
         SELECT $1, $2, jsonb_build_object('movementId', id, 'version', 1), id
         FROM unnest($3::uuid[]) WITH ORDINALITY AS m(id, n) ORDER BY n
         RETURNING id`,
        [QUEUES.mail, REVIEW_MAIL_JOBS.acknowledgement, ids],
      )
    ).map((row: { id: string }) => row.id);
  const acknowledgementsTo = (email: string) =>
    h.smtp.received.filter(
      (r) => r.envelope.to.includes(email) && /accusé|acknowledg/i.test(r.mail.subject ?? ''),
    );
  const delivery = async (id: string) =>
    (
      await h.db.query(
        `SELECT status, attempts FROM email_deliveries
         WHERE idempotency_key = $1`,
        [`movement.acknowledgement:${id}:v1`],
      )
    )[0];
  const batchHolding = async (outboxId: string) =>
    (await mail.getJobs(['completed', 'active', 'waiting'])).find(
      (job: Job) =>
        job.name === MAIL_BATCH &&
        (job.data.items ?? []).some((item: { outboxId: string }) => item.outboxId === outboxId),
    );

  it('sends the emails asked for together as one batch job; one refused for a while is retried alone', async () => {
    const emails = ['batch-a@ngo.test', 'batch-b@ngo.test', 'batch-c@ngo.test'];
    const movements = [];
    for (const [i, email] of emails.entries()) movements.push(await movement(400 + i, email));
    // The server answers "try again later" to B's next message.
    h.smtp.deferMessagesTo(emails[1], 1);
    const outboxIds = await askAcknowledgements(movements.map((m) => m.id));

    for (const email of emails) {
      await waitFor(async () => acknowledgementsTo(email).length > 0, {
        description: `the acknowledgement to ${email}`,
        timeoutMs: 20_000,
      });
    }
    // The SMTP server has each message before the worker records it sent: wait for the records.
    for (const { id } of movements) {
      await waitFor(async () => (await delivery(id)).status === 'sent', {
        description: 'the acknowledgement recorded as sent',
      });
    }
    await waitFor(async () => (await mail.getJob(outboxIds[1]))?.isCompleted(), {
      description: "B's own job completed",
    });
    // One batch job carried the three; B's email became the job it would have been alone,
    // named by its outbox row, which sent it on its retry.
    const batch = await batchHolding(outboxIds[0]);
    expect(batch?.data.items.map((item: { outboxId: string }) => item.outboxId)).toEqual(outboxIds);
    const own = await mail.getJob(outboxIds[1]);
    expect(own?.name).toBe(REVIEW_MAIL_JOBS.acknowledgement);
    expect(await own?.isCompleted()).toBe(true);
    expect(await mail.getJob(outboxIds[0])).toBeUndefined();
    // Each sent once; B on its second attempt, A and C on their first.
    for (const email of emails) expect(acknowledgementsTo(email)).toHaveLength(1);
    expect(await delivery(movements[0].id)).toEqual({ status: 'sent', attempts: 1 });
    expect(await delivery(movements[1].id)).toEqual({ status: 'sent', attempts: 2 });
    expect(await delivery(movements[2].id)).toEqual({ status: 'sent', attempts: 1 });
  });

  it('a batch run again (a worker crash) sends nothing twice', async () => {
    const email = 'batch-again@ngo.test';
    const { id } = await movement(410, email);
    const [outboxId] = await askAcknowledgements([id]);
    await waitFor(async () => acknowledgementsTo(email).length > 0, {
      description: 'the acknowledgement',
    });
    await waitFor(async () => (await delivery(id)).status === 'sent', {
      description: 'the acknowledgement recorded as sent',
    });
    const batch = await waitFor(() => batchHolding(outboxId), { description: 'its batch job' });
    // The same job again, as BullMQ runs a job whose worker died before finishing it.
    const again = await mail.add(MAIL_BATCH, batch.data, { jobId: `${batch.id}-again` });
    await waitFor(async () => (await again.isCompleted()) || (await again.isFailed()), {
      description: 'the batch run again',
    });
    expect(await again.isCompleted()).toBe(true);
    expect(acknowledgementsTo(email)).toHaveLength(1);
    expect(await delivery(id)).toEqual({ status: 'sent', attempts: 1 });
  });

  it('a recipient refused for now gets the email on the retry; the recipients that had it do not get it again', async () => {
    const email = 'greylisted@ngo.test';
    const { id } = await movement(415, email);
    const ocha = 'cell@ocha.test';
    const ochaBefore = acknowledgementsTo(ocha).length;
    // The focal point's mailbox answers 450 to the first RCPT TO; the OCHA cell's accepts.
    h.smtp.deferRecipient(email, 1);
    await askAcknowledgements([id]);
    await waitFor(async () => acknowledgementsTo(email).length > 0, {
      description: 'the acknowledgement to the focal point, on the retry',
      timeoutMs: 20_000,
    });
    const copies = h.smtp.received.filter(
      (r) =>
        /accusé|acknowledg/i.test(r.mail.subject ?? '') &&
        r.mail.messageId === acknowledgementsTo(email)[0].mail.messageId,
    );
    // Two transmissions of one message (one Message-ID): the first to the cell only (the
    // focal point refused for now), the retry to the focal point only.
    expect(copies.map((r) => r.envelope.to)).toEqual([[ocha], [email]]);
    expect(acknowledgementsTo(ocha).length - ochaBefore).toBe(1);
    // The SMTP server has the message before the worker records it sent: wait for the record.
    const delivery = async () =>
      (
        await h.db.query(
          `SELECT status, attempts, accepted, last_error FROM email_deliveries WHERE idempotency_key = $1`,
          [`movement.acknowledgement:${id}:v1`],
        )
      )[0];
    await waitFor(async () => (await delivery()).status === 'sent', {
      description: 'the acknowledgement recorded as sent',
    });
    const row = await delivery();
    expect(row).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    expect([...row.accepted].sort()).toEqual([email, ocha].sort());
  });

  // Last: the worker's mail processor stays stopped for batches.
  it('a worker stopping hands the emails its batches have not sent to jobs of their own, which send them', async () => {
    const emails = ['batch-stop-a@ngo.test', 'batch-stop-b@ngo.test'];
    const movements = [];
    for (const [i, email] of emails.entries()) movements.push(await movement(420 + i, email));
    h.worker!.get(MailProcessor).stopBatches();
    const outboxIds = await askAcknowledgements(movements.map((m) => m.id));
    for (const email of emails) {
      await waitFor(async () => acknowledgementsTo(email).length > 0, {
        description: `the acknowledgement to ${email}`,
      });
    }
    for (const [i, outboxId] of outboxIds.entries()) {
      const own = await mail.getJob(outboxId);
      expect(own?.name).toBe(REVIEW_MAIL_JOBS.acknowledgement);
      expect(own?.opts.delay ?? 0).toBe(0);
      expect(acknowledgementsTo(emails[i])).toHaveLength(1);
    }
  });

  it("sends UNDSS's escalation alerts ahead of a backlog of other emails", async () => {
    const references = new Set<string>();
    const submit = async (hoursAhead: number, overrides: Record<string, unknown> = {}) => {
      const created = await submitNotice(h, ngo.token, hoursAhead, overrides);
      references.add(created.reference);
      return created;
    };
    // A notice asking for an escort: its fan-out escalates it to UNDSS at once.
    const escorted = (hoursAhead: number) =>
      submit(hoursAhead, {
        escort: {
          status: 'requested',
          provider: 'MINUSMA',
          justification: 'Attaques répétées sur l’axe Douentza–Hombori',
        },
      });
    const ours = () =>
      h.smtp.received.filter((r) => [...references].some((ref) => r.mail.subject?.includes(ref)));
    const isAlert = (r: { mail: { subject?: string } }, reference: string) =>
      /Security escalation/.test(r.mail.subject ?? '') && r.mail.subject!.includes(reference);

    // A backlog: the receipts of four times as many movements as emails in flight, queued while
    // the worker takes no mail job (as behind an unreachable mail server), then an escalation.
    const backlog = 4 * MAIL_SENDS_IN_FLIGHT;
    await mail.pause();
    let first: { id: string; reference: string };
    try {
      for (let i = 0; i < backlog; i += 1) await submit(500 + i);
      first = await escorted(700);
      const alertJob = await waitFor(
        async () =>
          (await mail.getJobs(['waiting'])).find((job: Job) =>
            (job.data.items ?? []).some(
              (item: { job: string; correlationId?: string }) =>
                item.job === REVIEW_MAIL_JOBS.escalationAlert && item.correlationId === first.id,
            ),
          ),
        { description: 'the escalation alert queued', timeoutMs: 20_000 },
      );
      // Its batch holds the alert alone and waits ahead; every receipt waits behind.
      expect(alertJob.data.items).toHaveLength(1);
      await waitFor(
        async () =>
          Number(
            (
              await h.db.query(
                `SELECT count(*) AS n FROM outbox WHERE relayed_at IS NULL AND run_at IS NULL`,
              )
            )[0].n,
          ) === 0,
        { description: 'every receipt relayed' },
      );
      const behind = await mail.getJobs(['prioritized']);
      expect(
        behind.flatMap((job: Job) => job.data.items.map((item: { job: string }) => item.job)),
      ).toEqual(Array(backlog + 1).fill(MOVEMENT_JOBS.receipt));
      expect(behind.every((job: Job) => job.opts.priority === ROUTINE_PRIORITY)).toBe(true);
    } finally {
      // The server comes back, slow: 50 ms a message on each connection.
      h.smtp.slowDown(50);
      await mail.resume();
    }
    try {
      await h.smtp.waitFor((_mail, r) => isAlert(r, first.reference), {
        description: 'the first alert',
        timeoutMs: 20_000,
      });
      // At most the emails already in flight went before it, not the backlog.
      expect(ours().findIndex((r) => isAlert(r, first.reference))).toBeLessThanOrEqual(
        MAIL_SENDS_IN_FLIGHT,
      );

      await waitFor(async () => ours().length === backlog + 2, {
        description: 'the receipts and the first alert sent',
        timeoutMs: 60_000,
      });

      // Then acknowledgements for the same movements, asked for together (as after an outage):
      // batches of 50, whose emails wait for one of the sending places. An escalation raised
      // meanwhile waits for the next place, not behind them.
      const acknowledgements = () =>
        h.smtp.received.filter(
          (r) =>
            /accusé|acknowledg/i.test(r.mail.subject ?? '') &&
            [...references].some((ref) => r.mail.subject?.includes(ref)),
        );
      const backlogIds = (
        await h.db.query(
          `SELECT id FROM movement_notifications WHERE reference = ANY($1) AND id <> $2
           ORDER BY reference`,
          [[...references], first.id],
        )
      ).map((row: { id: string }) => row.id);
      expect(backlogIds).toHaveLength(backlog);
      await askAcknowledgements(backlogIds);
      await waitFor(async () => acknowledgements().length >= 4, {
        description: 'the acknowledgements being sent',
      });
      const second = await escorted(701);
      const acknowledgedBefore = acknowledgements().length;
      await h.smtp.waitFor((_mail, r) => isAlert(r, second.reference), {
        description: 'the second alert',
        timeoutMs: 20_000,
      });
      const acknowledgedMeanwhile = acknowledgements().length - acknowledgedBefore;
      expect(backlog - acknowledgedBefore).toBeGreaterThan(2 * MAIL_SENDS_IN_FLIGHT); // a backlog
      expect(acknowledgedMeanwhile).toBeLessThanOrEqual(MAIL_SENDS_IN_FLIGHT);
      await waitFor(async () => acknowledgements().length === backlog, {
        description: 'every acknowledgement sent',
        timeoutMs: 60_000,
      });
    } finally {
      h.smtp.slowDown(0);
    }
  });
});
