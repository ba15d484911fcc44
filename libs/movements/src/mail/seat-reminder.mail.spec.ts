import { notificationSchema } from '../notification.schema';
import { formatInstant } from './format';
import { durationText, renderSeatReminder, type SeatReminderContext } from './seat-reminder.mail';

const notification = notificationSchema.parse({
  type: 'convoy',
  purpose: 'Vivres',
  focalPoint: { name: 'A. Traoré', phone: '+223 76 00 00 01', email: 'a.traore@acf.test' },
  convoyLeader: { name: 'M. Diarra', phone: '+223 76 00 00 02' },
  departure: { place: 'Mopti', lat: 14.4843, lon: -4.1827, at: '2026-12-04T06:00:00Z' },
  waypoints: [{ place: 'Douentza', lat: 15.0019, lon: -2.9498 }],
  arrival: { place: 'Gao', lat: 16.2666, lon: -0.04, at: '2026-12-05T10:30:00Z' },
  vehicles: [{ type: 'Land Cruiser', plate: 'AB-1234-MD' }],
  personnel: { national: 3, international: 1 },
  dataAccuracyConfirmed: true,
  verifiedBy: 'A. Traoré',
});

const context: SeatReminderContext = {
  reference: 'HNS-ML-2026-000123',
  version: 2,
  organisationName: 'Action contre la Faim',
  notification,
  seat: 'undss',
  reviewUrl: 'https://hns.example.org/reviews?movement=0b6f',
  sentAt: '2026-12-03T06:00:00Z',
};
const UNDSS = ['undss-cell@un.org'];
const mail = renderSeatReminder(context, UNDSS);

describe('seat reminder email', () => {
  it('goes to the seat and names the reference and the seat in both languages', () => {
    expect(mail.to).toEqual(UNDSS);
    expect(mail.cc).toBeUndefined();
    expect(mail.subject).toBe(
      '[HNS-ML-2026-000123] Rappel : examen en attente (UNDSS) / Reminder: review pending (UNDSS)',
    );
    const liaison = renderSeatReminder({ ...context, seat: 'armed_forces_liaison' }, UNDSS);
    expect(liaison.subject).toContain(
      'examen en attente (Liaison forces armées) / Reminder: review pending (Armed forces liaison)',
    );
    expect(liaison.text).toContain('Siège: Liaison forces armées');
    expect(liaison.text).toContain('Seat: Armed forces liaison');
  });

  it('says how long until departure, French first then English', () => {
    const fr = mail.text.indexOf('Le départ est prévu dans 24 h');
    const en = mail.text.indexOf('Departure is in 24 h');
    expect(fr).toBeGreaterThanOrEqual(0);
    expect(en).toBeGreaterThan(fr);
    expect(mail.text).toContain('Départ dans: 24 h');
    expect(mail.text).toContain('Departure in: 24 h');
  });

  it('gives reference, version, organisation, route, departure time and the review link', () => {
    for (const expected of [
      'Référence: HNS-ML-2026-000123 (version 2)',
      'Reference: HNS-ML-2026-000123 (version 2)',
      'Organisation: Action contre la Faim',
      'Itinéraire: Mopti → Douentza → Gao',
      'Route: Mopti → Douentza → Gao',
      `Départ prévu: ${formatInstant(notification.departure.at, 'fr')}`,
      `Planned departure: ${formatInstant(notification.departure.at, 'en')}`,
      'Type: convoi',
      'Type: convoy',
      `Review the notification: ${context.reviewUrl}`,
    ]) {
      expect(mail.text).toContain(expected);
    }
    expect(mail.html).toContain(`href="${context.reviewUrl}"`);
    expect(mail.html).toContain('<section lang="fr">');
    expect(mail.html).toContain('<section lang="en">');
  });

  it('is marked for the cell only', () => {
    expect(mail.text).toContain(
      'Restricted to the CMCoord cell: do not forward to the organisation.',
    );
    expect(mail.text).toContain('Diffusion restreinte à la cellule CMCoord');
  });

  it('HTML-escapes the organisation name', () => {
    const hostile = renderSeatReminder(
      { ...context, organisationName: 'ONG <img src=x onerror=alert(1)> & "Co"' },
      UNDSS,
    );
    expect(hostile.html).not.toContain('<img');
    expect(hostile.html).toContain('ONG &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;');
    expect(hostile.text).toContain('Organisation: ONG <img src=x onerror=alert(1)> & "Co"');
  });
});

describe('durationText', () => {
  it('counts hours and minutes, never below zero', () => {
    expect(durationText('2026-12-03T06:00:00Z', '2026-12-04T06:00:00Z')).toBe('24 h');
    expect(durationText('2026-12-03T06:00:00Z', '2026-12-03T17:05:30Z')).toBe('11 h 5 min');
    expect(durationText('2026-12-03T06:00:00Z', '2026-12-03T06:45:00Z')).toBe('45 min');
    expect(durationText('2026-12-03T06:00:00Z', '2026-12-03T05:00:00Z')).toBe('0 min');
  });
});
