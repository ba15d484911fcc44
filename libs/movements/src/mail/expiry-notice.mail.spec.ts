import { notificationSchema } from '../notification.schema';
import { renderExpiryNotice, type ExpiryNoticeContext } from './expiry-notice.mail';
import { formatInstant } from './format';
import { DISCLAIMER } from './receipt.mail';

const notification = notificationSchema.parse({
  type: 'delivery',
  purpose: 'Kits WASH',
  focalPoint: { name: 'A. Traoré', phone: '+223 76 00 00 01', email: 'a.traore@acf.test' },
  convoyLeader: { name: 'M. Diarra', phone: '+223 76 00 00 02' },
  departure: { place: 'Mopti', lat: 14.4843, lon: -4.1827, at: '2026-12-04T06:00:00Z' },
  arrival: { place: 'Tombouctou', lat: 16.7735, lon: -3.0074, at: '2026-12-05T15:30:00Z' },
  vehicles: [{ type: 'Land Cruiser', plate: 'AB-1234-MD' }],
  personnel: { national: 3, international: 0 },
  dataAccuracyConfirmed: true,
  verifiedBy: 'A. Traoré',
});

const context: ExpiryNoticeContext = {
  reference: 'HNS-ML-2026-000123',
  version: 3,
  organisationName: 'Action contre la Faim',
  notification,
  movementUrl: 'https://hns.example.org/movements/0b6f',
  newNotificationUrl: 'https://hns.example.org/movements/new',
};
const mail = renderExpiryNotice(context, ['a.traore@acf.test']);

describe('expiry notice', () => {
  it('goes to the focal point with the reference in the subject', () => {
    expect(mail.to).toEqual(['a.traore@acf.test']);
    expect(mail.subject).toBe(
      '[HNS-ML-2026-000123] Notification expirée sans prise en compte / Notification expired without acknowledgement',
    );
  });

  it('says the movement expired unacknowledged and was NOT deconflicted, French first', () => {
    const order = [
      "n'a pas été prise en compte par la cellule CMCoord avant la fermeture de sa fenêtre de départ : elle a expiré.",
      "Ce mouvement n'a PAS fait l'objet d'une déconfliction",
      'was not acknowledged by the CMCoord cell before its departure window closed: it has expired.',
      'This movement has NOT been deconflicted',
    ].map((s) => mail.text.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('never suggests the movement was acknowledged, approved or deconflicted', () => {
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toMatch(/approv|approuv/i);
      expect(part).not.toMatch(/(was|has been|is) acknowledged/i);
      expect(part).not.toMatch(/(?<!pas )été prise? en compte/i);
    }
    for (const part of [mail.text, mail.html]) {
      expect(part.match(/deconflicted/gi)).toEqual(['deconflicted']);
      expect(part).toContain('NOT been deconflicted');
      expect(part.match(/déconfliction/gi)).toEqual(['déconfliction']);
      expect(part).toMatch(
        /n(?:'|&#39;)a PAS fait l(?:'|&#39;)objet d(?:'|&#39;)une déconfliction/,
      );
    }
  });

  it('asks for a new notification if the movement is still planned', () => {
    expect(mail.text).toContain(
      'Si le mouvement est toujours prévu, soumettez une nouvelle notification',
    );
    expect(mail.text).toContain('If the movement is still planned, submit a new notification');
    expect(mail.text).toContain('POST /movements');
    expect(mail.text).toContain(`Submit a new notification: ${context.newNotificationUrl}`);
    expect(mail.html).toContain(`href="${context.newNotificationUrl}"`);
    expect(mail.html).toContain(`href="${context.movementUrl}"`);
  });

  it('gives reference, version, route and times', () => {
    for (const expected of [
      'Référence: HNS-ML-2026-000123 (version 3)',
      'Reference: HNS-ML-2026-000123 (version 3)',
      'Route: Mopti → Tombouctou',
      `Départ prévu: ${formatInstant(notification.departure.at, 'fr')}`,
      `Planned departure: ${formatInstant(notification.departure.at, 'en')}`,
      `Planned arrival: ${formatInstant(notification.arrival.at, 'en')}`,
    ]) {
      expect(mail.text).toContain(expected);
    }
  });

  it('carries the DESIGN §1.1 disclaimer in both languages and is not cell-internal', () => {
    expect(mail.text).toContain(DISCLAIMER.fr);
    expect(mail.text).toContain(DISCLAIMER.en);
    expect(mail.text.indexOf(DISCLAIMER.fr)).toBeLessThan(mail.text.indexOf(DISCLAIMER.en));
    expect(mail.text).not.toContain('Restricted to the CMCoord cell');
  });

  it('HTML-escapes the organisation name and places', () => {
    const hostile = renderExpiryNotice(
      {
        ...context,
        organisationName: 'ONG "<b>"',
        notification: {
          ...notification,
          arrival: { ...notification.arrival, place: '<img src=x>' },
        },
      },
      ['a@acf.test'],
    );
    expect(hostile.html).not.toMatch(/<b>|<img/);
    expect(hostile.html).toContain('ONG &quot;&lt;b&gt;&quot;');
    expect(hostile.html).toContain('&lt;img src=x&gt;');
  });
});
