import { DeadlinesService } from '@hns/reviews';
import {
  Harness,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';
import { waitFor } from './support/wait-for';

/**
 * Deadlines with short configured delays: reminders and overdue alerts fire as soon as review
 * starts, escalation deadlines at once, expiry at departure.
 */
describe('review deadlines, automatic escalations and notices', () => {
  let h: Harness;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;
  let undss: Awaited<ReturnType<typeof cellAccount>>;
  let ocha: Awaited<ReturnType<typeof cellAccount>>;

  beforeAll(async () => {
    h = await startHarness({
      worker: true,
      env: {
        REVIEW_REMINDER_HOURS: '10000',
        OVERDUE_ALERT_HOURS: '10000',
        ESCALATION_ACK_MINUTES: '0',
        ESCALATION_ACK_CRITICAL_MINUTES: '0',
        EXPIRY_GRACE_MINUTES: '0',
      },
    });
    ngo = await ngoAccount(h);
    undss = await cellAccount(h, 'undss');
    ocha = await cellAccount(h, 'ocha');
  });
  afterAll(() => h.close());

  const submit = async (payload: unknown) => {
    const response = await h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: bearer(ngo.token),
      payload: payload as object,
    });
    expect(response.statusCode).toBe(201);
    return response.json();
  };
  const statusOf = async (id: string) =>
    (await h.db.query(`SELECT status FROM movement_notifications WHERE id = $1`, [id]))[0].status;
  const mailTo = (address: string, reference: string, pattern: RegExp) =>
    h.smtp.waitFor(
      (m) =>
        JSON.stringify(m.to).includes(address) &&
        (m.subject ?? '').includes(reference) &&
        pattern.test(m.subject ?? ''),
      { timeoutMs: 20_000 },
    );

  it('reminds each seat that has not decided, and alerts OCHA that the movement is overdue', async () => {
    const m = await submit(convoyNotice(72));
    await mailTo(undss.email, m.reference, /Rappel|Reminder/);
    await mailTo('cell@ocha.test', m.reference, /Not acknowledged, departure in/);
  });

  it('a timer that fires after its reason has gone does nothing', async () => {
    const m = await submit(convoyNotice(73));
    const v1Rows = async () =>
      (
        await h.db.query(
          `SELECT count(*)::int AS n FROM outbox WHERE correlation_id = $1 AND payload->>'version' = '1'`,
          [m.id],
        )
      )[0].n as number;
    // Version 1's own reminder fires at once here (4 seats); wait for it before amending.
    await waitFor(
      async () =>
        (
          await h.db.query(
            `SELECT count(*)::int AS n FROM outbox WHERE correlation_id = $1 AND job_name = 'review.seat-reminder'`,
            [m.id],
          )
        )[0].n === 4,
      { description: 'the version 1 seat reminders' },
    );
    const amended = await h.api.inject({
      method: 'PATCH',
      url: `/movements/${m.id}`,
      headers: bearer(ngo.token),
      payload: { purpose: 'Amended purpose' },
    });
    expect(amended.statusCode).toBe(200);
    const before = await v1Rows();
    const deadlines = h.worker!.get(DeadlinesService);
    await deadlines.run('review.reminder', { movementId: m.id, version: 1 });
    await deadlines.run('review.overdue', { movementId: m.id, version: 1 });
    await deadlines.run('movement.expiry', { movementId: m.id, version: 1 });
    expect(await v1Rows()).toBe(before);
    expect(await statusOf(m.id)).not.toBe('expired');
  });

  it('escalates an escort request to UNDSS automatically, and re-alerts UNDSS and OCHA when the deadline is missed', async () => {
    const m = await submit(
      convoyNotice(74, {
        escort: {
          status: 'requested',
          provider: 'FAMa',
          justification: 'Imposed at the Sévaré checkpoint by the authorities',
        },
      }),
    );
    await waitFor(async () => (await statusOf(m.id)) === 'escalated', {
      description: 'the automatic escalation',
    });
    const [escalation] = await h.db.query(
      `SELECT id, severity, reason_codes FROM security_escalations WHERE movement_id = $1`,
      [m.id],
    );
    expect(escalation).toMatchObject({ severity: 'medium', reason_codes: ['escort_requested'] });
    await mailTo('duty@undss.test', m.reference, /Escalade|escalation/i);
    const overdue = await mailTo(
      'cell@ocha.test',
      m.reference,
      /1st alert: escalation not acknowledged/,
    );
    expect(overdue.headers.get('priority')).toBe('high');
    const [after] = await h.db.query(`SELECT alerts_sent FROM security_escalations WHERE id = $1`, [
      escalation.id,
    ]);
    expect(after.alerts_sent).toBe(1);
  });

  it('expires an emergency movement not acknowledged by its departure, and tells the organisation', async () => {
    const m = await submit({
      ...convoyNotice(1),
      priority: 'emergency',
      emergencyReason: 'Medical evacuation after an accident near Konna',
      departure: { ...convoyNotice(1).departure, at: new Date(Date.now() + 3000).toISOString() },
    });
    await waitFor(async () => (await statusOf(m.id)) === 'expired', {
      description: 'the movement to expire',
      timeoutMs: 20_000,
    });
    const [escalation] = await h.db.query(
      `SELECT reason_codes FROM security_escalations WHERE movement_id = $1`,
      [m.id],
    );
    expect(escalation.reason_codes).toEqual(['emergency_short_notice']);
    const notice = await mailTo('aminata@acf.test', m.reference, /expir/i);
    expect(notice.text).toMatch(/not been deconflicted|n'a pas été|pas été/i);
  });

  it('confirms a cancellation to the organisation and the OCHA cell', async () => {
    const m = await submit(convoyNotice(75));
    const response = await h.api.inject({
      method: 'POST',
      url: `/movements/${m.id}/cancel`,
      headers: bearer(ngo.token),
      payload: { reason: 'Distribution postponed <by the community>' },
    });
    expect(response.statusCode).toBe(200);
    const notice = await mailTo('aminata@acf.test', m.reference, /annul|cancel/i);
    expect(JSON.stringify(notice.cc)).toContain('cell@ocha.test');
    expect(notice.html).toContain('&lt;by the community&gt;');
  });

  it('flags a movement when UNDSS advises rerouting, and tells the organisation without UNDSS notes', async () => {
    const m = await submit(convoyNotice(76));
    await waitFor(async () => (await statusOf(m.id)) === 'in_review', {
      description: 'review to start',
    });
    const escalated = await h.api.inject({
      method: 'POST',
      url: `/movements/${m.id}/reviews`,
      headers: bearer(undss.token),
      payload: {
        version: 1,
        decision: 'escalate',
        reasonCodes: ['security_threat_on_route'],
        comment: 'IED report on the RN16',
      },
    });
    expect(escalated.statusCode).toBe(200);
    const [escalation] = await h.db.query(
      `SELECT id FROM security_escalations WHERE movement_id = $1`,
      [m.id],
    );
    const resolved = await h.api.inject({
      method: 'POST',
      url: `/escalations/${escalation.id}/resolve`,
      headers: bearer(undss.token),
      payload: { outcome: 'advise_reroute', note: 'Source: confidential informant at Boni' },
    });
    expect(resolved.json().movementStatus).toBe('flagged');
    const notice = await h.smtp.waitFor(
      (p) =>
        (p.subject ?? '').includes(m.reference) && /UNDSS advises another route/.test(p.text ?? ''),
      { timeoutMs: 20_000 },
    );
    expect(notice.text).not.toContain('confidential informant');
    expect(JSON.stringify(notice.to)).toContain('aminata@acf.test');
    expect(ocha.email).toBeTruthy();
  });
});
