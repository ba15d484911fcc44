import type { Pool } from 'pg';

/**
 * Set-based seeding: movements with their first version, a route along one of Mali's main
 * corridors (every place moved by up to ±0.02°, about 2 km; odd movements drive it the other
 * way), and a notification built from one the API itself stored, so every row has the shape
 * the services read. Folded in from libs/deconfliction/bench/zone-recheck.bench.ts.
 */

/** [lon, lat] of the places the corridors run through (../shared/data, approximate). */
export const PLACES = {
  Bamako: [-8.002, 12.652],
  Kati: [-8.08, 12.7504],
  Kita: [-9.4833, 13.0504],
  Kayes: [-11.44, 14.45],
  Ségou: [-6.26, 13.44],
  Markala: [-6.07, 13.6704],
  Niono: [-5.993, 14.2526],
  San: [-4.9, 13.3004],
  Sévaré: [-4.1, 14.5333],
  Mopti: [-4.18, 14.49],
  Konna: [-3.8833, 14.95],
  Douentza: [-2.9497, 15.0019],
  Hombori: [-1.7, 15.2833],
  Gossi: [-1.3, 15.8167],
  Gao: [-0.05, 16.2666],
  Ansongo: [0.5022, 15.6597],
  Ménaka: [2.4, 15.9167],
  Bourem: [-0.35, 16.9004],
  Kidal: [1.4078, 18.4411],
  Bougouni: [-7.49, 11.4204],
  Sikasso: [-5.68, 11.3204],
  Koutiala: [-5.47, 12.3904],
  Bandiagara: [-3.6167, 14.35],
  Niafunké: [-3.9906, 15.9322],
  Diré: [-3.39, 16.28],
  Tombouctou: [-3.0166, 16.7666],
  Djenné: [-4.55, 13.9],
} as const;
type Place = keyof typeof PLACES;

/** Corridors with their share of the traffic in percent (sums to 100). */
export const CORRIDORS: [string, number, Place[]][] = [
  ['RN16 Sévaré–Gao', 4, ['Sévaré', 'Konna', 'Douentza', 'Hombori', 'Gossi', 'Gao']],
  ['RN16 Douentza–Gao', 2, ['Douentza', 'Hombori', 'Gossi', 'Gao']],
  ['RN16 Sévaré–Douentza', 6, ['Sévaré', 'Konna', 'Douentza']],
  ['RN16 Gao–Gossi', 3, ['Gao', 'Gossi']],
  ['RN6 Bamako–Sévaré', 20, ['Bamako', 'Ségou', 'San', 'Sévaré']],
  ['RN1 Bamako–Kayes', 12, ['Bamako', 'Kati', 'Kita', 'Kayes']],
  ['RN7 Bamako–Sikasso', 12, ['Bamako', 'Bougouni', 'Sikasso']],
  ['Sikasso–San', 8, ['Sikasso', 'Koutiala', 'San']],
  ['Ségou–Niono', 6, ['Ségou', 'Markala', 'Niono']],
  ['Mopti–Tombouctou', 8, ['Mopti', 'Niafunké', 'Diré', 'Tombouctou']],
  ['Gao–Ménaka', 7, ['Gao', 'Ansongo', 'Ménaka']],
  ['Gao–Kidal', 6, ['Gao', 'Bourem', 'Kidal']],
  ['Sévaré–Bandiagara', 3, ['Sévaré', 'Bandiagara']],
  ['Mopti–Djenné', 3, ['Mopti', 'Djenné']],
];

function corridorValues(): string {
  let from = 0;
  const rows: string[] = [];
  for (const [name, share, places] of CORRIDORS) {
    places.forEach((place, seq) => {
      const [lon, lat] = PLACES[place];
      rows.push(`('${name}', ${from}, ${from + share}, ${seq}, '${place}', ${lon}, ${lat})`);
    });
    from += share;
  }
  return rows.join(',\n');
}

export interface SchemaFeatures {
  /** movement_notifications.departure_admin1/arrival_admin1 and admin1_of() exist. */
  regions: boolean;
  /** review_tasks has the queue line (route_places, escort_status, vehicle_count, personnel_count). */
  queueLine: boolean;
}

export interface SeedOptions {
  /** Index range [from, to] of the movements (also their reference, so ranges must not overlap). */
  from: number;
  to: number;
  /** One letter that tells the benchmark's movements apart in references. */
  prefix: string;
  /** A notification as the API stored it; each movement replaces its places and times. */
  template: Record<string, unknown>;
  createdBy: string;
  /** The organisation of each movement: `featured` for every `featuredEvery`-th, else one of `others`. */
  organisations: { featured: string; featuredEvery: number; others: string[] };
  /** SQL of the departure time from `i` (the movement's index). */
  departureSql: string;
  /** SQL of the status from `i` and `departure_at`. */
  statusSql: string;
  /** Also write what POST /movements writes besides the rows: its audit event and outbox rows. */
  asSubmitted?: boolean;
  /** Review tasks, per required seat: pending for in_review movements, approved for these statuses. */
  tasks?: { approvedStatuses: string[] };
  features: SchemaFeatures;
}

const SEATS = ['armed_forces_liaison', 'undss', 'wfp_logistics', 'ocha'];

/** Inserts movements from..to in one statement; returns how many. */
export async function seedMovements(pool: Pool, o: SeedOptions): Promise<number> {
  const params: unknown[] = [
    o.from,
    o.to,
    o.organisations.featured,
    o.organisations.featuredEvery,
    o.organisations.others,
    JSON.stringify(o.template),
    o.createdBy,
    o.prefix,
  ];
  if (o.tasks) params.push(SEATS, o.tasks.approvedStatuses);
  const regions = o.features.regions;
  const queueLine = o.features.queueLine;
  const submitted = o.asSubmitted
    ? `,
    ins_a AS (
      INSERT INTO audit_events (occurred_at, actor_user_id, actor_role, organisation_id, action, entity_type, entity_id, details)
      SELECT created_at, $7, 'ngo', organisation_id, 'movement.submitted', 'movement', id::text,
             jsonb_build_object('version', 1, 'priority', $6::jsonb->>'priority')
      FROM m
    ),
    ins_o AS (
      INSERT INTO outbox (queue, job_name, payload, correlation_id)
      SELECT job.queue, job.name, jsonb_build_object('movementId', m.id, 'version', 1), m.id::text
      FROM m CROSS JOIN (VALUES ('review', 'movement.review-fanout', 1), ('mail', 'movement.receipt', 2))
        AS job (queue, name, ord)
      ORDER BY m.i, job.ord
    )`
    : '';
  const tasks = o.tasks
    ? `,
    ins_t AS (
      INSERT INTO review_tasks (movement_id, version, seat, status, departure_at, decided_by, decided_at, created_at
                                ${queueLine ? ', route_places, escort_status, vehicle_count, personnel_count' : ''})
      SELECT m.id, 1, seat, CASE WHEN m.status = 'in_review' THEN 'pending' ELSE 'approved' END,
             m.departure_at,
             CASE WHEN m.status = 'in_review' THEN NULL ELSE $7::uuid END,
             CASE WHEN m.status = 'in_review' THEN NULL ELSE m.created_at + interval '2 hours' END,
             m.created_at
             ${
               queueLine
                 ? `, ARRAY(SELECT p.e ->> 'place' FROM jsonb_array_elements(m.points) WITH ORDINALITY AS p (e, n) ORDER BY p.n),
             coalesce($6::jsonb #>> '{escort,status}', 'none'), jsonb_array_length($6::jsonb -> 'vehicles'),
             ($6::jsonb #>> '{personnel,national}')::int + ($6::jsonb #>> '{personnel,international}')::int`
                 : ''
             }
      FROM m CROSS JOIN unnest($9::text[]) AS seat
      WHERE m.status = 'in_review' OR m.status = ANY($10::text[])
    )`
    : '';
  const sql = `
    WITH corridor (name, share_from, share_to, seq, place, lon, lat, admin1) AS MATERIALIZED (
      SELECT *, ${regions ? 'admin1_of(lat, lon)' : 'NULL::text'}
      FROM (VALUES ${corridorValues()}) AS c (name, share_from, share_to, seq, place, lon, lat)
    ),
    src AS MATERIALIZED (
      SELECT gen_random_uuid() AS id, i, ${o.departureSql} AS departure_at,
             CASE WHEN $4::int > 0 AND i % $4::int = 0 THEN $3::uuid
                  ELSE ($5::uuid[])[1 + (hashint4(i) & 2147483647) % cardinality($5::uuid[])] END
               AS organisation_id
      FROM generate_series($1::int, $2::int) AS i
    ),
    m AS MATERIALIZED (
      SELECT s.*, s.departure_at + (6 + s.i % 42) * interval '1 hour' AS arrival_at,
             least(now(), s.departure_at - interval '3 days') AS created_at,
             ${o.statusSql.replace(/\bdeparture_at\b/g, 's.departure_at')} AS status,
             r.route, r.points, r.dep_admin1, r.arr_admin1
      FROM src s CROSS JOIN LATERAL (
        SELECT ST_MakeLine(ST_MakePoint(p.lon, p.lat) ORDER BY p.ord)::geography AS route,
               jsonb_agg(jsonb_build_object('place', p.place, 'lat', p.lat, 'lon', p.lon) ORDER BY p.ord)
                 AS points,
               (array_agg(p.admin1 ORDER BY p.ord))[1] AS dep_admin1,
               (array_agg(p.admin1 ORDER BY p.ord DESC))[1] AS arr_admin1
        FROM (
          SELECT c.place, c.admin1,
                 round((c.lon + ((hashint4(s.i * 31 + c.seq) & 1023) / 1023.0 - 0.5) * 0.04)::numeric, 4)::float8 AS lon,
                 round((c.lat + ((hashint4(s.i * 37 + c.seq) & 1023) / 1023.0 - 0.5) * 0.04)::numeric, 4)::float8 AS lat,
                 CASE WHEN s.i % 2 = 0 THEN c.seq ELSE -c.seq END AS ord
          FROM corridor c
          WHERE (s.i * 37) % 100 >= c.share_from AND (s.i * 37) % 100 < c.share_to
        ) p
      ) r
    ),
    ins_m AS (
      INSERT INTO movement_notifications
        (id, reference, organisation_id, status, current_version, type, priority, departure_place,
         arrival_place, departure_at, arrival_at, created_by, created_at, updated_at
         ${regions ? ', departure_admin1, arrival_admin1' : ''})
      SELECT id, format('HNS-ML-%s-%s%s', to_char(departure_at, 'YYYY'), $8::text, lpad(i::text, 7, '0')),
             organisation_id, status, 1, $6::jsonb->>'type', $6::jsonb->>'priority',
             points->0->>'place', points->-1->>'place', departure_at, arrival_at, $7, created_at, created_at
             ${regions ? ', dep_admin1, arr_admin1' : ''}
      FROM m
    ),
    ins_v AS (
      INSERT INTO movement_versions
        (movement_id, version, notification, departure_at, arrival_at, route, time_window, created_by, created_at)
      SELECT id, 1,
             $6::jsonb || jsonb_build_object(
               'departure', ($6::jsonb->'departure') || (points->0) || jsonb_build_object('at', iso(departure_at)),
               'arrival', ($6::jsonb->'arrival') || (points->-1) || jsonb_build_object('at', iso(arrival_at)),
               'waypoints', (SELECT coalesce(jsonb_agg(w.e || '{"overnight": false}'::jsonb ORDER BY w.n), '[]'::jsonb)
                             FROM jsonb_array_elements(points) WITH ORDINALITY AS w (e, n)
                             WHERE w.n > 1 AND w.n < jsonb_array_length(points))),
             departure_at, arrival_at, route, tstzrange(departure_at, arrival_at, '[)'), $7, created_at
      FROM m
    )${submitted}${tasks}
    SELECT count(*) AS n FROM m`;
  const { rows } = await pool.query<{ n: string }>(
    sql.replace(/iso\(([a-z_]+)\)/g, isoSql),
    params,
  );
  return Number(rows[0].n);
}

/** The API's ISO 8601 form of an instant (Date.prototype.toISOString). */
function isoSql(_match: string, column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Seeds `total` movements in statements of `chunk`, reporting progress. */
export async function seedInChunks(
  pool: Pool,
  base: Omit<SeedOptions, 'from' | 'to'> & { from: number },
  total: number,
  chunk: number,
  progress?: (done: number) => void,
): Promise<number> {
  let done = 0;
  while (done < total) {
    const size = Math.min(chunk, total - done);
    done += await seedMovements(pool, {
      ...base,
      from: base.from + done,
      to: base.from + done + size - 1,
    });
    progress?.(done);
  }
  return done;
}

/** An organisation for one benchmark's movements (written directly: nothing else to do). */
export async function createOrganisation(pool: Pool, acronym: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO organisations (name, acronym, email) VALUES ($1, $2, $3) RETURNING id`,
    [`Benchmark organisation ${acronym}`, acronym, `ops@${acronym.toLowerCase()}.bench.test`],
  );
  return rows[0].id;
}

/**
 * A circular restricted zone written directly, without the outbox row that would make the
 * worker re-check every planned movement: for benchmarks that need zones to exist beforehand.
 */
export async function insertZone(
  pool: Pool,
  zone: {
    name: string;
    level: 'no_go' | 'caution';
    lon: number;
    lat: number;
    radiusKm: number;
    days: number;
    declaredBy: string;
  },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO restricted_zones (name, public_label, level, geom, active, declared_by, declared_by_seat)
     VALUES ($1, $1, $2,
             ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, $5 * 1000)::geometry)::geography,
             tstzrange(now(), now() + make_interval(days => $6), '[)'), $7, 'armed_forces_liaison')
     RETURNING id`,
    [zone.name, zone.level, zone.lon, zone.lat, zone.radiusKm, zone.days, zone.declaredBy],
  );
  return rows[0].id;
}
