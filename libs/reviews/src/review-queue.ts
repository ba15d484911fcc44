import { z } from 'zod';
import { SEATS } from '@hns/config';
import {
  ESCORT_STATUSES,
  MOVEMENT_STATUSES,
  MOVEMENT_TYPES,
  NotificationData,
  PRIORITIES,
} from '@hns/movements';

/**
 * One line of a seat's review queue: what a reviewer needs to sort and pick the next movement,
 * not the notice itself. The full notice (vehicles, personnel, cargo, escort justification,
 * contacts) is in the movement's detail (GET /movements/:id, `versions[].notification`) and the
 * zones crossed in GET /movements/:id/conflicts. A line's size no longer grows with the convoy
 * (up to 200 vehicles, a 2,000-character escort justification): a page of 100 typical convoys
 * is 47 KiB instead of 63 (issue 7).
 */
export const reviewQueueItemSchema = z
  .strictObject({
    taskId: z.uuid().describe('The seat’s review task'),
    movementId: z.uuid().describe('GET /movements/{movementId} gives the full notice'),
    reference: z.string(),
    version: z.number().int().min(1).describe('The version to decide on (current version)'),
    status: z.enum(MOVEMENT_STATUSES),
    organisation: z.string().describe('The organisation’s acronym'),
    type: z.enum(MOVEMENT_TYPES),
    priority: z.enum(PRIORITIES),
    route: z.array(z.string()).describe('Places: departure, waypoints, arrival'),
    departureAt: z.iso.datetime(),
    arrivalAt: z.iso.datetime(),
    escortStatus: z.enum(ESCORT_STATUSES),
    vehicleCount: z.number().int().min(0),
    personnelCount: z.number().int().min(0).describe('National and international staff'),
    conflicts: z
      .strictObject({
        noGo: z.number().int().min(0),
        caution: z.number().int().min(0),
      })
      .describe(
        'Restricted zones not lifted that this version crosses, by level; the zones themselves ' +
          'in GET /movements/{movementId}/conflicts',
      ),
    queuedAt: z.iso.datetime(),
  })
  .meta({ id: 'ReviewQueueItem' });

export const reviewQueueSchema = z
  .strictObject({
    seat: z.enum(SEATS),
    items: z.array(reviewQueueItemSchema).describe('Pending tasks, soonest departure first'),
  })
  .meta({ id: 'ReviewQueue' });

export type ReviewQueueItem = z.output<typeof reviewQueueItemSchema>;
export type ReviewQueue = z.output<typeof reviewQueueSchema>;

/**
 * What the queue shows of a version's notice, written on each of its review tasks at fan-out
 * (a version's notice never changes): the route's places in order, the escort status, and the
 * numbers of vehicles and of personnel.
 */
export interface QueueLine {
  routePlaces: string[];
  escortStatus: ReviewQueueItem['escortStatus'];
  vehicleCount: number;
  personnelCount: number;
}

export function queueLine(n: NotificationData): QueueLine {
  return {
    routePlaces: [n.departure, ...n.waypoints, n.arrival].map((p) => p.place),
    escortStatus: n.escort.status,
    vehicleCount: n.vehicles.length,
    personnelCount: n.personnel.national + n.personnel.international,
  };
}

/** The instant as Date.prototype.toISOString writes it (UTC, milliseconds). */
const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A seat's queue as one JSON document ($1 seat, $2 limit), built by PostgreSQL in the shape of
 * reviewQueueSchema (each item is a row's row_to_json: the columns' names are the keys). The
 * seat's pending tasks of current versions, soonest departure first, each with its queue line,
 * the movement, its organisation's acronym and its conflicts with zones not lifted. Neither are
 * the versions' notices read nor rows sent one by one: the API forwards the text as it is
 * (bench/queries.ts; issue 7). Run unnamed, so that each read is planned for its limit: a
 * generic plan (LIMIT unknown) starts parallel workers for 100 rows.
 */
export const REVIEW_QUEUE_SQL = `
  SELECT '{"seat":' || to_json($1::text)::text || ',"items":['
         || coalesce(string_agg(row_to_json((
              SELECT r FROM (SELECT t.id AS "taskId", t.movement_id AS "movementId", t.reference,
                                    t.version, t.status, t.acronym AS organisation, t.type,
                                    t.priority, t.route_places AS route,
                                    ${iso('t.movement_departure_at')} AS "departureAt",
                                    ${iso('t.arrival_at')} AS "arrivalAt",
                                    t.escort_status AS "escortStatus",
                                    t.vehicle_count AS "vehicleCount",
                                    t.personnel_count AS "personnelCount",
                                    row_to_json(c) AS conflicts,
                                    ${iso('t.created_at')} AS "queuedAt") r))::text,
                       ',' ORDER BY t.departure_at, t.id), '')
         || ']}' AS queue
  FROM (SELECT t.id, t.movement_id, t.version, t.departure_at, t.route_places, t.escort_status,
               t.vehicle_count, t.personnel_count, t.created_at, m.reference, m.status, m.type,
               m.priority, m.departure_at AS movement_departure_at, m.arrival_at, o.acronym
        FROM review_tasks t
        JOIN movement_notifications m ON m.id = t.movement_id AND m.current_version = t.version
        JOIN organisations o ON o.id = m.organisation_id
        WHERE t.seat = $1::text AND t.status = 'pending'
        ORDER BY t.departure_at, t.id
        LIMIT $2) t
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE k.level = 'no_go') AS "noGo",
           count(*) FILTER (WHERE k.level = 'caution') AS caution
    FROM movement_conflicts k JOIN restricted_zones z ON z.id = k.zone_id AND z.lifted_at IS NULL
    WHERE k.movement_id = t.movement_id AND k.version = t.version) c`;
