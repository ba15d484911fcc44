/**
 * Test data shared by the end-to-end tests, the fault suite and the browser tests. No imports:
 * the fault suite compiles it on its own, without the application.
 */
export const HOUR = 3600_000;

/** An instant `n` days from now, as the API takes it. */
export const day = (n: number) => new Date(Date.now() + n * 24 * HOUR).toISOString();

export const SEATS = ['armed_forces_liaison', 'undss', 'wfp_logistics', 'ocha'] as const;
export type Seat = (typeof SEATS)[number];

/** A complete convoy notice, Mopti → Douentza → Gao in 30 hours, leaving at `departure`. */
export function convoyNoticeAt(departure: Date, overrides: Record<string, unknown> = {}) {
  const arrival = new Date(departure.getTime() + 30 * HOUR);
  return {
    type: 'convoy',
    priority: 'routine',
    purpose: 'Distribution de vivres / food distribution, Gao',
    focalPoint: {
      name: 'Aminata Traoré',
      phone: '+223 76 00 00 01',
      satPhone: '+88 16 2100 0001',
      email: 'aminata@acf.test',
    },
    convoyLeader: { name: 'Moussa Diarra', phone: '+223 76 00 00 02', callSign: 'ACF-1' },
    departure: { place: 'Mopti', lat: 14.4843, lon: -4.1827, at: departure.toISOString() },
    arrival: { place: 'Gao', lat: 16.2666, lon: -0.04, at: arrival.toISOString() },
    waypoints: [{ place: 'Douentza', lat: 15.0019, lon: -2.9497, overnight: true }],
    vehicles: [
      {
        type: 'Toyota Land Cruiser',
        plate: 'AB-1234-MD',
        markings: 'ACF logo, roof marking ACF-1',
      },
      { type: 'Truck 10 t', plate: 'AB-5678-MD', markings: 'ACF logo' },
    ],
    personnel: { national: 6, international: 1 },
    cargo: [{ category: 'food', description: 'Rice and oil', tonnes: 9.5 }],
    escort: { status: 'none' },
    communications: { vhfChannel: '12', radioRoom: 'ACF Mopti', satPhone: '+88 16 2100 0001' },
    dataAccuracyConfirmed: true,
    verifiedBy: 'Aminata Traoré',
    ...overrides,
  };
}

/** The local time of the operation (Africa/Bamako is UTC+0) as a datetime-local value. */
export const localInput = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/** A valid convoy notice as the web form posts it (field names of the form, no script). */
export function convoyForm(purpose = 'Distribution de vivres, Gao', hoursAhead = 72) {
  const departure = Date.now() + hoursAhead * HOUR;
  return {
    type: 'convoy',
    priority: 'routine',
    mode: 'road',
    purpose,
    'focalPoint.name': 'Aminata Traoré',
    'focalPoint.phone': '+223 76 00 00 01',
    'focalPoint.email': 'aminata@acf.test',
    'convoyLeader.name': 'Moussa Diarra',
    'convoyLeader.phone': '+223 76 00 00 02',
    // Names only, as a browser without script sends them: the gazetteer gives the points.
    'departure.place': 'Mopti',
    'departure.at': localInput(departure),
    'waypoints.0.place': 'Douentza',
    'waypoints.0.overnight': 'true',
    'arrival.place': 'Gao',
    'arrival.at': localInput(departure + 30 * HOUR),
    'vehicles.0.type': 'Toyota Land Cruiser',
    'vehicles.0.plate': 'AB-1234-MD',
    'personnel.national': '4',
    'personnel.international': '1',
    'cargo.0.category': 'food',
    'cargo.0.description': 'Riz',
    'cargo.0.tonnes': '9,5',
    'escort.status': 'none',
    dataAccuracyConfirmed: 'true',
    verifiedBy: 'Aminata Traoré',
  };
}
