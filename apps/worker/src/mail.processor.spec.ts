import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { MailBusyError } from '@hns/mail';
import { MOVEMENT_JOBS, MovementMailer } from '@hns/movements';
import { MAIL_BATCH, ROUTINE_PRIORITY, URGENT_JOBS } from '@hns/queue';
import { REVIEW_MAIL_JOBS, ReviewMailer } from '@hns/reviews';
import { AccountMailer } from './account-mail';
import { MailProcessor } from './mail.processor';
import { WorkPriority } from './work-priority';

/**
 * A mail batch hands every email that did not go to a job of its own. An email another attempt
 * is sending (MailBusyError: a batch run again after a crash, or the job it was handed to) is an
 * expected race and logged as such; a real failure is a warning.
 */
describe('MailProcessor: the emails of a batch that did not go', () => {
  afterEach(() => jest.restoreAllMocks());

  it('hands a held email and a failed one to jobs of their own, warning only for the failure', async () => {
    const movements = {
      sendReceipt: () => Promise.reject(new MailBusyError(new Date('2026-11-30T08:00:00Z'))),
    } as unknown as MovementMailer;
    const reviews = {
      sendAcknowledgement: () => Promise.reject(new Error('451 try again later')),
    } as unknown as ReviewMailer;
    const added: { name: string; opts: { jobId?: string; delay?: number; priority?: number } }[][] =
      [];
    const queue = {
      addBulk: async (jobs: (typeof added)[number]) => void added.push(jobs),
    } as unknown as Queue;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const processor = new MailProcessor(
      movements,
      reviews,
      {} as AccountMailer,
      queue,
      new WorkPriority(),
    );

    const item = { movementId: 'm-1', version: 1 };
    await processor.process({
      id: 'batch-1',
      name: MAIL_BATCH,
      queueName: 'mail',
      attemptsMade: 0,
      opts: { attempts: 8 },
      data: {
        items: [
          { ...item, outboxId: '101', job: MOVEMENT_JOBS.receipt },
          { ...item, outboxId: '102', job: REVIEW_MAIL_JOBS.acknowledgement },
        ],
      },
    } as never);

    expect(added).toHaveLength(1);
    expect(added[0].map((job) => [job.name, job.opts.jobId])).toEqual([
      [MOVEMENT_JOBS.receipt, '101'],
      [REVIEW_MAIL_JOBS.acknowledgement, '102'],
    ]);
    expect(added[0].every((job) => (job.opts.delay ?? 0) > 0)).toBe(true);
    // Behind any escalation in the queue, as they were.
    expect(added[0].map((job) => job.opts.priority)).toEqual([ROUTINE_PRIORITY, ROUTINE_PRIORITY]);
    const warnings = warn.mock.calls.map(([text]) => String(text));
    expect(warnings.filter((text) => text.includes('outbox 101'))).toEqual([]);
    expect(warnings.filter((text) => text.includes('outbox 102'))).toEqual([
      expect.stringMatching(/failed in a batch, handed to a job of its own: .*451/),
    ]);
    expect(log.mock.calls.map(([text]) => String(text))).toContainEqual(
      expect.stringMatching(/outbox 101\) is held by another attempt, handed to a job of its own/),
    );
  });
});

/**
 * Receipts and notices wait while review fan-outs or zone re-checks run in the process
 * (WorkPriority); UNDSS's escalation alerts do not, alone or in a batch.
 */
describe('MailProcessor: which emails wait for urgent work', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setUp() {
    const sent: string[] = [];
    const record = (what: string) => async () => void sent.push(what);
    const movements = { sendReceipt: record('receipt') } as unknown as MovementMailer;
    const reviews = {
      sendEscalationAlert: record('escalation alert'),
      sendAcknowledgement: record('acknowledgement'),
    } as unknown as ReviewMailer;
    const priority = new WorkPriority(100, 10_000, () => Date.now());
    const processor = new MailProcessor(
      movements,
      reviews,
      {} as AccountMailer,
      { addBulk: async () => undefined } as unknown as Queue,
      priority,
    );
    let finishFanOut!: () => void;
    const fanOut = priority.urgent(() => new Promise<void>((resolve) => (finishFanOut = resolve)));
    const job = (name: string, data: object) =>
      processor.process({
        id: name,
        name,
        queueName: 'mail',
        attemptsMade: 0,
        opts: { attempts: 8 },
        data,
      } as never);
    return { sent, job, fanOut, finishFanOut: () => finishFanOut(), priority };
  }

  it('sends an escalation alert at once and a receipt once the fan-out has ended', async () => {
    const { sent, job, fanOut, finishFanOut } = setUp();
    const receipt = job(MOVEMENT_JOBS.receipt, { movementId: 'm-1', version: 1 });
    const alert = job(REVIEW_MAIL_JOBS.escalationAlert, { escalationId: 'e-1' });
    await jest.advanceTimersByTimeAsync(2_000);
    expect(sent).toEqual(['escalation alert']);
    await alert;

    finishFanOut();
    await fanOut;
    await jest.advanceTimersByTimeAsync(100);
    await receipt;
    expect(sent).toEqual(['escalation alert', 'receipt']);
  });

  it('sends a batch at once when it holds an escalation alert, else after the fan-out', async () => {
    const { sent, job, finishFanOut, priority } = setUp();
    const item = { movementId: 'm-1', version: 1 };
    const routine = job(MAIL_BATCH, {
      items: [
        { ...item, outboxId: '201', job: MOVEMENT_JOBS.receipt },
        { ...item, outboxId: '202', job: REVIEW_MAIL_JOBS.acknowledgement },
      ],
    });
    const urgent = job(MAIL_BATCH, {
      items: [
        { ...item, outboxId: '203', job: MOVEMENT_JOBS.receipt },
        { escalationId: 'e-2', outboxId: '204', job: REVIEW_MAIL_JOBS.escalationAlert },
      ],
    });
    await urgent;
    expect(sent.sort()).toEqual(['escalation alert', 'receipt']);
    await jest.advanceTimersByTimeAsync(9_999);
    expect(sent).toHaveLength(2);
    // The fan-out never ends: the routine batch goes after the longest deferral all the same.
    await jest.advanceTimersByTimeAsync(1);
    await routine;
    expect(sent.sort()).toEqual(['acknowledgement', 'escalation alert', 'receipt', 'receipt']);
    finishFanOut();
    priority.stop();
  });
});

describe('MailProcessor: the urgent mail jobs', () => {
  it('are the escalation alerts and their overdue reminders, by the names the reviews module gives them', () => {
    expect([...(URGENT_JOBS.mail ?? [])].sort()).toEqual(
      [REVIEW_MAIL_JOBS.escalationAlert, REVIEW_MAIL_JOBS.escalationOverdue].sort(),
    );
  });
});
