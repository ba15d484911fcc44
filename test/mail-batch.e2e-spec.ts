import { getQueueToken } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { REVIEW_MAIL_JOBS } from '@hns/reviews';
import { MAIL_BATCH, QUEUES } from '@hns/queue';
import { MailProcessor } from '../apps/worker/src/mail.processor';
import { Harness, bearer, convoyNotice, ngoAccount, startHarness } from './support/harness';
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
});
