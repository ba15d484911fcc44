import { notificationSchema } from '@hns/movements';
import { queueLine, reviewQueueItemSchema } from './review-queue';

const notice = notificationSchema.parse({
  type: 'convoy',
  purpose: 'Distribution de vivres, Gao',
  focalPoint: { name: 'Aminata Traoré', phone: '+223 76 00 00 01', email: 'aminata@acf.test' },
  convoyLeader: { name: 'Moussa Diarra', phone: '+223 76 00 00 02' },
  departure: { place: 'Mopti', lat: 14.4843, lon: -4.1827, at: '2026-12-10T06:00:00.000Z' },
  arrival: { place: 'Gao', lat: 16.2666, lon: -0.04, at: '2026-12-11T12:00:00.000Z' },
  waypoints: [
    { place: 'Douentza', lat: 15.0019, lon: -2.9497, overnight: true },
    { place: 'Hombori', lat: 15.2833, lon: -1.7 },
  ],
  vehicles: [
    { type: 'Toyota Land Cruiser', plate: 'AB-1234-MD' },
    { type: 'Truck 10 t', plate: 'AB-5678-MD' },
  ],
  personnel: { national: 6, international: 1 },
  dataAccuracyConfirmed: true,
  verifiedBy: 'Aminata Traoré',
});

const line = {
  taskId: '0b6f3c1e-5d4a-4f7e-9c2b-1a2b3c4d5e6f',
  movementId: '1c7f3c1e-5d4a-4f7e-9c2b-1a2b3c4d5e6f',
  reference: 'HNS-ML-2026-000123',
  version: 1,
  status: 'in_review',
  organisation: 'ACF',
  type: 'convoy',
  priority: 'routine',
  route: ['Mopti', 'Douentza', 'Hombori', 'Gao'],
  departureAt: '2026-12-10T06:00:00.000Z',
  arrivalAt: '2026-12-11T12:00:00.000Z',
  escortStatus: 'none',
  vehicleCount: 2,
  personnelCount: 7,
  conflicts: { noGo: 0, caution: 1 },
  queuedAt: '2026-12-01T09:30:00.000Z',
};

describe("a seat's queue line", () => {
  it('takes the route in order, the escort status and the counts from the notice', () => {
    expect(queueLine(notice)).toEqual({
      routePlaces: ['Mopti', 'Douentza', 'Hombori', 'Gao'],
      escortStatus: 'none',
      vehicleCount: 2,
      personnelCount: 7,
    });
    expect(queueLine({ ...notice, waypoints: [], vehicles: [] }).routePlaces).toEqual([
      'Mopti',
      'Gao',
    ]);
  });

  it('declares exactly the fields of the line: no part of the notice fits in it', () => {
    expect(reviewQueueItemSchema.safeParse(line).success).toBe(true);
    for (const extra of [
      { vehicles: notice.vehicles },
      { escort: notice.escort },
      { focalPoint: notice.focalPoint },
      { notification: notice },
    ]) {
      expect(reviewQueueItemSchema.safeParse({ ...line, ...extra }).success).toBe(false);
    }
    expect(reviewQueueItemSchema.safeParse({ ...line, escortStatus: 'armed' }).success).toBe(false);
  });
});
