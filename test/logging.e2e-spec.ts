import { hashAddress } from '@hns/logging';
import { MOVEMENT_JOBS } from '@hns/movements';
import { MAIL_BATCH } from '@hns/queue';
import {
  Harness,
  TEST_PASSWORD,
  bearer,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';
import { waitFor } from './support/wait-for';

type Line = Record<string, unknown> & { actor?: Record<string, unknown> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The API's and the worker's JSON log lines, as written (both run in this process). */
class LogCapture {
  readonly raw: string[] = [];
  write(line: string): void {
    this.raw.push(line);
  }
  lines(): Line[] {
    return this.raw.map((line) => JSON.parse(line) as Line);
  }
  find(predicate: (line: Line) => boolean): Line | undefined {
    return this.lines().find(predicate);
  }
}

describe('structured logs: one JSON line per request and per job, correlated, redacted', () => {
  const logs = new LogCapture();
  let h: Harness;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;
  const notice = convoyNotice(80);

  beforeAll(async () => {
    h = await startHarness({ worker: true, logs });
    ngo = await ngoAccount(h);
  });
  afterAll(() => h.close());

  it("follows a movement from the request's id to the worker's line for its receipt email", async () => {
    const response = await h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: { ...bearer(ngo.token), 'x-request-id': 'req-abc123' },
      payload: notice,
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['x-request-id']).toBe('req-abc123');
    const movement = response.json() as { id: string; reference: string };

    // The request's line: route pattern, status, duration, size and the actor without email.
    const requestLine = await waitFor(
      () => logs.find((l) => l.event === 'http.request' && l.requestId === 'req-abc123'),
      { description: 'the log line of POST /movements' },
    );
    expect(requestLine).toMatchObject({
      level: 'info',
      method: 'POST',
      route: '/movements',
      status: 201,
      responseBytes: Buffer.byteLength(response.body),
      actor: { userId: expect.any(String), role: 'ngo', organisationId: ngo.org.id },
    });
    expect(requestLine.durationMs).toEqual(expect.any(Number));
    expect(Object.keys(requestLine.actor ?? {})).not.toContain('email');

    // The request id is stored with the work the request asked for.
    const rows: { job_name: string; payload: { requestId?: string } }[] = await h.db.query(
      `SELECT job_name, payload FROM outbox WHERE correlation_id = $1`,
      [movement.id],
    );
    expect(rows.map((row) => [row.job_name, row.payload.requestId]).sort()).toEqual(
      [
        [MOVEMENT_JOBS.receipt, 'req-abc123'],
        [MOVEMENT_JOBS.reviewFanOut, 'req-abc123'],
      ].sort(),
    );

    const mail = await h.smtp.waitFor((m) => (m.subject ?? '').includes(movement.reference), {
      timeoutMs: 20_000,
      description: `the receipt of ${movement.reference}`,
    });
    // The worker writes its line once the SMTP server has answered.
    const emailLine = await waitFor(
      () =>
        logs.find(
          (l) =>
            l.event === 'email.sent' &&
            l.kind === MOVEMENT_JOBS.receipt &&
            l.reference === movement.reference,
        ),
      { description: 'the worker log line of the receipt email' },
    );
    expect(emailLine).toMatchObject({
      requestId: 'req-abc123',
      correlationId: movement.id,
      queue: 'mail',
      jobName: MOVEMENT_JOBS.receipt,
      messageId: mail.messageId,
      recipients: [hashAddress(notice.focalPoint.email)],
      accepted: 1,
      rejected: 0,
    });

    // The receipt went in a mail batch (the relay groups the mail it moves together): the
    // batch's job line lists the request and correlation ids of its emails.
    const jobLine = await waitFor(
      () =>
        logs.find(
          (l) =>
            l.event === 'job' &&
            l.jobName === MAIL_BATCH &&
            l.jobId === emailLine.jobId &&
            ((l.requestIds as unknown[] | undefined) ?? []).includes('req-abc123'),
        ),
      { description: 'the job line of the receipt' },
    );
    expect(jobLine).toMatchObject({
      queue: 'mail',
      correlationIds: expect.arrayContaining([movement.id]),
      attempt: 1,
      outcome: 'completed',
      durationMs: expect.any(Number),
    });
    // The review fan-out, a job of another queue caused by the same request, carries it too.
    await waitFor(
      () =>
        logs.find(
          (l) =>
            l.event === 'job' &&
            l.queue === 'review' &&
            l.correlationId === movement.id &&
            l.requestId === 'req-abc123' &&
            l.outcome === 'completed',
        ),
      { description: 'the job line of the review fan-out' },
    );
  });

  it('answers an unsafe or missing X-Request-Id with a new UUID, never echoing it', async () => {
    const unsafe = ['a'.repeat(65), 'req abc', 'x\n{"level":"fatal"}', ngo.email, ngo.token];
    for (const header of [...unsafe, undefined]) {
      const response = await h.api.inject({
        method: 'GET',
        url: '/movements',
        headers: {
          ...bearer(ngo.token),
          ...(header === undefined ? {} : { 'x-request-id': header }),
        },
      });
      expect(response.statusCode).toBe(200);
      const id = response.headers['x-request-id'];
      expect(id).toMatch(UUID);
      const line = await waitFor(
        () => logs.find((l) => l.event === 'http.request' && l.requestId === id),
        { description: `the log line of request ${id}` },
      );
      expect(line).toMatchObject({ route: '/movements', status: 200 });
    }
  });

  it('logs a refused request with its id, route pattern and error code, not its URL or body', async () => {
    const refused = await h.api.inject({
      method: 'POST',
      url: `/movements?contact=${ngo.email}`,
      headers: { ...bearer(ngo.token), 'x-request-id': 'req-refused-1' },
      payload: { ...notice, purpose: 42 },
    });
    expect(refused.statusCode).toBe(400);
    const line = await waitFor(
      () => logs.find((l) => l.event === 'http.request' && l.requestId === 'req-refused-1'),
      { description: 'the log line of the refused request' },
    );
    expect(line).toMatchObject({
      route: '/movements',
      status: 400,
      errorCode: 'validation_failed',
      actor: { role: 'ngo' },
    });

    const unknown = await h.api.inject({
      method: 'GET',
      url: '/movements/00000000-0000-4000-8000-000000000000',
      headers: { ...bearer(ngo.token), 'x-request-id': 'req-missing-1' },
    });
    expect(unknown.statusCode).toBe(404);
    const missingLine = await waitFor(
      () => logs.find((l) => l.event === 'http.request' && l.requestId === 'req-missing-1'),
      { description: 'the log line of the 404' },
    );
    expect(missingLine).toMatchObject({
      route: '/movements/:id',
      status: 404,
      errorCode: unknown.json().code,
    });

    const wrong = await h.api.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'x-request-id': 'req-login-1' },
      payload: { email: ngo.email, password: `${TEST_PASSWORD} but wrong` },
    });
    expect(wrong.statusCode).toBe(401);
    const loginLine = await waitFor(
      () => logs.find((l) => l.event === 'http.request' && l.requestId === 'req-login-1'),
      { description: 'the log line of the failed sign-in' },
    );
    expect(loginLine).toMatchObject({ route: '/auth/login', status: 401 });
    expect(loginLine).not.toHaveProperty('actor');
  });

  it('never writes the password, the bearer token or the contact data of the NGO', () => {
    const everything = logs.raw.join('');
    expect(logs.raw.length).toBeGreaterThan(10);
    const secrets = [
      TEST_PASSWORD,
      ngo.token,
      ngo.email,
      `ops@${ngo.org.acronym.toLowerCase()}.test`,
      notice.focalPoint.email,
      notice.focalPoint.phone,
      notice.focalPoint.satPhone,
    ];
    for (const secret of secrets) expect(everything).not.toContain(secret);
    // Every line is one JSON object with a time, a level and a message.
    for (const line of logs.lines()) {
      expect(line).toEqual(
        expect.objectContaining({ time: expect.any(String), level: expect.any(String) }),
      );
    }
  });
});
