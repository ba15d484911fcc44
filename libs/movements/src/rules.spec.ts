import { notificationSchema } from './notification.schema';
import { checkMovementRules, routeWkt } from './rules';

const NOW = new Date('2026-12-01T06:00:00Z');
const MALI = { minLon: -12.3, minLat: 10.1, maxLon: 4.3, maxLat: 25.05 };
const settings = { now: NOW, leadTimeHours: 48, area: MALI };
const hours = (h: number) => new Date(NOW.getTime() + h * 3600_000).toISOString();

function notice(overrides: Record<string, unknown> = {}) {
  return notificationSchema.parse({
    type: 'convoy',
    purpose: 'Food distribution',
    focalPoint: { name: 'A. Traoré', phone: '+223 76 00 00 01', email: 'a@acf.test' },
    convoyLeader: { name: 'M. Diarra', phone: '+223 76 00 00 02' },
    departure: { place: 'Mopti', lat: 14.4843, lon: -4.1827, at: hours(72) },
    arrival: { place: 'Gao', lat: 16.2666, lon: -0.04, at: hours(100) },
    waypoints: [{ place: 'Douentza', lat: 15.0019, lon: -2.9497 }],
    vehicles: [{ type: 'Land Cruiser', plate: 'AB-1234-MD' }],
    personnel: { national: 3, international: 0 },
    dataAccuracyConfirmed: true,
    verifiedBy: 'A. Traoré',
    ...overrides,
  });
}

const rulesOf = (overrides: Record<string, unknown>) =>
  checkMovementRules(notice(overrides), settings).map((p) => `${p.field}:${p.rule}`);

describe('movement rules', () => {
  it('accept a complete routine convoy notified 72 h ahead', () => {
    expect(checkMovementRules(notice(), settings)).toEqual([]);
  });

  it('default to no escort, routine priority and road mode', () => {
    const n = notice();
    expect(n.escort.status).toBe('none');
    expect(n.priority).toBe('routine');
    expect(n.mode).toBe('road');
  });

  it('refuse a routine movement notified under the lead time, but not an emergency with a reason', () => {
    const soon = { departure: { place: 'Mopti', lat: 14.48, lon: -4.18, at: hours(47) } };
    expect(rulesOf(soon)).toEqual(['departure.at:lead_time']);
    expect(
      rulesOf({ ...soon, priority: 'emergency', emergencyReason: 'Cholera outbreak in Gao' }),
    ).toEqual([]);
    expect(rulesOf({ ...soon, priority: 'emergency' })).toEqual([
      'emergencyReason:emergency_reason',
    ]);
  });

  it('treat exactly the lead time as enough notice', () => {
    expect(
      rulesOf({ departure: { place: 'Mopti', lat: 14.48, lon: -4.18, at: hours(48) } }),
    ).toEqual([]);
  });

  it('refuse departures in the past, even for emergencies', () => {
    const past = { departure: { place: 'Mopti', lat: 14.48, lon: -4.18, at: hours(-1) } };
    expect(
      rulesOf({ ...past, priority: 'emergency', emergencyReason: 'Cholera outbreak in Gao' }),
    ).toEqual(['departure.at:departure_in_past']);
  });

  it('require arrival after departure and at most 30 days of movement', () => {
    expect(rulesOf({ arrival: { place: 'Gao', lat: 16.27, lon: -0.04, at: hours(72) } })).toEqual([
      'arrival.at:arrival_after_departure',
    ]);
    expect(
      rulesOf({ arrival: { place: 'Gao', lat: 16.27, lon: -0.04, at: hours(72 + 31 * 24) } }),
    ).toEqual(['arrival.at:window_too_long']);
  });

  it('name every point outside the operation area', () => {
    expect(
      rulesOf({
        waypoints: [
          { place: 'Douentza', lat: 15.0, lon: -2.95 },
          { place: 'Niamey', lat: 13.51, lon: 5.11 },
        ],
        arrival: { place: 'Dakar', lat: 14.72, lon: -17.47, at: hours(100) },
      }),
    ).toEqual(['waypoints.1:outside_area', 'arrival:outside_area']);
  });

  it('require a justification for a requested or imposed escort (IASC: last resort)', () => {
    expect(rulesOf({ escort: { status: 'requested' } })).toEqual([
      'escort.justification:escort_justification',
    ]);
    expect(rulesOf({ escort: { status: 'imposed', justification: 'short' } })).toEqual([
      'escort.justification:escort_justification',
    ]);
    expect(
      rulesOf({
        escort: {
          status: 'imposed',
          provider: 'FAMa',
          justification: 'Imposed by the authorities at Sévaré checkpoint',
        },
      }),
    ).toEqual([]);
  });

  it('require vehicles for road movements and at least one traveller', () => {
    expect(rulesOf({ vehicles: [] })).toEqual(['vehicles:vehicles_required']);
    expect(rulesOf({ vehicles: [], mode: 'air' })).toEqual([]);
    expect(rulesOf({ personnel: { national: 0, international: 0 } })).toEqual([
      'personnel:personnel_required',
    ]);
  });

  it('require the organisation to confirm its data', () => {
    expect(rulesOf({ dataAccuracyConfirmed: false })).toEqual([
      'dataAccuracyConfirmed:data_accuracy',
    ]);
  });

  it('draw the route through departure, waypoints and arrival, longitude first', () => {
    expect(routeWkt(notice())).toBe(
      'SRID=4326;LINESTRING(-4.1827 14.4843, -2.9497 15.0019, -0.04 16.2666)',
    );
  });
});
