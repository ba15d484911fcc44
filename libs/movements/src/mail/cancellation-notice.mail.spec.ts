import { notificationSchema } from '../notification.schema';
import {
  renderCancellationNotice,
  type CancellationNoticeContext,
} from './cancellation-notice.mail';
import { formatInstant } from './format';
import { DISCLAIMER } from './receipt.mail';

const notification = notificationSchema.parse({
  type: 'convoy',
  purpose: 'Vivres',
  focalPoint: { name: 'A. Traoré', phone: '+223 76 00 00 01', email: 'a.traore@acf.test' },
  convoyLeader: { name: 'M. Diarra', phone: '+223 76 00 00 02' },
  departure: { place: 'Mopti', lat: 14.4843, lon: -4.1827, at: '2026-12-04T06:00:00Z' },
  arrival: { place: 'Gao', lat: 16.2666, lon: -0.04, at: '2026-12-05T10:30:00Z' },
  vehicles: [{ type: 'Land Cruiser', plate: 'AB-1234-MD' }],
  personnel: { national: 3, international: 1 },
  dataAccuracyConfirmed: true,
  verifiedBy: 'A. Traoré',
});

const context: CancellationNoticeContext = {
  reference: 'HNS-ML-2026-000123',
  version: 2,
  organisationName: 'Action contre la Faim',
  notification,
  reason: 'Pont <b>coupé</b> à Konna & "crue"\nReport sine die.',
  cancelledAt: '2026-12-02T14:20:00Z',
  movementUrl: 'https://hns.example.org/movements/0b6f',
};
const FOCAL = ['a.traore@acf.test'];
const CELL = ['ocha-mali-cmcoord@un.org'];
const mail = renderCancellationNotice(context, FOCAL, CELL);

describe('cancellation notice', () => {
  it('goes to the focal point with a copy to the OCHA cell, reference in the subject', () => {
    expect(mail.to).toEqual(FOCAL);
    expect(mail.cc).toEqual(CELL);
    expect(mail.subject).toBe('[HNS-ML-2026-000123] Annulation confirmée / Cancellation confirmed');
    expect(renderCancellationNotice(context, FOCAL).cc).toBeUndefined();
  });

  it('confirms the organisation cancelled and the cell stopped its review, French first', () => {
    const order = [
      'Action contre la Faim a annulé le mouvement notifié sous la référence HNS-ML-2026-000123 (version 2).',
      'La cellule CMCoord a arrêté son examen',
      'Action contre la Faim has cancelled the movement notified under reference HNS-ML-2026-000123 (version 2).',
      'The CMCoord cell has stopped its review',
    ].map((s) => mail.text.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('quotes the reason as given in the text, and HTML-escaped', () => {
    expect(mail.text).toContain(`Motif de l'annulation:\n${context.reason}`);
    expect(mail.text).toContain(`Reason for cancellation:\n${context.reason}`);
    expect(mail.html).not.toContain('<b>coupé</b>');
    expect(mail.html).toContain(
      'Pont &lt;b&gt;coupé&lt;/b&gt; à Konna &amp; &quot;crue&quot;\nReport sine die.',
    );
  });

  it('gives the route and the times: departure, arrival, cancellation', () => {
    for (const expected of [
      'Itinéraire: Mopti → Gao',
      'Route: Mopti → Gao',
      `Départ prévu: ${formatInstant(notification.departure.at, 'fr')}`,
      `Planned arrival: ${formatInstant(notification.arrival.at, 'en')}`,
      `Annulé le: ${formatInstant(context.cancelledAt, 'fr')}`,
      `Cancelled on: ${formatInstant(context.cancelledAt, 'en')}`,
      `View the cancelled notification: ${context.movementUrl}`,
    ]) {
      expect(mail.text).toContain(expected);
    }
    expect(mail.html).toContain(`href="${context.movementUrl}"`);
  });

  it('carries the disclaimer and never calls the movement approved', () => {
    expect(mail.text).toContain(DISCLAIMER.fr);
    expect(mail.text).toContain(DISCLAIMER.en);
    expect(mail.text).not.toMatch(/approv|approuv/i);
  });

  it('HTML-escapes the organisation name', () => {
    const hostile = renderCancellationNotice(
      { ...context, organisationName: '<script>x</script>' },
      FOCAL,
    );
    expect(hostile.html).not.toContain('<script>');
    expect(hostile.html).toContain('&lt;script&gt;x&lt;/script&gt;');
  });
});
