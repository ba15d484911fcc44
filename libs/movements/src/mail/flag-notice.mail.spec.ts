import { notificationSchema } from '../notification.schema';
import {
  renderFlagNotice,
  type FlagNoticeContext,
  type FlagReason,
  type PublicZoneNotice,
} from './flag-notice.mail';
import { formatInstant } from './format';

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

const markings: FlagReason = {
  code: 'missing_vehicle_markings',
  fr: 'Marquages des véhicules absents ou peu clairs',
  en: 'Vehicle markings are missing or unclear',
  hintFr: 'Décrivez le logo et le marquage de toit de chaque véhicule.',
  hintEn: 'Describe the logo and roof marking of each vehicle.',
};
const zone: PublicZoneNotice = {
  publicLabel: 'Zone de Léré',
  from: '2026-12-03T00:00:00Z',
  until: '2026-12-06T18:00:00Z',
};
const restricted: FlagReason = {
  code: 'route_through_restricted_area',
  fr: "L'itinéraire traverse une zone d'accès restreint",
  en: 'The route crosses a restricted area',
  hintFr: 'Choisissez un autre itinéraire ou une autre date.',
  hintEn: 'Choose another route or another date.',
  restrictedArea: zone,
};

const context: FlagNoticeContext = {
  reference: 'HNS-ML-2026-000123',
  version: 1,
  movementId: '0b6f5c1e-2f7a-4c1e-9a55-6d3f2b8c9e10',
  movementUrl: 'https://hns.example.org/movements/0b6f5c1e-2f7a-4c1e-9a55-6d3f2b8c9e10',
  notification,
  reasons: [markings, restricted],
};
const mail = renderFlagNotice(context, ['a.traore@acf.test']);

describe('flag notice email', () => {
  it('goes to the focal point and names the reference and version', () => {
    expect(mail.to).toEqual(['a.traore@acf.test']);
    expect(mail.subject).toBe(
      '[HNS-ML-2026-000123] Modification demandée (version 1) / Amendment requested (version 1)',
    );
    expect(mail.text).toContain('HNS-ML-2026-000123 (version 1)');
    expect(mail.text).toContain('Mopti → Tombouctou');
  });

  it('tells the NGO each reason and what to change, in French and then in English', () => {
    const order = [
      markings.fr,
      `À modifier : ${markings.hintFr}`,
      restricted.fr,
      `À modifier : ${restricted.hintFr}`,
      markings.en,
      `What to change: ${markings.hintEn}`,
      restricted.en,
      `What to change: ${restricted.hintEn}`,
    ].map((s) => mail.text.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(mail.html).toContain('Describe the logo and roof marking of each vehicle.');
    expect(mail.html).toContain('Marquages des véhicules absents ou peu clairs');
  });

  it('explains how to amend: the link, and PATCH /movements/:id with the version for API users', () => {
    expect(mail.text).toContain(`Modifiez la notification en ligne : ${context.movementUrl}`);
    expect(mail.text).toContain(`Amend the notification online: ${context.movementUrl}`);
    expect(mail.text).toContain(`PATCH /movements/${context.movementId}`);
    expect(mail.text).toContain('{"version": 1, "changeNote"');
    expect(mail.text).toContain('version 2');
    expect(mail.html).toContain(`href="${context.movementUrl}"`);
  });

  it('names a restricted area by its public label and time window only', () => {
    expect(mail.text).toContain(
      `Zone : Zone de Léré (du ${formatInstant(zone.from, 'fr')} au ${formatInstant(zone.until!, 'fr')})`,
    );
    expect(mail.text).toContain(
      `Area: Zone de Léré (from ${formatInstant(zone.from, 'en')} to ${formatInstant(zone.until!, 'en')})`,
    );
  });

  it("leaks none of the cell's confidential zone details, even when a caller passes a whole zone row", () => {
    const row = {
      ...zone,
      level: 'no_go',
      confidentialDetails: 'Opération Barkhane, colonne blindée sur la RN16',
      geometry: { type: 'Point', coordinates: [-4.9, 15.7] },
    };
    const leaky = renderFlagNotice(
      { ...context, reasons: [{ ...restricted, restrictedArea: row }] },
      ['a@acf.test'],
    );
    for (const part of [leaky.subject, leaky.text, leaky.html]) {
      expect(part).not.toMatch(/Barkhane|RN16|no_go|-4\.9/);
    }
    // The type has no field for them: writing one is a compile error.
    const typed: PublicZoneNotice = {
      ...zone,
      // @ts-expect-error confidential details have no place in what an NGO is sent
      confidentialDetails: 'x',
    };
    expect(typed.publicLabel).toBe('Zone de Léré');
  });

  it('says when a zone has no announced end', () => {
    const open = renderFlagNotice(
      { ...context, reasons: [{ ...restricted, restrictedArea: { ...zone, until: undefined } }] },
      ['a@acf.test'],
    );
    expect(open.text).toContain(`Zone de Léré (depuis le ${formatInstant(zone.from, 'fr')})`);
    expect(open.text).toContain(`Zone de Léré (from ${formatInstant(zone.from, 'en')})`);
  });

  it("quotes the reviewer's comment, HTML-escaped", () => {
    const comment = 'Précisez le <b>marquage</b> & le "logo"\nMerci.';
    const commented = renderFlagNotice({ ...context, comment }, ['a@acf.test']);
    expect(commented.text).toContain(`Commentaire de la cellule:\n${comment}`);
    expect(commented.text).toContain(`The cell's comment:\n${comment}`);
    expect(commented.html).not.toContain('<b>marquage</b>');
    expect(commented.html).toContain(
      'Précisez le &lt;b&gt;marquage&lt;/b&gt; &amp; le &quot;logo&quot;',
    );
    expect(mail.text).not.toContain('Commentaire de la cellule');
  });

  it('points to the comment when a reason has no hint', () => {
    const other: FlagReason = { code: 'other', fr: 'Autre motif', en: 'Another reason' };
    const withComment = renderFlagNotice(
      { ...context, reasons: [other], comment: 'Ajoutez Léré comme étape.' },
      ['a@acf.test'],
    );
    expect(withComment.text).toContain('À modifier : voir le commentaire de la cellule.');
    expect(withComment.text).toContain("What to change: see the cell's comment.");
    const bare = renderFlagNotice({ ...context, reasons: [other] }, ['a@acf.test']);
    expect(bare.text).toContain('What to change: contact the CMCoord cell.');
  });

  it('HTML-escapes reason texts and places', () => {
    const hostile = renderFlagNotice(
      {
        ...context,
        notification: {
          ...notification,
          departure: { ...notification.departure, place: '<img src=x>' },
        },
        reasons: [{ ...markings, en: '<script>alert(1)</script>' }],
      },
      ['a@acf.test'],
    );
    expect(hostile.html).not.toMatch(/<script>|<img/);
    expect(hostile.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
