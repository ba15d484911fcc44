import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { MailBusyError } from '@hns/mail';
import { MOVEMENT_JOBS, MovementMailer } from '@hns/movements';
import { MAIL_BATCH } from '@hns/queue';
import { REVIEW_MAIL_JOBS, ReviewMailer } from '@hns/reviews';
import { AccountMailer } from './account-mail';
import { MailProcessor } from './mail.processor';

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
    const added: { name: string; opts: { jobId?: string; delay?: number } }[][] = [];
    const queue = {
      addBulk: async (jobs: (typeof added)[number]) => void added.push(jobs),
    } as unknown as Queue;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const processor = new MailProcessor(movements, reviews, {} as AccountMailer, queue);

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
