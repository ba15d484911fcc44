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
 * zones crossed in GET /movements/:id/conflicts; a queue page of 100 items is about a third of
 * the bytes it weighed with vehicles, personnel and escort (issue 7).
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
 * The queue's JSON Schema for Fastify's response serialiser: the answer is written by a
 * compiled serialiser instead of JSON.stringify, and holds nothing that is not declared here.
 */
export function reviewQueueResponseSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(reviewQueueSchema, {
    target: 'draft-7',
    io: 'output',
    reused: 'inline',
  }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

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

/** A row of REVIEW_QUEUE_SQL. */
export interface ReviewQueueRow {
  task_id: string;
  movement_id: string;
  version: number;
  reference: string;
  status: ReviewQueueItem['status'];
  organisation: string;
  type: ReviewQueueItem['type'];
  priority: ReviewQueueItem['priority'];
  route_places: string[];
  departure_at: Date;
  arrival_at: Date;
  escort_status: ReviewQueueItem['escortStatus'];
  vehicle_count: number;
  personnel_count: number;
  no_go: number;
  caution: number;
  created_at: Date;
}

/**
 * A seat's pending tasks of current versions, soonest departure first ($1 seat, $2 limit): the
 * task (with its queue line), the movement, its organisation's acronym and its conflicts with
 * zones not lifted. The versions' notices are not read: about 40 % of the PostgreSQL CPU per page
 * of 100 at a million movements (bench/queries.ts). Run unnamed, so that each read is planned
 * for its limit: a generic plan (LIMIT unknown) starts parallel workers for 100 rows.
 */
export const REVIEW_QUEUE_SQL = `
  SELECT t.id AS task_id, t.movement_id, t.version, m.reference, m.status,
         o.acronym AS organisation, m.type, m.priority, t.route_places, m.departure_at,
         m.arrival_at, t.escort_status, t.vehicle_count, t.personnel_count, c.no_go, c.caution,
         t.created_at
  FROM review_tasks t
  JOIN movement_notifications m ON m.id = t.movement_id AND m.current_version = t.version
  JOIN organisations o ON o.id = m.organisation_id
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE k.level = 'no_go')::int AS no_go,
           count(*) FILTER (WHERE k.level = 'caution')::int AS caution
    FROM movement_conflicts k JOIN restricted_zones z ON z.id = k.zone_id AND z.lifted_at IS NULL
    WHERE k.movement_id = t.movement_id AND k.version = t.version) c
  WHERE t.seat = $1 AND t.status = 'pending'
  ORDER BY t.departure_at, t.id
  LIMIT $2`;

export function toReviewQueueItem(r: ReviewQueueRow): ReviewQueueItem {
  return {
    taskId: r.task_id,
    movementId: r.movement_id,
    reference: r.reference,
    version: r.version,
    status: r.status,
    organisation: r.organisation,
    type: r.type,
    priority: r.priority,
    route: r.route_places,
    departureAt: r.departure_at.toISOString(),
    arrivalAt: r.arrival_at.toISOString(),
    escortStatus: r.escort_status,
    vehicleCount: r.vehicle_count,
    personnelCount: r.personnel_count,
    conflicts: { noGo: r.no_go, caution: r.caution },
    queuedAt: r.created_at.toISOString(),
  };
}
