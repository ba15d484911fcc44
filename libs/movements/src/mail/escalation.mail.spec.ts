import { notificationSchema } from '../notification.schema';
import { renderSecurityEscalation, type SecurityEscalationContext } from './escalation.mail';
import { formatInstant } from './format';

const notification = notificationSchema.parse({
  type: 'convoy',
  priority: 'emergency',
  emergencyReason: 'Épidémie de choléra à Ansongo',
  purpose: 'Intrants médicaux <script>alert("x")</script>',
  focalPoint: {
    name: 'A. Traoré',
    phone: '+223 76 00 00 01',
    satPhone: '+881 631 234 567',
    email: 'a.traore@acf.test',
  },
  convoyLeader: { name: 'M. Diarra', phone: '+223 76 00 00 02', callSign: 'Alpha 1' },
  departure: { place: 'Gao', lat: 16.2666, lon: -0.04, at: '2026-12-02T05:00:00Z' },
  arrival: { place: 'Ansongo', lat: 15.6597, lon: 0.5022, at: '2026-12-02T11:00:00Z' },
  vehicles: [{ type: 'Land Cruiser', plate: 'AB-1234-MD' }],
  personnel: { national: 4, international: 1 },
  escort: {
    status: 'requested',
    provider: 'MINUSMA',
    justification: 'Attaques récentes sur la RN17',
  },
  communications: { vhfChannel: '6', radioRoom: 'Gao base', satPhone: '+881 631 999 000' },
  dataAccuracyConfirmed: true,
  verifiedBy: 'A. Traoré',
});

const context: SecurityEscalationContext = {
  reference: 'HNS-ML-2026-000124',
  version: 1,
  severity: 'critical',
  organisationName: 'Action contre la Faim',
  notification,
  reasons: [
    {
      code: 'security_threat_on_route',
      fr: "Une menace sécuritaire est signalée sur l'itinéraire",
      en: 'A security threat is reported on the route',
    },
  ],
  raisedBy: { fr: 'la liaison forces armées', en: 'the armed forces liaison' },
  comment: 'Engins explosifs signalés au PK 40.',
  acknowledgeBy: '2026-12-01T10:30:00Z',
  escalationUrl: 'https://hns.example.org/escalations/77',
  movementUrl: 'https://hns.example.org/movements/0b6f',
};
const UNDSS = ['undss-mali-sio@un.org'];
const mail = renderSecurityEscalation(context, UNDSS);

describe('UNDSS security escalation email', () => {
  it('goes to UNDSS marked high priority', () => {
    expect(mail.to).toEqual(UNDSS);
    expect(mail.priority).toBe('high');
    expect(mail.headers).toEqual({ Importance: 'high', 'X-Priority': '1' });
  });

  it('puts the severity in the subject, in French then English', () => {
    expect(mail.subject).toMatch(
      /^\[CRITIQUE \/ CRITICAL\] \[HNS-ML-2026-000124\] Escalade sécuritaire \/ Security escalation — Gao → Ansongo$/,
    );
    const medium = renderSecurityEscalation({ ...context, severity: 'medium' }, UNDSS);
    expect(medium.subject).toMatch(/^\[MOYENNE \/ MEDIUM\]/);
  });

  it('states the acknowledgement deadline in both languages', () => {
    expect(mail.text).toContain(
      `À accuser réception avant le ${formatInstant(context.acknowledgeBy, 'fr')}.`,
    );
    expect(mail.text).toContain(`Acknowledge by ${formatInstant(context.acknowledgeBy, 'en')}.`);
    expect(mail.text.indexOf('À accuser réception')).toBeLessThan(
      mail.text.indexOf('Acknowledge by'),
    );
  });

  it("gives the reasons, the reviewer's comment, route, times and organisation", () => {
    for (const expected of [
      "Une menace sécuritaire est signalée sur l'itinéraire",
      'A security threat is reported on the route',
      'Engins explosifs signalés au PK 40.',
      'soulevée par la liaison forces armées.',
      'raised by the armed forces liaison.',
      'Gao → Ansongo',
      formatInstant('2026-12-02T05:00:00Z', 'fr'),
      formatInstant('2026-12-02T11:00:00Z', 'en'),
      'Organisation: Action contre la Faim',
      'URGENCE: Épidémie de choléra à Ansongo',
      'EMERGENCY: Épidémie de choléra à Ansongo',
      context.escalationUrl,
      context.movementUrl,
    ]) {
      expect(mail.text).toContain(expected);
    }
    expect(mail.html).toContain(`href="${context.escalationUrl}"`);
  });

  it("lets UNDSS reach the convoy at once: leader's phone and call sign, focal point's satellite phone", () => {
    expect(mail.text).toContain('Chef de convoi: M. Diarra, +223 76 00 00 02, indicatif Alpha 1');
    expect(mail.text).toContain('Convoy leader: M. Diarra, +223 76 00 00 02, call sign Alpha 1');
    expect(mail.text).toContain(
      'Focal point: A. Traoré, +223 76 00 00 01, sat. +881 631 234 567, a.traore@acf.test',
    );
    expect(mail.text).toContain(
      'Communications: VHF channel 6, radio room Gao base, sat. +881 631 999 000',
    );
  });

  it('shows the escort status with its provider and justification', () => {
    expect(mail.text).toContain(
      'Escorte: escorte armée demandée — MINUSMA — Attaques récentes sur la RN17',
    );
    expect(mail.text).toContain(
      'Escort: armed escort requested — MINUSMA — Attaques récentes sur la RN17',
    );
    const unescorted = renderSecurityEscalation(
      { ...context, notification: { ...notification, escort: { status: 'none' } } },
      UNDSS,
    );
    expect(unescorted.text).toContain('Escort: no escort');
  });

  it('is marked for the cell only, and carries confidential zone details only when given', () => {
    expect(mail.text).toContain(
      'Restricted to the CMCoord cell: do not forward to the organisation.',
    );
    expect(mail.text).not.toContain('confidential, cell only');
    const withZone = renderSecurityEscalation(
      {
        ...context,
        cellOnlyZoneDetails: [
          {
            publicLabel: 'Axe Gao–Ansongo',
            level: 'no_go',
            from: '2026-12-01T00:00:00Z',
            confidentialDetails: 'Opération FAMa, PK 30 à 55',
          },
        ],
      },
      UNDSS,
    );
    expect(withZone.text).toContain('Zones involved (confidential, cell only):');
    expect(withZone.text).toMatch(/Axe Gao–Ansongo \(no-go, from .*\): Opération FAMa, PK 30 à 55/);
    expect(withZone.text).toMatch(/Axe Gao–Ansongo \(interdite, depuis le .*\): Opération FAMa/);
    expect(withZone.html).toContain('Opération FAMa, PK 30 à 55');
  });

  it('HTML-escapes a purpose of <script>', () => {
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain(
      'Intrants médicaux &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;',
    );
    expect(mail.text).toContain('Objet: Intrants médicaux <script>alert("x")</script>');
  });
});
