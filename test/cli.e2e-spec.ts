import { setTimeout as sleep } from 'node:timers/promises';
import {
  CommandError,
  auditVerify,
  deconflict,
  emailResend,
  userDisable,
  userEnable,
  userList,
  userResetPassword,
} from '../apps/cli/src/commands';
import { MovementMailer } from '@hns/movements';
import { ReviewMailer, ReviewsService } from '@hns/reviews';
import {
  Harness,
  TEST_PASSWORD,
  bearer,
  cellAccount,
  convoyNotice,
  login,
  ngoAccount,
  startHarness,
} from './support/harness';

describe('administrator command line: users, emails, deconfliction, audit', () => {
  let h: Harness;
  let acf: Awaited<ReturnType<typeof ngoAccount>>;

  const lastAuditId = async () =>
    Number((await h.db.query(`SELECT coalesce(max(id), 0) AS id FROM audit_events`))[0].id);
  // Events of this file only: other files share the database and run before it.
  let firstEventId = '0';
  const cliAudit = (action: string) =>
    h.db.query(
      `SELECT actor_user_id, actor_role, entity_id, details FROM audit_events
       WHERE action = $1 AND id > $2 ORDER BY id`,
      [action, firstEventId],
    );

  beforeAll(async () => {
    h = await startHarness();
    [{ id: firstEventId }] = await h.db.query(
      `SELECT coalesce(max(id), 0)::text AS id FROM audit_events`,
    );
    acf = await ngoAccount(h);
  });
  afterAll(() => h.close());

  it('user:list lists accounts by role and organisation', async () => {
    const listed = await userList(h.api, { role: 'ngo', org: acf.org.acronym.toLowerCase() });
    expect(listed.code).toBe(0);
    expect(listed.lines[0]).toContain(acf.email);
    expect(listed.lines[0]).toContain('active / actif');
    expect(listed.lines.at(-1)).toBe('1 user(s) / utilisateur(s)');
    await expect(userList(h.api, { role: 'pilot' })).rejects.toThrow(CommandError);
    await expect(userList(h.api, { org: 'NOPE' })).rejects.toThrow(/no organisation/);
  });

  it('user:disable refuses sign-in and existing tokens at once; user:enable restores; both audited', async () => {
    const disabled = await userDisable(h.api, { email: acf.email.toUpperCase() });
    expect(disabled).toEqual({
      code: 0,
      lines: [`User disabled / utilisateur désactivé: ${acf.email}`],
    });
    const me = await h.api.inject({ method: 'GET', url: '/auth/me', headers: bearer(acf.token) });
    expect(me.statusCode).toBe(401);
    await expect(login(h, acf.email)).rejects.toThrow(/401/);
    expect((await userDisable(h.api, { email: acf.email })).lines[0]).toMatch(/^Already disabled/);

    expect((await userEnable(h.api, { email: acf.email })).code).toBe(0);
    acf.token = await login(h, acf.email);
    const [audit] = await cliAudit('user.disabled');
    expect(audit).toMatchObject({ actor_user_id: null, actor_role: 'cli' });
    expect(audit.details.email).toBe(acf.email);
    expect(await cliAudit('user.enabled')).toHaveLength(1);
    await expect(userDisable(h.api, { email: 'nobody@nowhere.test' })).rejects.toThrow(/no user/);
  });

  it('user:reset-password keeps the password rules, hashes with argon2id and audits without the password', async () => {
    await expect(userResetPassword(h.api, { email: acf.email, password: 'short' })).rejects.toThrow(
      /at least 12 characters/,
    );
    const password = 'a brand new passphrase';
    expect((await userResetPassword(h.api, { email: acf.email, password })).code).toBe(0);
    await expect(login(h, acf.email)).rejects.toThrow(/401/);
    acf.token = await login(h, acf.email, password);
    const [hash] = await h.db.query(`SELECT password_hash FROM users WHERE email = $1`, [
      acf.email,
    ]);
    expect(hash.password_hash).toMatch(/^\$argon2id\$/);
    const audit = await cliAudit('user.password_reset');
    expect(JSON.stringify(audit)).not.toContain(password);
    await userResetPassword(h.api, { email: acf.email, password: TEST_PASSWORD });
    // A reset signs the user out everywhere (issue 6): the token above no longer works.
    expect(
      (await h.api.inject({ method: 'GET', url: '/auth/me', headers: bearer(acf.token) }))
        .statusCode,
    ).toBe(401);
    acf.token = await login(h, acf.email);
  });

  /** A movement of ACF's, submitted through the API. */
  const submitMovement = async (hoursAhead: number): Promise<{ id: string; reference: string }> =>
    (
      await h.api.inject({
        method: 'POST',
        url: '/movements',
        headers: bearer(acf.token),
        payload: convoyNotice(hoursAhead),
      })
    ).json();

  it('email:resend sends an email again as a new delivery, by key or by movement and kind', async () => {
    const { id, reference } = await submitMovement(72);
    await h.api.get(MovementMailer).sendReceipt(id, 1);
    const receipts = () =>
      h.smtp.messages.filter((m) => (m.subject ?? '').includes(reference)).length;
    expect(receipts()).toBe(1);

    const key = `movement.receipt:${id}:v1`;
    const byKey = await emailResend(h.api, { key });
    expect(byKey.code).toBe(0);
    expect(byKey.lines[0]).toBe(
      `Email sent again / e-mail renvoyé: ${key}:resend:1 → aminata@acf.test`,
    );
    const byMovement = await emailResend(h.api, { movement: reference, kind: 'movement.receipt' });
    expect(byMovement.lines[0]).toContain(`${key}:resend:2`);
    await h.smtp.waitFor(() => receipts() === 3, { timeoutMs: 10_000 });
    const deliveries = await h.db.query(
      `SELECT idempotency_key, status, message_id FROM email_deliveries WHERE movement_id = $1 ORDER BY created_at`,
      [id],
    );
    expect(deliveries.map((d: { idempotency_key: string }) => d.idempotency_key)).toEqual([
      key,
      `${key}:resend:1`,
      `${key}:resend:2`,
    ]);
    expect(new Set(deliveries.map((d: { message_id: string }) => d.message_id)).size).toBe(3);
    expect((await cliAudit('email.resent')).map((a: { entity_id: string }) => a.entity_id)).toEqual(
      [id, id],
    );
    await expect(
      emailResend(h.api, { movement: reference, kind: 'movement.acknowledgement' }),
    ).rejects.toThrow(/on record \/ au dossier: movement.receipt/);
    await expect(emailResend(h.api, { key: 'nope' })).rejects.toThrow(/no email delivery/);
  });

  it('email:resend sends an acknowledgement again (its movement read by the claim)', async () => {
    const { id, reference } = await submitMovement(74);
    await h.api.get(ReviewMailer).sendAcknowledgement(id, 1);
    const acknowledgements = () =>
      h.smtp.messages.filter(
        (m) => (m.subject ?? '').includes(reference) && /accusé|acknowledg/i.test(m.subject ?? ''),
      ).length;
    expect(acknowledgements()).toBe(1);
    const key = `movement.acknowledgement:${id}:v1`;
    const resent = await emailResend(h.api, { key });
    expect(resent.code).toBe(0);
    expect(resent.lines[0]).toContain(`${key}:resend:1`);
    await h.smtp.waitFor(() => acknowledgements() === 2, { timeoutMs: 10_000 });
  });

  it('deconflict re-runs the conflict engine with its consequences and prints the conflicts', async () => {
    // Kayes → Bafoulabé → Kita: far from every other suite's routes and zones.
    const submitted = await h.api.inject({
      method: 'POST',
      url: '/movements',
      headers: bearer(acf.token),
      payload: convoyNotice(72, {
        departure: { place: 'Kayes', lat: 14.4469, lon: -11.4456, at: hoursAhead(72) },
        waypoints: [{ place: 'Bafoulabé', lat: 13.8065, lon: -10.8321 }],
        arrival: { place: 'Kita', lat: 13.0349, lon: -9.4895, at: hoursAhead(100) },
      }),
    });
    const { id, reference } = submitted.json();
    await h.api.get(ReviewsService).fanOut(id, 1);
    // Declared with no worker running: the zone's own re-check never happens here.
    const liaison = await cellAccount(h, 'armed_forces_liaison');
    const zone = await h.api.inject({
      method: 'POST',
      url: '/zones',
      headers: bearer(liaison.token),
      payload: {
        name: 'Bafoulabé operation',
        publicLabel: 'Around Bafoulabé',
        level: 'no_go',
        center: { lat: 13.8065, lon: -10.8321 },
        radiusKm: 15,
        activeFrom: new Date(Date.now() + 24 * 3600_000).toISOString(),
        activeTo: new Date(Date.now() + 240 * 3600_000).toISOString(),
      },
    });
    expect(zone.statusCode).toBe(201);

    const first = await deconflict(h.api, { movement: reference });
    expect(first.code).toBe(0);
    const ours = (lines: string[]) => lines.filter((l) => l.includes('Bafoulabé operation'));
    expect(ours(first.lines)).toEqual([
      expect.stringMatching(
        /^conflict \/ conflit: Bafoulabé operation \(no_go\) .* \[new \/ nouveau\]$/,
      ),
    ]);
    expect(first.lines.at(-1)).toBe(
      `${reference} v1: 1 conflict(s) / conflit(s), 0 cleared / levé(s); status / statut in_review → flagged`,
    );
    const escalations = () =>
      h.db.query(`SELECT reason_codes FROM security_escalations WHERE movement_id = $1`, [id]);
    expect(await escalations()).toEqual([{ reason_codes: ['route_through_restricted_area'] }]);

    const again = await deconflict(h.api, { movement: reference });
    expect(ours(again.lines)).toEqual([expect.not.stringContaining('[new')]);
    expect(await escalations()).toHaveLength(1);
    expect(await cliAudit('deconfliction.rerun')).toHaveLength(2);
    await expect(deconflict(h.api, { movement: 'HNS-ML-1999-000000' })).rejects.toThrow(
      CommandError,
    );
    // Zones are shared by every suite and never deleted: this one ends here.
    const lifted = await h.api.inject({
      method: 'POST',
      url: `/zones/${zone.json().id}/lift`,
      headers: bearer(liaison.token),
    });
    expect(lifted.statusCode).toBe(200);
  });

  it('audit:verify finds the append-only triggers in force and the events in order', async () => {
    const whole = await auditVerify(h.api, {});
    // Other test files share the database: only the guards are asserted on the whole log.
    const problems = whole.lines.filter((line) => line.startsWith('PROBLEM'));
    expect(problems.join('\n')).not.toMatch(/trigger|accepted/);
    expect(whole.lines.join('\n')).toMatch(/event\(s\) \/ événement\(s\), ids 1–\d+/);

    await userDisable(h.api, { email: acf.email });
    const since = await lastAuditId();
    await userEnable(h.api, { email: acf.email });
    const clean = await auditVerify(h.api, { 'since-id': String(since) });
    expect(clean.code).toBe(0);
    expect(clean.lines.at(-2)).toMatch(/^Audit log verified .*2 event\(s\)/);
  });

  it('audit:verify exits 1 on a missing id, a disabled trigger or an event dated back', async () => {
    const since = await lastAuditId();
    // A transaction rolled back after writing an event leaves a hole in the ids.
    const runner = h.db.createQueryRunner();
    await runner.startTransaction();
    await runner.query(
      `INSERT INTO audit_events (action, entity_type, entity_id) VALUES ('test.rolled_back', 'test', 'x')`,
    );
    await runner.rollbackTransaction();
    await runner.release();
    await userDisable(h.api, { email: acf.email });
    const gap = await auditVerify(h.api, { 'since-id': String(since) });
    expect(gap.code).toBe(1);
    expect(gap.lines[0]).toMatch(
      new RegExp(`^PROBLEM / PROBLÈME: 1 id\\(s\\) missing in 1 gap\\(s\\) .*: ${since + 1} `),
    );

    await h.db.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
    try {
      const unguarded = await auditVerify(h.api, { 'since-id': String(since) });
      expect(unguarded.code).toBe(1);
      expect(unguarded.lines.join('\n')).toMatch(/no enabled trigger refuses UPDATE/);
      expect(unguarded.lines.join('\n')).toMatch(/a test DELETE was accepted/);
    } finally {
      await h.db.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`);
    }

    // Two overlapping transactions: the one that began first writes its event last.
    const early = h.db.createQueryRunner();
    await early.startTransaction();
    await early.query(`SELECT now()`);
    await sleep(1100);
    const start = (await lastAuditId()) + 1;
    await userEnable(h.api, { email: acf.email });
    await early.query(
      `INSERT INTO audit_events (action, entity_type, entity_id) VALUES ('test.late', 'test', 'x')`,
    );
    await early.commitTransaction();
    await early.release();
    const strict = await auditVerify(h.api, {
      'since-id': String(start),
      'tolerance-seconds': '0',
    });
    expect(strict.code).toBe(1);
    expect(strict.lines[0]).toMatch(/1 event\(s\) dated more than 0 s before/);
    const tolerant = await auditVerify(h.api, { 'since-id': String(start) });
    expect(tolerant.code).toBe(0);
    expect(tolerant.lines.join('\n')).toMatch(/concurrent transactions/);
  });
});

function hoursAhead(hours: number): string {
  return new Date(Date.now() + hours * 3600_000).toISOString();
}
