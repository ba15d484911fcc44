import { notificationSchema } from '../notification.schema';
import { formatInstant } from './format';
import { renderOverdueAlert, type OverdueAlertContext } from './overdue-alert.mail';

const notification = notificationSchema.parse({
  type: 'mission',
  purpose: 'Évaluation',
  focalPoint: { name: 'A. Traoré', phone: '+223 76 00 00 01', email: 'a.traore@acf.test' },
  convoyLeader: { name: 'M. Diarra', phone: '+223 76 00 00 02' },
  departure: { place: 'Gao', lat: 16.2666, lon: -0.04, at: '2026-12-02T05:00:00Z' },
  arrival: { place: 'Ansongo', lat: 15.6597, lon: 0.5022, at: '2026-12-02T11:00:00Z' },
  vehicles: [{ type: 'Land Cruiser', plate: 'AB-1234-MD' }],
  personnel: { national: 2, international: 1 },
  dataAccuracyConfirmed: true,
  verifiedBy: 'A. Traoré',
});

const context: OverdueAlertContext = {
  reference: 'HNS-ML-2026-000125',
  version: 1,
  organisationName: 'Médecins <du> Monde',
  notification,
  status: 'escalated',
  pendingSeats: ['undss', 'wfp_logistics'],
  openEscalations: 1,
  movementUrl: 'https://hns.example.org/movements/0c7a',
  sentAt: '2026-12-01T17:00:00Z',
};
const OCHA = ['ocha-mali-cmcoord@un.org'];
const mail = renderOverdueAlert(context, OCHA);

describe('overdue alert to OCHA', () => {
  it('goes to OCHA with the reference and the time left in the subject', () => {
    expect(mail.to).toEqual(OCHA);
    expect(mail.subject).toBe(
      '[HNS-ML-2026-000125] Non pris en compte, départ dans 12 h / Not acknowledged, departure in 12 h',
    );
  });

  it('gives the status in words, French then English', () => {
    const fr = mail.text.indexOf('Statut: escaladé');
    const en = mail.text.indexOf('Status: escalated');
    expect(fr).toBeGreaterThanOrEqual(0);
    expect(en).toBeGreaterThan(fr);
    const inReview = renderOverdueAlert({ ...context, status: 'in_review' }, OCHA);
    expect(inReview.text).toContain('Statut: en cours d’examen');
    expect(inReview.text).toContain('Status: in review');
  });

  it('names the seats still pending and counts the open escalations', () => {
    expect(mail.text).toContain('Sièges en attente: UNDSS, PAM / Logistique');
    expect(mail.text).toContain('Seats pending: UNDSS, WFP / Logistics');
    expect(mail.text).toContain('Escalades ouvertes: 1');
    expect(mail.text).toContain('Open escalations: 1');
    const flagged = renderOverdueAlert(
      { ...context, status: 'flagged', pendingSeats: [], openEscalations: 0 },
      OCHA,
    );
    expect(flagged.text).toContain('Sièges en attente: aucun');
    expect(flagged.text).toContain('Seats pending: none');
    expect(flagged.text).toContain('Open escalations: 0');
  });

  it('gives the route, departure time and a link to the movement', () => {
    expect(mail.text).toContain('Route: Gao → Ansongo');
    expect(mail.text).toContain(
      `Planned departure: ${formatInstant(notification.departure.at, 'en')}`,
    );
    expect(mail.text).toContain(`Départ prévu: ${formatInstant(notification.departure.at, 'fr')}`);
    expect(mail.text).toContain(`View the movement: ${context.movementUrl}`);
    expect(mail.html).toContain(`href="${context.movementUrl}"`);
    expect(mail.text).toContain('Restricted to the CMCoord cell');
  });

  it('HTML-escapes the organisation name', () => {
    expect(mail.html).not.toContain('<du>');
    expect(mail.html).toContain('Médecins &lt;du&gt; Monde');
  });
});
