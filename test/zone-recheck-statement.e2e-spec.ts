import { randomUUID } from 'node:crypto';
import { SEATS, type Seat, day } from './support/fixtures';
import {
  ConflictDetector,
  DECONFLICTION_JOBS,
  type DetectionResult,
  ZONE_BATCH_OPENING_SQL,
  ZONE_BATCH_SQL,
  type ZoneBatchOpening,
  zoneBatchParameters,
} from '@hns/deconfliction';
import { QUEUES } from '@hns/queue';
import { ZoneConsequences } from '@hns/reviews';
import {
  Harness,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';
import { waitFor } from './support/wait-for';

const HOMBORI = { place: 'Hombori', lat: 15.2833, lon: -1.7 };
const DOUENTZA = { place: 'Douentza', lat: 15.0019, lon: -2.9497 };

/**
 * A zone re-check batch is one statement (issue 7): it locks the zone, checks it is still the
 * version the re-check read, stores the conflicts and, for the worker, writes the outbox row of
 * those with consequences. The worker is not running: the outbox rows stay where the batches
 * wrote them. Windows lie three months ahead so these zones meet no other test file's movements.
 */
describe('zone re-check: one statement per batch, with the outbox row of its consequences', () => {
  let h: Harness;
  let detector: ConflictDetector;
  let ngo: Awaited<ReturnType<typeof ngoAccount>>;
  const cell = {} as Record<Seat, { token: string }>;
  const convoys: string[] = [];
  let zone: { id: string; version: number };

  beforeAll(async () => {
    h = await startHarness();
    detector = h.api.get(ConflictDetector);
    ngo = await ngoAccount(h);
    for (const seat of SEATS) cell[seat] = await cellAccount(h, seat);
    for (const hours of [91 * 24, 91 * 24 + 6, 91 * 24 + 12]) {
      const response = await h.api.inject({
        method: 'POST',
        url: '/movements',
        headers: bearer(ngo.token),
        payload: convoyNotice(hours, {
          waypoints: [{ ...DOUENTZA, overnight: true }, HOMBORI],
        }),
      });
      expect(response.statusCode).toBe(201);
      convoys.push(response.json().id);
    }
    const declared = await h.api.inject({
      method: 'POST',
      url: '/zones',
      headers: bearer(cell.armed_forces_liaison.token),
      payload: {
        name: 'Operation Hombori-S7',
        publicLabel: 'RN16 near Hombori (S7)',
        level: 'no_go',
        center: { lat: HOMBORI.lat, lon: HOMBORI.lon },
        radiusKm: 10,
        activeFrom: day(90),
        activeTo: day(93),
      },
    });
    expect(declared.statusCode).toBe(201);
    zone = declared.json();
  });
  afterAll(() => h?.close());

  const ours = <T extends { movementId: string }>(items: T[]): T[] =>
    items.filter((c) => convoys.includes(c.movementId));
  const key = (c: { movementId: string; version: number }) => `${c.movementId}/${c.version}`;

  /** Re-checks the zone as the worker does, one movement a batch; returns its outbox rows. */
  async function recheck(): Promise<{
    result: Awaited<ReturnType<ConflictDetector['detectForZone']>>;
    rows: { queue: string; job_name: string; payload: DetectionResult }[];
  }> {
    const correlationId = randomUUID();
    const result = await detector.detectForZone(zone.id, {
      batchSize: 1,
      consequences: {
        queue: QUEUES.deconfliction,
        jobName: DECONFLICTION_JOBS.zoneConsequences,
        correlationId,
      },
    });
    const rows = await h.db.query(
      `SELECT queue, job_name, payload FROM outbox WHERE correlation_id = $1 ORDER BY created_at`,
      [correlationId],
    );
    return { result, rows };
  }

  const setZone = async (changes: Record<string, unknown>, path = '') => {
    const response = await h.api.inject({
      method: path ? 'POST' : 'PATCH',
      url: `/zones/${zone.id}${path}`,
      headers: bearer(cell.armed_forces_liaison.token),
      payload: path ? changes : { version: zone.version, ...changes },
    });
    expect(response.statusCode).toBe(200);
    zone = response.json();
  };

  it('writes, batch by batch, an outbox row with exactly the conflicts ZoneConsequences.relevant keeps', async () => {
    const { result, rows } = await recheck();
    expect(ours(result.conflicts).map(key).sort()).toEqual(convoys.map((id) => `${id}/1`).sort());
    // One row per batch that found something with consequences, for the consequences job.
    expect(rows.length).toBeGreaterThanOrEqual(convoys.length);
    expect(rows.length).toBeLessThanOrEqual(result.batches);
    for (const row of rows) {
      expect(row).toMatchObject({ queue: 'deconfliction', job_name: 'zone.consequences' });
      expect(row.payload.conflicts.length + row.payload.cleared.length).toBeGreaterThan(0);
    }
    const written = rows.flatMap((row) => row.payload.conflicts);
    const relevant = ZoneConsequences.relevant(result);
    expect(written.map(key).sort()).toEqual(relevant.conflicts.map(key).sort());
    expect(ours(written)).toEqual(
      expect.arrayContaining(
        convoys.map((movementId) => ({
          movementId,
          version: 1,
          zoneId: zone.id,
          level: 'no_go',
          newlyConflicting: true,
          previousLevel: null,
        })),
      ),
    );
    expect(rows.flatMap((row) => row.payload.cleared)).toEqual([]);
  });

  it('run again, stores nothing new and writes no outbox row', async () => {
    const { result, rows } = await recheck();
    expect(ours(result.conflicts).map((c) => c.newlyConflicting)).toEqual([false, false, false]);
    expect(rows).toEqual([]);
    const [{ n }] = await h.db.query(
      `SELECT count(*)::int AS n FROM movement_conflicts
       WHERE zone_id = $1 AND movement_id = ANY($2::uuid[])`,
      [zone.id, convoys],
    );
    // One conflict per convoy of this file (other files' movements may cross the zone too).
    expect(n).toBe(convoys.length);
  });

  it('a zone lowered to caution has no consequences; raised to no-go again, it has', async () => {
    await setZone({ level: 'caution' });
    const lowered = await recheck();
    expect(ours(lowered.result.conflicts).map((c) => c.level)).toEqual([
      'caution',
      'caution',
      'caution',
    ]);
    expect(lowered.rows).toEqual([]);

    await setZone({ level: 'no_go' });
    const raised = await recheck();
    const written = raised.rows.flatMap((row) => row.payload.conflicts);
    expect(ours(written).map(key).sort()).toEqual(convoys.map((id) => `${id}/1`).sort());
    for (const conflict of ours(written)) {
      expect(conflict).toMatchObject({
        level: 'no_go',
        newlyConflicting: false,
        previousLevel: 'caution',
      });
    }
  });

  it('a batch that finds the zone changed since it was read writes nothing and says so', async () => {
    const [read]: ZoneBatchOpening[] = await h.db.query(ZONE_BATCH_OPENING_SQL, [zone.id]);
    await setZone({ level: 'caution' });
    const before = await h.db.query(
      `SELECT movement_id, level, zone_version FROM movement_conflicts WHERE zone_id = $1 ORDER BY 1`,
      [zone.id],
    );
    const correlationId = randomUUID();
    const rows = await h.db.query(
      ZONE_BATCH_SQL,
      zoneBatchParameters(
        zone.id,
        detector.corridorWidthMetres,
        '00000000-0000-0000-0000-000000000000',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        read,
        { queue: QUEUES.deconfliction, jobName: 'zone.consequences', correlationId },
      ),
    );
    expect(rows).toEqual([expect.objectContaining({ outcome: 'stale', zone_id: zone.id })]);
    expect(
      await h.db.query(
        `SELECT movement_id, level, zone_version FROM movement_conflicts WHERE zone_id = $1 ORDER BY 1`,
        [zone.id],
      ),
    ).toEqual(before);
    expect(
      await h.db.query(`SELECT 1 FROM outbox WHERE correlation_id = $1`, [correlationId]),
    ).toEqual([]);
  });

  it('a zone changed while its re-check waits for it is re-read: every batch works on the new version', async () => {
    await setZone({ level: 'no_go' });
    // A change in flight: the re-check reads the zone, then its batches wait for this lock.
    const change = h.db.createQueryRunner();
    await change.connect();
    await change.startTransaction();
    try {
      await change.query(
        `UPDATE restricted_zones SET level = 'caution', version = version + 1 WHERE id = $1`,
        [zone.id],
      );
      const running = recheck();
      await waitFor(
        async () =>
          (
            await h.db.query(
              `SELECT 1 FROM pg_stat_activity
               WHERE wait_event_type = 'Lock' AND query LIKE '%FOR SHARE OF z%'`,
            )
          ).length > 0,
        { description: 'a batch waiting for the zone' },
      );
      await change.commitTransaction();
      const { result, rows } = await running;
      expect(ours(result.conflicts).map((c) => c.level)).toEqual(['caution', 'caution', 'caution']);
      expect(rows).toEqual([]);
      const stored = await h.db.query(
        `SELECT DISTINCT level, zone_version FROM movement_conflicts WHERE zone_id = $1`,
        [zone.id],
      );
      expect(stored).toEqual([{ level: 'caution', zone_version: zone.version + 1 }]);
    } finally {
      if (change.isTransactionActive) await change.rollbackTransaction();
      await change.release();
    }
    zone = { ...zone, version: zone.version + 1 };
  });

  it('lifted, the zone clears its conflicts, and the outbox rows carry them for the reviewers', async () => {
    await setZone({ level: 'no_go' });
    await recheck();
    await setZone({ reason: 'Operation over' }, '/lift');
    const { result, rows } = await recheck();
    expect(ours(result.conflicts)).toEqual([]);
    const cleared = rows.flatMap((row) => row.payload.cleared);
    expect(ours(cleared).map(key).sort()).toEqual(convoys.map((id) => `${id}/1`).sort());
    expect(ours(cleared)).toEqual(
      expect.arrayContaining([
        { movementId: convoys[0], version: 1, zoneId: zone.id, level: 'no_go' },
      ]),
    );
    expect(rows.flatMap((row) => row.payload.conflicts)).toEqual([]);
  });
});
