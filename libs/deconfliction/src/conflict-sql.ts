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
function reconcile(scope: string): string {
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
  )
  SELECT 'conflict' AS outcome, f.movement_id, f.version, f.zone_id, f.level, f.previous_level
  FROM found f
  UNION ALL
  SELECT 'cleared', c.movement_id, c.version, c.zone_id, c.level, c.level FROM cleared c`;
}

/**
 * Movement versions (pairs of $1 ids and $2 versions, e.g. a submission's, or a batch of
 * fan-outs) against every zone not lifted: the zones within the corridor width ($3 metres) of
 * each route whose active window overlaps the movement's, from now on. The zones are locked
 * FOR SHARE: a zone being changed or lifted meanwhile is read once that change is committed,
 * so this run and the zone's re-check cannot leave a stale conflict.
 */
export const MOVEMENT_VERSIONS_SQL = `
  WITH v AS MATERIALIZED (
    SELECT mv.movement_id, mv.version, mv.route, mv.time_window
    FROM unnest($1::uuid[], $2::int[]) AS k(movement_id, version)
    JOIN movement_versions mv ON mv.movement_id = k.movement_id AND mv.version = k.version
  ),
  -- Zone by zone for each route (the GiST index on zones), never route by route for each
  -- zone: that plan, which the planner may pick on fresh statistics, reads every route near
  -- the zone whatever the batch (1.4 s instead of 65 ms for 100 versions, measured).
  near AS (
    SELECT v.movement_id, v.version, v.route, v.time_window,
           z.id AS zone_id, z.version AS zone_version, z.level, z.geom, z.active
    FROM v CROSS JOIN LATERAL (
      SELECT z.id, z.version, z.level, z.geom, z.active FROM restricted_zones z
      WHERE z.lifted_at IS NULL AND z.active && v.time_window
        -- As on the zone side: an overlap entirely in the past concerns no one any more.
        AND (z.active * v.time_window) && tstzrange(now(), NULL)
        AND ST_DWithin(v.route, z.geom, $3)
      FOR SHARE OF z
    ) z
  ),
  found AS (
    SELECT v.movement_id, v.version, v.zone_id, v.zone_version, v.level,
           v.active * v.time_window AS overlap, ${routePart('v.geom')} AS route_part,
           p.level AS previous_level
    FROM near v
    ${cutRoute('ST_Buffer(v.geom, $3)::geometry')}
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
 * Opens a batch of a zone re-check: locks the zone FOR SHARE (a change to it waits for the
 * batch, and later batches see the change) and reads it. `relevant` is the part of the zone's
 * window still to come; nothing once lifted.
 */
export const ZONE_BATCH_OPENING_SQL = `
  SELECT z.version, z.level, z.geom::text AS geom, z.active::text AS active,
         (CASE WHEN z.lifted_at IS NULL THEN z.active * tstzrange(now(), NULL)
               ELSE 'empty'::tstzrange END)::text AS relevant
  FROM restricted_zones z WHERE z.id = $1
  FOR SHARE OF z`;

/**
 * One batch of a zone re-check: the zone ($1, version $10, level $9, outline $6, window $7,
 * still-relevant window $8) against the current versions of the planned movements ($5) with
 * ids in ($3, $4]. The zone comes as constants so that the planner sees its extent and
 * window, and combines the GiST index on routes with the B-tree range on movement ids.
 */
export const ZONE_BATCH_SQL = `
  WITH found AS (
    SELECT v.movement_id, v.version, $1::uuid AS zone_id, $10::int AS zone_version,
           $9::text AS level, $7::tstzrange * v.time_window AS overlap,
           ${routePart('$6::geography')} AS route_part, p.level AS previous_level
    FROM movement_versions v
    JOIN movement_notifications m
      ON m.id = v.movement_id AND m.current_version = v.version AND m.status = ANY($5::text[])
    ${cutRoute('ST_Buffer($6::geography, $2)::geometry')}
    LEFT JOIN movement_conflicts p
      ON p.movement_id = v.movement_id AND p.version = v.version AND p.zone_id = $1
    WHERE v.movement_id > $3 AND v.movement_id <= $4
      AND v.time_window && $8::tstzrange
      AND ST_DWithin(v.route, $6::geography, $2)
  )${reconcile(
    `c.zone_id = $1 AND c.movement_id > $3 AND c.movement_id <= $4
     AND EXISTS (
       SELECT 1 FROM movement_notifications m
       WHERE m.id = c.movement_id AND m.current_version = c.version AND m.status = ANY($5::text[]))`,
  )}`;

export interface ZoneBatchOpening {
  version: number;
  level: ZoneLevel;
  geom: string;
  active: string;
  relevant: string;
}
