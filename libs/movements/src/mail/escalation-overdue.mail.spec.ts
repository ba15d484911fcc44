import { notificationSchema } from '../notification.schema';
import { renderEscalationOverdue, type EscalationOverdueContext } from './escalation-overdue.mail';
import { formatInstant } from './format';

const notification = notificationSchema.parse({
  type: 'convoy',
  purpose: 'Intrants médicaux',
  focalPoint: { name: 'A. Traoré', phone: '+223 76 00 00 01', email: 'a.traore@acf.test' },
  convoyLeader: { name: 'M. Diarra', phone: '+223 76 00 00 02' },
  departure: { place: 'Gao', lat: 16.2666, lon: -0.04, at: '2026-12-02T05:00:00Z' },
  arrival: { place: 'Ansongo', lat: 15.6597, lon: 0.5022, at: '2026-12-02T11:00:00Z' },
  vehicles: [{ type: 'Land Cruiser', plate: 'AB-1234-MD' }],
  personnel: { national: 4, international: 1 },
  dataAccuracyConfirmed: true,
  verifiedBy: 'A. Traoré',
});

const context: EscalationOverdueContext = {
  reference: 'HNS-ML-2026-000124',
  version: 1,
  severity: 'critical',
  organisationName: 'Action contre la Faim',
  notification,
  acknowledgeBy: '2026-12-01T10:30:00Z',
  alertNumber: 2,
  sentAt: '2026-12-01T11:45:00Z',
  escalationsUrl: 'https://hns.example.org/escalations',
  movementUrl: 'https://hns.example.org/movements/0b6f',
};
const WIDENED = ['undss-mali-sio@un.org', 'ocha-mali-cmcoord@un.org'];
const mail = renderEscalationOverdue(context, WIDENED);

describe('escalation overdue re-alert', () => {
  it('goes to UNDSS and OCHA marked high priority', () => {
    expect(mail.to).toEqual(WIDENED);
    expect(mail.priority).toBe('high');
    expect(mail.headers).toEqual({ Importance: 'high', 'X-Priority': '1' });
  });

  it('puts the severity, the reference and the alert number in the subject', () => {
    expect(mail.subject).toBe(
      '[CRITIQUE / CRITICAL] [HNS-ML-2026-000124] 2e relance : escalade sans accusé de réception / ' +
        '2nd alert: escalation not acknowledged',
    );
    const first = renderEscalationOverdue(
      { ...context, severity: 'medium', alertNumber: 1 },
      WIDENED,
    );
    expect(first.subject).toMatch(/^\[MOYENNE \/ MEDIUM\] .* 1re relance .* \/ 1st alert:/);
  });

  it('numbers the alerts in both languages', () => {
    const subjects = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(
      (alertNumber) => renderEscalationOverdue({ ...context, alertNumber }, WIDENED).subject,
    );
    expect(subjects.map((s) => s.match(/\] (\S+) relance/)?.[1])).toEqual([
      '1re',
      '2e',
      '3e',
      '4e',
      '11e',
      '12e',
      '13e',
      '21e',
      '22e',
      '101e',
      '111e',
    ]);
    expect(subjects.map((s) => s.match(/\/ (\S+) alert:/)?.[1])).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
      '111th',
    ]);
  });

  it('says how long overdue, against the original deadline, French first', () => {
    for (const expected of [
      `l'échéance était le ${formatInstant(context.acknowledgeBy, 'fr')}, dépassée de 1 h 15 min.`,
      `it was due by ${formatInstant(context.acknowledgeBy, 'en')}, 1 h 15 min ago.`,
      `Échéance initiale: ${formatInstant(context.acknowledgeBy, 'fr')}`,
      `Original deadline: ${formatInstant(context.acknowledgeBy, 'en')}`,
      'Retard: 1 h 15 min',
      'Overdue by: 1 h 15 min',
      'Relance: 2e',
      'Alert: 2nd',
      'Gravité: CRITIQUE',
      'Severity: CRITICAL',
    ]) {
      expect(mail.text).toContain(expected);
    }
    expect(mail.text.indexOf('Retard:')).toBeLessThan(mail.text.indexOf('Overdue by:'));
  });

  it('tells that the circle is widened to OCHA, and links to the escalations board', () => {
    expect(mail.text).toContain('OCHA en est désormais informé');
    expect(mail.text).toContain('OCHA is now informed');
    expect(mail.text).toContain(`Escalations board: ${context.escalationsUrl}`);
    expect(mail.text).toContain(`Tableau des escalades: ${context.escalationsUrl}`);
    expect(mail.html).toContain(`href="${context.escalationsUrl}"`);
    expect(mail.html).toContain(`href="${context.movementUrl}"`);
    expect(mail.text).toContain('Restricted to the CMCoord cell');
  });

  it('HTML-escapes the organisation name', () => {
    const hostile = renderEscalationOverdue(
      { ...context, organisationName: '<script>alert(1)</script>' },
      WIDENED,
    );
    expect(hostile.html).not.toContain('<script>');
    expect(hostile.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
