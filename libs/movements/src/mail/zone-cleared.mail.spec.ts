import { notificationSchema } from '../notification.schema';
import { renderZoneCleared } from './zone-cleared.mail';

const notification = notificationSchema.parse({
  type: 'convoy',
  purpose: 'Food',
  focalPoint: { name: 'A', phone: '+223 76 00 00 01', email: 'a@acf.test' },
  convoyLeader: { name: 'M', phone: '+223 76 00 00 02' },
  departure: { place: 'Mopti', lat: 14.48, lon: -4.18, at: '2026-12-10T06:00:00Z' },
  arrival: { place: 'Gao', lat: 16.27, lon: -0.04, at: '2026-12-11T12:00:00Z' },
  vehicles: [{ type: '4x4', plate: 'AB-1' }],
  personnel: { national: 2, international: 0 },
  dataAccuracyConfirmed: true,
  verifiedBy: 'A',
});

describe('zone cleared notice', () => {
  const mail = renderZoneCleared(
    {
      reference: 'HNS-ML-2026-000042',
      version: 2,
      organisationName: 'ACF <Mali>',
      notification,
      zoneName: 'Operation Tessit-2',
      zonePublicLabel: 'RN16 near Hombori',
      lifted: true,
      changedAt: '2026-12-09T10:00:00Z',
      reviewUrl: 'http://hns.test/movements/x',
    },
    ['cell@ocha.test'],
  );

  it('tells the cell in French and English which flag the lifted zone explained', () => {
    expect(mail.subject).toContain('HNS-ML-2026-000042');
    expect(mail.text).toContain('a été levée');
    expect(mail.text).toContain('was lifted');
    expect(mail.text).toContain('Operation Tessit-2');
    expect(mail.text).toMatch(/Restricted to the CMCoord cell/);
  });

  it('escapes what users wrote', () => {
    expect(mail.html).toContain('ACF &lt;Mali&gt;');
  });
});
