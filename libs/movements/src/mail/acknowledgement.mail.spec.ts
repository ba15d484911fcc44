import { escapeHtml } from '@hns/mail';
import { notificationSchema } from '../notification.schema';
import {
  acknowledgementIcs,
  renderAcknowledgement,
  type AcknowledgementContext,
} from './acknowledgement.mail';
import type { PublicZoneNotice } from './flag-notice.mail';
import { formatInstant } from './format';
import { DISCLAIMER } from './receipt.mail';

const notification = notificationSchema.parse({
  type: 'convoy',
  purpose: 'Distribution de vivres',
  focalPoint: { name: 'A. Traoré', phone: '+223 76 00 00 01', email: 'a.traore@acf.test' },
  convoyLeader: { name: 'M. Diarra', phone: '+223 76 00 00 02', callSign: 'Alpha 1' },
  departure: { place: 'Mopti', lat: 14.4843, lon: -4.1827, at: '2026-12-04T06:00:00Z' },
  arrival: { place: 'Gao', lat: 16.2666, lon: -0.04, at: '2026-12-05T15:30:00Z' },
  waypoints: [{ place: 'Douentza', lat: 15.0019, lon: -2.9497 }],
  vehicles: [
    {
      type: 'Land Cruiser',
      plate: 'AB-1234-MD',
      markings: 'Logo ACF sur les portières, « ACF » sur le toit',
    },
    { type: 'Camion 10 t', plate: 'AB-5678-MD' },
  ],
  personnel: { national: 7, international: 2 },
  dataAccuracyConfirmed: true,
  verifiedBy: 'A. Traoré',
});

const context: AcknowledgementContext = {
  reference: 'HNS-ML-2026-000123',
  version: 2,
  organisationName: 'Action contre la Faim',
  notification,
  movementUrl: 'https://hns.example.org/movements/0b6f',
  calendarOrganizerEmail: 'cmcoord-mali@un.org',
  acknowledgedAt: '2026-12-01T09:00:00Z',
};
const OCHA = ['ocha-mali-cmcoord@un.org'];
const mail = renderAcknowledgement(context, ['a.traore@acf.test'], OCHA);
const ics = String(mail.attachments?.[0]?.content);

describe('deconfliction acknowledgement email', () => {
  it('goes to the focal point with a copy to the OCHA cell', () => {
    expect(mail.to).toEqual(['a.traore@acf.test']);
    expect(mail.cc).toEqual(OCHA);
    expect(renderAcknowledgement(context, ['a.traore@acf.test']).cc).toBeUndefined();
  });

  it('never tells the organisation its movement was approved, in any part or language', () => {
    for (const part of [mail.subject, mail.text, mail.html, ics]) {
      expect(part).not.toMatch(/approv|approuv|autoris[ée]|authori[sz]ed/i);
    }
  });

  it('carries the disclaimer of DESIGN §1.1 in French and in English', () => {
    expect(mail.text).toContain(DISCLAIMER.fr);
    expect(mail.text).toContain(DISCLAIMER.en);
    expect(mail.html).toContain(escapeHtml(DISCLAIMER.fr));
    expect(mail.html).toContain(escapeHtml(DISCLAIMER.en));
    expect(DISCLAIMER.fr).toMatch(/ni une autorisation ni une garantie de sécurité/);
    expect(DISCLAIMER.en).toMatch(/neither a permission nor a security guarantee/);
  });

  it('is in French first, then in English', () => {
    expect(mail.subject).toMatch(/Accusé de prise en compte .* \/ Deconfliction acknowledgement/);
    const french = mail.text.indexOf('La cellule CMCoord a pris en compte');
    const english = mail.text.indexOf('The CMCoord cell has taken note');
    expect(french).toBeGreaterThanOrEqual(0);
    expect(english).toBeGreaterThan(french);
    expect(mail.html.indexOf('lang="fr"')).toBeLessThan(mail.html.indexOf('lang="en"'));
  });

  it('names the reference, version, route, times, vehicles and personnel', () => {
    expect(mail.subject).toContain('[HNS-ML-2026-000123]');
    expect(mail.subject).toContain('version 2');
    for (const expected of [
      'HNS-ML-2026-000123 (version 2)',
      'Mopti → Douentza → Gao',
      formatInstant('2026-12-04T06:00:00Z', 'fr'),
      formatInstant('2026-12-05T15:30:00Z', 'fr'),
      formatInstant('2026-12-04T06:00:00Z', 'en'),
      formatInstant('2026-12-05T15:30:00Z', 'en'),
      'Land Cruiser — AB-1234-MD, marquages: Logo ACF sur les portières, « ACF » sur le toit',
      'Land Cruiser — AB-1234-MD, markings: Logo ACF',
      'Camion 10 t — AB-5678-MD',
      'nationaux : 7, internationaux : 2',
      'national: 7, international: 2',
      context.movementUrl,
    ]) {
      expect(mail.text).toContain(expected);
    }
    expect(mail.html).toContain(`href="${context.movementUrl}"`);
    expect(mail.html).toContain('Camion 10 t — AB-5678-MD');
  });

  it('attaches the movement window as <reference>-v<version>.ics, published', () => {
    expect(mail.attachments).toHaveLength(1);
    const [attachment] = mail.attachments ?? [];
    expect(attachment.filename).toBe('HNS-ML-2026-000123-v2.ics');
    expect(attachment.contentType).toBe('text/calendar; charset=utf-8; method=PUBLISH');
    expect(ics).toContain('\r\nMETHOD:PUBLISH\r\n');
    expect(ics).toContain('\r\nUID:HNS-ML-2026-000123-v2@hns\r\n');
    expect(ics).toContain('\r\nDTSTART:20261204T060000Z\r\n');
    expect(ics).toContain('\r\nDTEND:20261205T153000Z\r\n');
    expect(ics).toContain('\r\nDTSTAMP:20261201T090000Z\r\n');
    expect(ics).toContain('\r\nORGANIZER:mailto:cmcoord-mali@un.org\r\n');
    expect(ics.match(/^BEGIN:VEVENT$/gm)).toHaveLength(1);
  });

  it('is the same calendar event when the same version is acknowledged again', () => {
    expect(acknowledgementIcs(context)).toBe(ics);
  });

  it('notes caution zones near the route by their public label and time window only', () => {
    const zone: PublicZoneNotice = {
      publicLabel: 'Secteur de Boni',
      from: '2026-12-03T00:00:00Z',
      until: '2026-12-10T00:00:00Z',
    };
    // A caller handing over a whole zone row must not leak the cell's details.
    const row = { ...zone, confidentialDetails: 'Opération FAMa en cours, 3e bataillon' };
    const withZones = renderAcknowledgement({ ...context, cautionZones: [row] }, ['a@acf.test']);
    expect(withZones.text).toContain(
      `Secteur de Boni (du ${formatInstant(zone.from, 'fr')} au ${formatInstant(zone.until!, 'fr')})`,
    );
    expect(withZones.text).toContain('Caution — areas reported near the route:');
    expect(withZones.html).toContain('Secteur de Boni');
    for (const part of [
      withZones.text,
      withZones.html,
      String(withZones.attachments?.[0]?.content),
    ]) {
      expect(part).not.toContain('FAMa');
    }
    expect(mail.text).not.toContain('Prudence');
  });

  it('HTML-escapes what the organisation typed', () => {
    const hostile = notificationSchema.parse({
      ...notification,
      vehicles: [{ type: '<script>alert(1)</script>', plate: 'AB-1 & "co"' }],
    });
    const escaped = renderAcknowledgement(
      { ...context, organisationName: "Médecins <b>d'ici</b>", notification: hostile },
      ['a@acf.test'],
    );
    expect(escaped.html).not.toContain('<script>');
    expect(escaped.html).not.toContain('<b>');
    expect(escaped.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escaped.html).toContain('AB-1 &amp; &quot;co&quot;');
    expect(escaped.text).toContain('<script>alert(1)</script>');
  });
});
