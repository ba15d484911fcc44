/*
 * How long a new zone takes to re-check 100,000 planned movements (issue 4; target < 2 s).
 * Not part of `npm test`. Run it against a database of its own (it is emptied first):
 *
 *   BENCH_DATABASE_URL=postgres://127.0.0.1:5432/hns_bench_zones \
 *   npx jest --selectProjects unit --testMatch '<rootDir>/libs/deconfliction/bench/*.bench.ts'
 *
 * BENCH_MOVEMENTS changes the number of movements, BENCH_ZONE_RADIUS_KM the zone (15 km around
 * Hombori by default), BENCH_BATCH_SIZE the batches; BENCH_REUSE=1 keeps the last seed.
 */
// Imported, not ambient: `npm run build` compiles libs/** without the jest types.
import { describe, expect, it } from '@jest/globals';
import { userInfo } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import type { Actor } from '@hns/auth';
import { AppConfig, loadConfig } from '@hns/config';
import { createDataSource, migrateDatabase } from '@hns/database';
import {
  ConflictDetector,
  Deconfliction1764700000000,
  PLANNED_STATUSES,
  ZONE_BATCH_OPENING_SQL,
  ZONE_BATCH_SQL,
  ZonesService,
} from '@hns/deconfliction';

const MOVEMENTS = Number(process.env.BENCH_MOVEMENTS || 100_000);
const DEFAULTS = loadConfig({});
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE || DEFAULTS.ZONE_RECHECK_BATCH_SIZE);
const ZONE_RADIUS_KM = Number(process.env.BENCH_ZONE_RADIUS_KM || 15);
const ORGANISATION = 'b0000000-0000-4000-8000-000000000001';
const NGO_USER = 'b0000000-0000-4000-8000-000000000002';
const LIAISON_USER = 'b0000000-0000-4000-8000-000000000003';

/** [lon, lat] of the places the corridors run through (../shared/data, approximate). */
const P = {
  bamako: [-8.002, 12.652],
  kati: [-8.08, 12.7504],
  kita: [-9.4833, 13.0504],
  kayes: [-11.44, 14.45],
  segou: [-6.26, 13.44],
  markala: [-6.07, 13.6704],
  niono: [-5.993, 14.2526],
  san: [-4.9, 13.3004],
  sevare: [-4.1, 14.5333],
  mopti: [-4.18, 14.49],
  konna: [-3.8833, 14.95],
  douentza: [-2.9497, 15.0019],
  hombori: [-1.7, 15.2833],
  gossi: [-1.3, 15.8167],
  gao: [-0.05, 16.2666],
  ansongo: [0.5022, 15.6597],
  menaka: [2.4, 15.9167],
  bourem: [-0.35, 16.9004],
  kidal: [1.4078, 18.4411],
  bougouni: [-7.49, 11.4204],
  sikasso: [-5.68, 11.3204],
  koutiala: [-5.47, 12.3904],
  bandiagara: [-3.6167, 14.35],
  niafunke: [-3.9906, 15.9322],
  dire: [-3.39, 16.28],
  tombouctou: [-3.0166, 16.7666],
  djenne: [-4.55, 13.9],
} as const;

/** Corridors with their share of the traffic in percent (sums to 100). */
const CORRIDORS: [string, number, (keyof typeof P)[]][] = [
  ['RN16 Sévaré–Gao', 4, ['sevare', 'konna', 'douentza', 'hombori', 'gossi', 'gao']],
  ['RN16 Douentza–Gao', 2, ['douentza', 'hombori', 'gossi', 'gao']],
  ['RN16 Sévaré–Douentza', 6, ['sevare', 'konna', 'douentza']],
  ['RN16 Gao–Gossi', 3, ['gao', 'gossi']],
  ['RN6 Bamako–Sévaré', 20, ['bamako', 'segou', 'san', 'sevare']],
  ['RN1 Bamako–Kayes', 12, ['bamako', 'kati', 'kita', 'kayes']],
  ['RN7 Bamako–Sikasso', 12, ['bamako', 'bougouni', 'sikasso']],
  ['Sikasso–San', 8, ['sikasso', 'koutiala', 'san']],
  ['Ségou–Niono', 6, ['segou', 'markala', 'niono']],
  ['Mopti–Tombouctou', 8, ['mopti', 'niafunke', 'dire', 'tombouctou']],
  ['Gao–Ménaka', 7, ['gao', 'ansongo', 'menaka']],
  ['Gao–Kidal', 6, ['gao', 'bourem', 'kidal']],
  ['Sévaré–Bandiagara', 3, ['sevare', 'bandiagara']],
  ['Mopti–Djenné', 3, ['mopti', 'djenne']],
];

function corridorValues(): string {
  let from = 0;
  const rows: string[] = [];
  for (const [name, share, places] of CORRIDORS) {
    places.forEach((place, seq) => {
      const [lon, lat] = P[place];
      rows.push(`('${name}', ${from}, ${from + share}, ${seq}, ${lon}, ${lat})`);
    });
    from += share;
  }
  return rows.join(',\n');
}

function benchDatabaseUrl(): string {
  const url = new URL(
    process.env.BENCH_DATABASE_URL || 'postgres://127.0.0.1:5432/hns_bench_zones',
  );
  if (!/bench/i.test(url.pathname)) {
    throw new Error(`BENCH_DATABASE_URL must name a database containing "bench": it is emptied`);
  }
  if (!url.username) url.username = encodeURIComponent(process.env.USER || userInfo().username);
  return url.toString();
}

async function prepareSchema(db: DataSource): Promise<void> {
  const [{ present }] = await db.query(
    `SELECT to_regclass('restricted_zones') IS NOT NULL AS present`,
  );
  if (present) return;
  // Until the migration is listed in libs/database, apply it here.
  const runner = db.createQueryRunner();
  try {
    await runner.startTransaction();
    await new Deconfliction1764700000000().up(runner);
    await runner.commitTransaction();
  } finally {
    await runner.release();
  }
}

/** Organisation, users, movements and their versions in a few INSERT … SELECT statements. */
async function seed(db: DataSource): Promise<void> {
  await db.query(`TRUNCATE movement_conflicts, review_tasks, security_escalations,
    email_deliveries, movement_versions, movement_notifications CASCADE`);
  await db.query(
    `INSERT INTO organisations (id, name, acronym, email)
     VALUES ($1, 'Benchmark organisation', 'BENCH', 'ops@bench.test') ON CONFLICT DO NOTHING`,
    [ORGANISATION],
  );
  await db.query(
    `INSERT INTO users (id, email, password_hash, role, seat, organisation_id) VALUES
       ($1, 'focal@bench.test', 'x', 'ngo', NULL, $3),
       ($2, 'liaison@bench.test', 'x', 'cell', 'armed_forces_liaison', NULL)
     ON CONFLICT DO NOTHING`,
    [NGO_USER, LIAISON_USER, ORGANISATION],
  );
  // Departures spread over 40 days from the day after tomorrow, 6 to 47 hours on the road.
  await db.query(
    `INSERT INTO movement_notifications
       (reference, organisation_id, status, current_version, type, priority,
        departure_place, arrival_place, departure_at, arrival_at, created_by)
     SELECT format('BENCH-%s', lpad(i::text, 6, '0')), $1, ($3::text[])[1 + i % 6], 1,
            'convoy', 'routine', 'bench', 'bench', d.at, d.at + (6 + i % 42) * interval '1 hour', $2
     FROM generate_series(1, $4::int) AS i
     CROSS JOIN LATERAL (
       SELECT date_trunc('hour', now()) + interval '2 days'
              + ((i * 7919) % 960) * interval '1 hour' AS at
     ) d`,
    [ORGANISATION, NGO_USER, PLANNED_STATUSES, MOVEMENTS],
  );
  // Each route follows its corridor, every place moved by up to ±0.02° (about 2 km); odd
  // movements drive it the other way.
  await db.query(
    `WITH corridor (name, share_from, share_to, seq, lon, lat) AS (VALUES ${corridorValues()}),
     m AS (
       SELECT id, departure_at, arrival_at, substr(reference, 7)::int AS i
       FROM movement_notifications WHERE reference LIKE 'BENCH-%'
     )
     INSERT INTO movement_versions
       (movement_id, version, notification, departure_at, arrival_at, route, time_window, created_by)
     SELECT m.id, 1, jsonb_build_object('bench', r.name), m.departure_at, m.arrival_at, r.route,
            tstzrange(m.departure_at, m.arrival_at, '[)'), $1
     FROM m CROSS JOIN LATERAL (
       SELECT c.name, ST_MakeLine(
                ST_MakePoint(
                  c.lon + ((hashint4(m.i * 31 + c.seq) & 1023) / 1023.0 - 0.5) * 0.04,
                  c.lat + ((hashint4(m.i * 37 + c.seq) & 1023) / 1023.0 - 0.5) * 0.04)
                ORDER BY CASE WHEN m.i % 2 = 0 THEN c.seq ELSE -c.seq END
              )::geography AS route
       FROM corridor c
       WHERE (m.i * 37) % 100 >= c.share_from AND (m.i * 37) % 100 < c.share_to
       GROUP BY c.name
     ) r`,
    [NGO_USER],
  );
  await db.query(`VACUUM ANALYZE movement_notifications, movement_versions`);
}

const LIAISON: Actor = {
  userId: LIAISON_USER,
  email: 'liaison@bench.test',
  role: 'cell',
  seat: 'armed_forces_liaison',
  organisationId: null,
  locale: 'en',
};

/** Declares the zone the way the API does: outline checked by PostGIS, audited. */
function zonesService(db: DataSource): ZonesService {
  const area = { minLon: -12.3, minLat: 10.1, maxLon: 4.3, maxLat: 25.05 };
  return new ZonesService(db, { OPERATION_AREA_BBOX: area } as AppConfig);
}

/** The plan of the first batch, executed and rolled back. */
async function explainFirstBatch(db: DataSource, zoneId: string, width: number): Promise<string> {
  const runner = db.createQueryRunner();
  try {
    await runner.startTransaction();
    const first = '00000000-0000-0000-0000-000000000000';
    const [zone] = await runner.query(ZONE_BATCH_OPENING_SQL, [
      zoneId,
      first,
      PLANNED_STATUSES,
      BATCH_SIZE,
    ]);
    const plan: { 'QUERY PLAN': string }[] = await runner.query(
      `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${ZONE_BATCH_SQL}`,
      [
        zoneId,
        width,
        first,
        zone.upto,
        PLANNED_STATUSES,
        zone.geom,
        zone.active,
        zone.relevant,
        zone.level,
        zone.version,
      ],
    );
    return plan.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

const say = (line: string) => process.stdout.write(`${line}\n`);

describe('zone re-check benchmark', () => {
  it(`re-checks ${MOVEMENTS} planned movements against a new no-go zone`, async () => {
    const url = benchDatabaseUrl();
    await migrateDatabase({ url, applicationName: 'hns-bench' });
    const db = createDataSource({ url, poolSize: 4, applicationName: 'hns-bench' });
    await db.initialize();
    try {
      await prepareSchema(db);
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM movement_versions`);
      if (process.env.BENCH_REUSE !== '1' || n !== MOVEMENTS) {
        const started = performance.now();
        await seed(db);
        say(`seeded ${MOVEMENTS} planned movements in ${ms(started)}`);
      }
      const settings = {
        corridorWidthKm: DEFAULTS.CORRIDOR_WIDTH_KM,
        zoneRecheckBatchSize: BATCH_SIZE,
      };
      const detector = new ConflictDetector(db, settings);
      const zones = zonesService(db);
      const { id: zoneId } = await zones.declare(LIAISON, {
        name: 'Benchmark operation',
        publicLabel: 'RN16 around Hombori',
        level: 'no_go',
        center: { lat: 15.2833, lon: -1.7 },
        radiusKm: ZONE_RADIUS_KM,
        activeFrom: new Date().toISOString(),
        activeTo: new Date(Date.now() + 30 * 24 * 3600_000).toISOString(),
        shareGeometry: false,
      });

      let started = performance.now();
      const first = await detector.detectForZone(zoneId);
      const declared = ms(started);
      say(
        `new no-go zone: ${first.conflicts.length} conflicts ` +
          `(${first.conflicts.filter((c) => c.newlyConflicting).length} new) ` +
          `in ${first.batches} batches of ${BATCH_SIZE}: ${declared}`,
      );

      started = performance.now();
      const again = await detector.detectForZone(zoneId);
      say(
        `same zone again (idempotent): ${again.conflicts.length} conflicts, ` +
          `${again.conflicts.filter((c) => c.newlyConflicting).length} new: ${ms(started)}`,
      );

      say(
        `plan of the first batch:\n${await explainFirstBatch(db, zoneId, detector.corridorWidthMetres)}`,
      );

      const [crossing]: { movement_id: string }[] = await db.query(
        `SELECT movement_id FROM movement_conflicts WHERE zone_id = $1 LIMIT 1`,
        [zoneId],
      );
      started = performance.now();
      const one = await detector.detectForMovementVersion(crossing.movement_id, 1);
      say(
        `one movement version against every zone: ${one.conflicts.length} conflict(s): ${ms(started)}`,
      );

      await zones.lift(LIAISON, zoneId, 'benchmark over');
      started = performance.now();
      const lifted = await detector.detectForZone(zoneId);
      say(`zone lifted: ${lifted.cleared.length} conflicts cleared: ${ms(started)}`);

      expect(first.conflicts.length).toBeGreaterThan(0);
      expect(again.conflicts.filter((c) => c.newlyConflicting)).toHaveLength(0);
      expect(lifted.cleared).toHaveLength(first.conflicts.length);
    } finally {
      await db.destroy();
    }
  }, 3_600_000);
});

function ms(started: number): string {
  return `${Math.round(performance.now() - started)} ms`;
}
