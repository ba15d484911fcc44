import { ValidationFailedException } from '@hns/http';
import { BodySchemaPipe } from './problems';
import { zoneDeclarationSchema, zoneGeometrySchema, zoneUpdateSchema } from './zone.schema';

/** A square around Hombori, closed, counter-clockwise. */
const square = [
  [-1.8, 15.2],
  [-1.6, 15.2],
  [-1.6, 15.4],
  [-1.8, 15.4],
  [-1.8, 15.2],
];

const declaration = (overrides: Record<string, unknown> = {}) => ({
  name: 'Opération Tessit',
  publicLabel: 'RN16 Hombori – Gossi',
  confidentialDetails: 'FAMa battalion, air support',
  level: 'no_go',
  geometry: { type: 'Polygon', coordinates: [square] },
  activeFrom: '2026-12-02T00:00:00Z',
  activeTo: '2026-12-04T00:00:00Z',
  ...overrides,
});

/** The problems a body gets, as `field:rule`, through the pipe the zone routes use. */
function problems(schema: typeof zoneDeclarationSchema | typeof zoneUpdateSchema, body: unknown) {
  try {
    new BodySchemaPipe(schema).transform(body);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationFailedException)) throw error;
    return error.problems.map((p) => `${p.field}:${p.rule}`);
  }
}

describe('restricted zone shape', () => {
  it('accepts a closed GeoJSON Polygon and a MultiPolygon, with or without altitude', () => {
    expect(zoneGeometrySchema.safeParse({ type: 'Polygon', coordinates: [square] }).success).toBe(
      true,
    );
    const withAltitude = square.map(([lon, lat]) => [lon, lat, 300]);
    expect(
      zoneGeometrySchema.safeParse({ type: 'MultiPolygon', coordinates: [[withAltitude]] }).success,
    ).toBe(true);
    expect(problems(zoneDeclarationSchema, declaration())).toEqual([]);
  });

  it('refuses an open ring, naming the ring and the rule, in French and English', () => {
    const open = square.slice(0, 4).concat([[-1.8, 15.3]]);
    const pipe = new BodySchemaPipe(zoneDeclarationSchema);
    let refused: ValidationFailedException | undefined;
    try {
      pipe.transform(declaration({ geometry: { type: 'Polygon', coordinates: [open] } }));
    } catch (error) {
      refused = error as ValidationFailedException;
    }
    expect(refused?.problems).toEqual([
      {
        field: 'geometry.coordinates.0',
        rule: 'ring_not_closed',
        text: {
          en: 'the ring is not closed: its last position must repeat its first one ([-1.8, 15.2])',
          fr: 'l’anneau n’est pas fermé : sa dernière position doit répéter la première ([-1.8, 15.2])',
        },
      },
    ]);
  });

  it('refuses a ring of fewer than 4 positions', () => {
    const triangle = [square[0], square[1], square[0]];
    expect(
      problems(
        zoneDeclarationSchema,
        declaration({ geometry: { type: 'Polygon', coordinates: [triangle] } }),
      ),
    ).toEqual(['geometry.coordinates.0:ring_too_short']);
  });

  it('refuses longitudes and latitudes out of range, naming the position', () => {
    const wrong = square.map(([lon, lat], i) => (i === 2 ? [lon, 95] : [lon, lat]));
    expect(
      problems(
        zoneDeclarationSchema,
        declaration({ geometry: { type: 'Polygon', coordinates: [wrong] } }),
      ),
    ).toEqual(['geometry.coordinates.0.2.1:too_big']);
    const swapped = square.map(([lon, lat]) => [lat * 20, lon]);
    expect(
      problems(
        zoneDeclarationSchema,
        declaration({ geometry: { type: 'Polygon', coordinates: [swapped] } }),
      ),
    ).toContain('geometry.coordinates.0.0.0:too_big');
  });

  it('refuses other GeoJSON types and positions with more than three numbers', () => {
    expect(
      problems(
        zoneDeclarationSchema,
        declaration({ geometry: { type: 'Point', coordinates: [-1.7, 15.3] } }),
      ),
    ).toEqual(['geometry.type:invalid_union']);
    const fourD = square.map(([lon, lat]) => [lon, lat, 0, 0]);
    expect(
      problems(
        zoneDeclarationSchema,
        declaration({ geometry: { type: 'Polygon', coordinates: [fourD] } }),
      ),
    ).toContain('geometry.coordinates.0.0:position_dimensions');
  });

  it('takes either a polygon or a circle (center + radiusKm), exactly one', () => {
    const circle = { geometry: undefined, center: { lat: 15.28, lon: -1.7 }, radiusKm: 10 };
    expect(problems(zoneDeclarationSchema, declaration(circle))).toEqual([]);
    expect(
      problems(
        zoneDeclarationSchema,
        declaration({ center: { lat: 15.28, lon: -1.7 }, radiusKm: 10 }),
      ),
    ).toEqual(['geometry:geometry_or_circle']);
    expect(problems(zoneDeclarationSchema, declaration({ geometry: undefined }))).toEqual([
      'geometry:geometry_or_circle',
    ]);
    expect(
      problems(
        zoneDeclarationSchema,
        declaration({ geometry: undefined, center: { lat: 15.28, lon: -1.7 } }),
      ),
    ).toEqual(['radiusKm:circle_incomplete']);
    expect(problems(zoneDeclarationSchema, declaration({ ...circle, radiusKm: 0 }))).toEqual([
      'radiusKm:too_small',
    ]);
  });

  it('needs the zone to end after it starts', () => {
    expect(
      problems(zoneDeclarationSchema, declaration({ activeTo: '2026-12-01T00:00:00Z' })),
    ).toEqual(['activeTo:active_order']);
  });

  it('takes only the fields it knows, a level no_go or caution', () => {
    expect(problems(zoneDeclarationSchema, declaration({ level: 'forbidden' }))).toEqual([
      'level:invalid_value',
    ]);
    expect(problems(zoneDeclarationSchema, declaration({ colour: 'red' }))).toEqual([
      'colour:unrecognized_keys',
    ]);
  });

  it('refuses an update that changes nothing', () => {
    expect(problems(zoneUpdateSchema, { version: 2 })).toEqual([':empty_update']);
    expect(problems(zoneUpdateSchema, { level: 'caution' })).toEqual([]);
    expect(problems(zoneUpdateSchema, { confidentialDetails: null })).toEqual([]);
  });
});
