import type { ZoneLevel } from './zone.schema';

/**
 * The conflict engine's SQL (DESIGN §5). Each statement is set-based and idempotent: it
 * computes the conflicts of its scope, deletes those on record that no longer hold and
 * upserts the others, in one statement.
 */

/**
 * The part of the route within the corridor width of the zone, from `part` (the route cut by
 * the zone buffered by the corridor width). A route that only grazes the corridor can miss the
 * buffer's polygonal approximation: its point nearest the zone then stands for it.
 */
const routePart = (zone: string) => `
  CASE WHEN ST_IsEmpty(part.geom)
    THEN ST_ClosestPoint(v.route::geometry, (${zone})::geometry)
    ELSE part.geom END::geography`;

/**
 * `OFFSET 0` keeps the subquery from being pulled up: flattened, its expression is copied into
 * each use of part.geom in routePart, and the intersection (GEOS) was computed twice per conflict.
 */
const cutRoute = (reach: string) =>
  `CROSS JOIN LATERAL (SELECT ST_Intersection(v.route::geometry, ${reach}) AS geom OFFSET 0) part`;

/**
 * Writes the conflicts of the scope from the `found` CTE (which carries the level on record
 * before this statement as `previous_level`): conflicts on record in the scope that `found`
 * lacks are deleted and returned as cleared; the others are inserted or updated. Every CTE
 * sees the snapshot taken before the statement, whatever the others write.
 */
function reconcile(scope: string, more = ''): string {
  return `,
  cleared AS (
    DELETE FROM movement_conflicts c
    WHERE ${scope}
      AND (c.movement_id, c.version, c.zone_id) NOT IN (
        SELECT f.movement_id, f.version, f.zone_id FROM found f)
    RETURNING c.movement_id, c.version, c.zone_id, c.level
  ),
  stored AS (
    INSERT INTO movement_conflicts
      (movement_id, version, zone_id, zone_version, level, overlap, route_part)
    SELECT movement_id, version, zone_id, zone_version, level, overlap, route_part
    FROM found ORDER BY movement_id, version, zone_id
    ON CONFLICT (movement_id, version, zone_id) DO UPDATE
      SET zone_version = EXCLUDED.zone_version, level = EXCLUDED.level,
          overlap = EXCLUDED.overlap, route_part = EXCLUDED.route_part
      -- A re-run that changes nothing rewrites nothing.
      WHERE (movement_conflicts.zone_version, movement_conflicts.level, movement_conflicts.overlap)
              IS DISTINCT FROM (EXCLUDED.zone_version, EXCLUDED.level, EXCLUDED.overlap)
         OR NOT ST_OrderingEquals(movement_conflicts.route_part::geometry,
                                  EXCLUDED.route_part::geometry)
    RETURNING 1
  )${more}
  SELECT 'conflict' AS outcome, f.movement_id, f.version, f.zone_id, f.level, f.previous_level
  FROM found f
  UNION ALL
  SELECT 'cleared', c.movement_id, c.version, c.zone_id, c.level, c.level FROM cleared c`;
}

/**
 * Movement versions (pairs of $1 ids and $2 versions, e.g. a submission's, or a batch of
 * fan-outs) against every zone not lifted: the zones within the corridor width ($3 metres) of
 * each route whose active window overlaps the movement's, from now on. The zones whose window
 * overlaps the batch's are locked FOR SHARE: a zone being changed or lifted meanwhile is read
 * once that change is committed, so this run and the zone's re-check cannot leave a stale
 * conflict.
 */
export const MOVEMENT_VERSIONS_SQL = `
  WITH v AS MATERIALIZED (
    SELECT mv.movement_id, mv.version, mv.route, mv.time_window
    FROM unnest($1::uuid[], $2::int[]) AS k(movement_id, version)
    JOIN movement_versions mv ON mv.movement_id = k.movement_id AND mv.version = k.version
  ),
  zones AS MATERIALIZED (
    SELECT z.id, z.version, z.level, z.geom, z.active FROM restricted_zones z
    WHERE z.lifted_at IS NULL AND z.active && tstzrange(now(), NULL)
      AND z.active && (SELECT range_merge(range_agg(v.time_window)) FROM v)
    FOR SHARE OF z
  ),
  -- Route by route for each zone, over the batch only (v is materialised: no index on the
  -- routes of every movement, whose plan read every route near the zone whatever the batch,
  -- 1.4 s instead of 65 ms for 100 versions, measured). One zone after another keeps the same
  -- zone in PostGIS's distance cache. The bounding boxes first: ST_DWithin on geography,
  -- outside an index scan, computes the distance even for a route far from the zone's box
  -- (the test PostGIS's own index support adds, _ST_Expand, as its SQL ST_DWithin did before
  -- PostGIS 3). Measured per version: 0.26 ms before, 0.07 after with two zones; 8.1–9.2 ms
  -- before, 0.48 after with 60 zones of 10 km across Mali.
  near AS (
    SELECT v.movement_id, v.version, v.route, v.time_window,
           z.id AS zone_id, z.version AS zone_version, z.level, z.geom, z.active
    FROM zones z CROSS JOIN LATERAL (
      SELECT v.* FROM v
      WHERE z.active && v.time_window
        -- As on the zone side: an overlap entirely in the past concerns no one any more.
        AND (z.active * v.time_window) && tstzrange(now(), NULL)
        AND v.route && _ST_Expand(z.geom, $3)
        AND ST_DWithin(v.route, z.geom, $3)
      OFFSET 0
    ) v
  ),
  -- Each zone near a route is buffered once, not once per route near it.
  reach AS MATERIALIZED (
    SELECT z.id AS zone_id, ST_Buffer(z.geom, $3)::geometry AS geom FROM zones z
    WHERE z.id IN (SELECT n.zone_id FROM near n)
  ),
  found AS (
    SELECT v.movement_id, v.version, v.zone_id, v.zone_version, v.level,
           v.active * v.time_window AS overlap, ${routePart('v.geom')} AS route_part,
           p.level AS previous_level
    FROM near v
    JOIN reach r ON r.zone_id = v.zone_id
    ${cutRoute('r.geom')}
    LEFT JOIN movement_conflicts p
      ON p.movement_id = v.movement_id AND p.version = v.version AND p.zone_id = v.zone_id
  )${reconcile('(c.movement_id, c.version) IN (SELECT k.movement_id, k.version FROM unnest($1::uuid[], $2::int[]) AS k(movement_id, version))')}`;

/**
 * The batches of a zone re-check: the upper key of every $2-th planned movement ($1) in id
 * order, an index-only scan of the partial index movement_notifications_planned (its predicate
 * lists PLANNED_STATUSES). The batches are the ranges between these keys, the last one open.
 */
export const ZONE_BATCH_KEYS_SQL = `
  SELECT id::text AS upto FROM (
    SELECT id, row_number() OVER (ORDER BY id) AS n
    FROM movement_notifications WHERE status = ANY($1::text[])) planned
  WHERE n % $2 = 0
  ORDER BY id`;

/**
 * The zone as a re-check reads it once, before its batches: the constants every batch is given
 * ($6–$10 of ZONE_BATCH_SQL). `window` is its active window, or empty once lifted (what is
 * still to come of it is cut in each batch, at that batch's time). Every change to a zone,
 * lifting included, bumps its version: each batch checks the version under its lock.
 */
export const ZONE_BATCH_OPENING_SQL = `
  SELECT z.version, z.level, z.geom::text AS geom, z.active::text AS active,
         (CASE WHEN z.lifted_at IS NULL THEN z.active ELSE 'empty'::tstzrange END)::text AS window
  FROM restricted_zones z WHERE z.id = $1`;

/**
 * One batch of a zone re-check, in one statement: the zone ($1, read as version $10, level $9,
 * outline $6, window $7, window unless lifted $8) against the current versions of the planned
 * movements ($5) with ids in ($3, $4], from now on. The zone comes as constants so that the
 * planner sees its extent and window, and combines the GiST index on routes with the B-tree
 * range on movement ids.
 *
 * The statement locks the zone FOR SHARE (a change to it waits for the batch, and later batches
 * see the change) and writes only if the zone still has version $10: otherwise it writes
 * nothing and returns a single 'stale' row, and the caller reads the zone again.
 *
 * With $11 (queue), $12 (job name), $13 (correlation id) and $14 (payload fields, e.g. the
 * request id), the batch also writes one outbox row for the conflicts that have consequences,
 * ZONE_CONSEQUENTIAL: conflicts at level no_go that were not no_go before (new, or raised from
 * caution), and every cleared one; the payload is a DetectionResult of those. None if there
 * are none. Without $11, no outbox row.
 */
export const ZONE_BATCH_SQL = `
  WITH zone AS MATERIALIZED (
    SELECT z.id FROM restricted_zones z WHERE z.id = $1 AND z.version = $10
    FOR SHARE OF z
  ),
  found AS (
    SELECT v.movement_id, v.version, $1::uuid AS zone_id, $10::int AS zone_version,
           $9::text AS level, $7::tstzrange * v.time_window AS overlap,
           ${routePart('$6::geography')} AS route_part, p.level AS previous_level
    FROM movement_versions v
    JOIN movement_notifications m
      ON m.id = v.movement_id AND m.current_version = v.version AND m.status = ANY($5::text[])
    ${cutRoute('ST_Buffer($6::geography, $2)::geometry')}
    LEFT JOIN movement_conflicts p
      ON p.movement_id = v.movement_id AND p.version = v.version AND p.zone_id = $1
    WHERE EXISTS (SELECT 1 FROM zone)
      AND v.movement_id > $3 AND v.movement_id <= $4
      AND v.time_window && ($8::tstzrange * tstzrange(now(), NULL))
      AND ST_DWithin(v.route, $6::geography, $2)
  ),
  consequential AS (
    SELECT f.movement_id, f.version, f.zone_id, f.level, f.previous_level FROM found f
    WHERE f.level = 'no_go' AND f.previous_level IS DISTINCT FROM 'no_go'
  )${reconcile(
    `EXISTS (SELECT 1 FROM zone)
     AND c.zone_id = $1 AND c.movement_id > $3 AND c.movement_id <= $4
     AND EXISTS (
       SELECT 1 FROM movement_notifications m
       WHERE m.id = c.movement_id AND m.current_version = c.version AND m.status = ANY($5::text[]))`,
    `,
  notice AS (
    INSERT INTO outbox (queue, job_name, payload, correlation_id)
    SELECT $11::text, $12::text,
           coalesce($14::jsonb, '{}'::jsonb) || jsonb_build_object(
             'conflicts', coalesce((
               SELECT jsonb_agg(jsonb_build_object(
                        'movementId', q.movement_id, 'version', q.version, 'zoneId', q.zone_id,
                        'level', q.level, 'newlyConflicting', q.previous_level IS NULL,
                        'previousLevel', q.previous_level) ORDER BY q.movement_id, q.version)
               FROM consequential q), '[]'::jsonb),
             'cleared', coalesce((
               SELECT jsonb_agg(jsonb_build_object(
                        'movementId', c.movement_id, 'version', c.version, 'zoneId', c.zone_id,
                        'level', c.level) ORDER BY c.movement_id, c.version)
               FROM cleared c), '[]'::jsonb)),
           $13::text
    WHERE $11::text IS NOT NULL
      AND (EXISTS (SELECT 1 FROM consequential) OR EXISTS (SELECT 1 FROM cleared))
    RETURNING 1
  )`,
  )}
  UNION ALL
  SELECT 'stale', NULL::uuid, NULL::int, $1::uuid, NULL::text, NULL::text
  WHERE NOT EXISTS (SELECT 1 FROM zone)`;

export interface ZoneBatchOpening {
  version: number;
  level: ZoneLevel;
  geom: string;
  active: string;
  /** The active window, or empty once lifted. */
  window: string;
}
