import { ConflictRow, toCellConflictView, toNgoConflictView } from './conflict-views';

const SECRET_DETAILS = 'FAMa 4th battalion moves through Boni at night; air strikes planned';
const SECRET_NAME = 'Opération Tessit-2';

const row = (overrides: Partial<ConflictRow> = {}): ConflictRow => ({
  zone_id: '5a1b1e0e-0000-4000-8000-000000000001',
  zone_name: SECRET_NAME,
  public_label: 'RN16 between Hombori and Gossi',
  confidential_details: SECRET_DETAILS,
  zone_level: 'no_go',
  zone_geometry: {
    type: 'MultiPolygon',
    coordinates: [
      [
        [
          [-1.8, 15.2],
          [-1.6, 15.2],
        ],
      ],
    ],
  },
  zone_active_from: new Date('2026-12-02T00:00:00Z'),
  zone_active_to: new Date('2026-12-04T00:00:00Z'),
  zone_current_version: 3,
  share_geometry: false,
  declared_by_seat: 'armed_forces_liaison',
  lifted_at: null,
  zone_version: 3,
  level: 'no_go',
  overlap_from: new Date('2026-12-03T06:00:00Z'),
  overlap_to: new Date('2026-12-04T00:00:00Z'),
  route_part: {
    type: 'LineString',
    coordinates: [
      [-1.85, 15.25],
      [-1.55, 15.31],
    ],
  },
  created_at: new Date('2026-12-01T10:00:00Z'),
  ...overrides,
});

describe("an organisation's view of a conflict (need to know)", () => {
  it('never carries the confidential details, the zone name or the zone id', () => {
    const view = toNgoConflictView(row());
    const text = JSON.stringify(view);
    expect(text).not.toContain(SECRET_DETAILS);
    expect(text).not.toContain(SECRET_NAME);
    expect(text).not.toContain(row().zone_id);
    expect(text).not.toMatch(/confidential|zoneName|zoneId|declared/i);
  });

  it('carries nothing of the cell-only columns, whatever they hold', () => {
    const cellOnly: (keyof ConflictRow)[] = [
      'zone_id',
      'zone_name',
      'confidential_details',
      'declared_by_seat',
      'zone_current_version',
    ];
    const marked = row(
      Object.fromEntries(cellOnly.map((key) => [key, `LEAK-${key}`])) as Partial<ConflictRow>,
    );
    const text = JSON.stringify(toNgoConflictView(marked));
    for (const key of cellOnly) expect(text).not.toContain(`LEAK-${key}`);
  });

  it('tells when, at what level, along which stretch of its own route, and what to change', () => {
    expect(toNgoConflictView(row())).toEqual({
      publicLabel: 'RN16 between Hombori and Gossi',
      level: 'no_go',
      overlap: { from: '2026-12-03T06:00:00.000Z', to: '2026-12-04T00:00:00.000Z' },
      routePart: {
        type: 'LineString',
        coordinates: [
          [-1.85, 15.25],
          [-1.55, 15.31],
        ],
      },
      zoneGeometry: null,
      advice: {
        en: expect.stringContaining('change the route or the dates'),
        fr: expect.stringContaining('modifiez l’itinéraire ou les dates'),
      },
    });
  });

  it('shows the zone outline only when the declaring seat shares it', () => {
    expect(toNgoConflictView(row({ share_geometry: false })).zoneGeometry).toBeNull();
    expect(toNgoConflictView(row({ share_geometry: true })).zoneGeometry).toEqual(
      row().zone_geometry,
    );
  });

  it('advises differently for a caution zone', () => {
    const caution = toNgoConflictView(row({ level: 'caution' }));
    expect(caution.advice.en).toMatch(/caution/);
    expect(caution.advice.en).not.toEqual(toNgoConflictView(row()).advice.en);
  });
});

describe("the cell's view of a conflict", () => {
  it('shows everything, confidential details and zone name included', () => {
    const view = toCellConflictView(row());
    expect(view.zone).toMatchObject({
      id: row().zone_id,
      name: SECRET_NAME,
      confidentialDetails: SECRET_DETAILS,
      geometry: row().zone_geometry,
      declaredBySeat: 'armed_forces_liaison',
    });
    expect(view.overlap).toEqual({
      from: '2026-12-03T06:00:00.000Z',
      to: '2026-12-04T00:00:00.000Z',
    });
    expect(view.zoneVersion).toBe(3);
  });
});
