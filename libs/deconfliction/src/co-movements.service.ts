import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PLANNED_STATUSES } from './conflict-detector';
import { DECONFLICTION_SETTINGS, DeconflictionSettings } from './settings';

export interface CoMovementQuery {
  from: string;
  to: string;
  limit: number;
}

export interface CoMovementPair {
  a: CoMovementSide;
  b: CoMovementSide;
  /** When both are on the road together. */
  overlapFrom: string;
  overlapTo: string;
  /** Closest distance between the two routes, in km. */
  distanceKm: number;
}

interface CoMovementSide {
  movementId: string;
  reference: string;
  organisation: string;
  status: string;
  departureAt: string;
  route: string;
}

/**
 * Co-movement advisory (issue 4, item 7): planned movements of different organisations on the
 * same corridor at the same time, for the WFP logistics and OCHA seats to merge or stagger.
 * The route GiST index finds neighbours; the window overlap narrows them.
 */
@Injectable()
export class CoMovementsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(DECONFLICTION_SETTINGS) private readonly settings: DeconflictionSettings,
  ) {}

  async pairs(query: CoMovementQuery): Promise<{ items: CoMovementPair[] }> {
    const rows: Record<string, string | number | Date>[] = await this.db.query(
      `WITH planned AS (
         SELECT m.id, m.reference, m.status, m.organisation_id, o.acronym, v.route, v.time_window,
                m.departure_at, m.departure_place || ' → ' || m.arrival_place AS route_text
         FROM movement_notifications m
         JOIN organisations o ON o.id = m.organisation_id
         JOIN movement_versions v ON v.movement_id = m.id AND v.version = m.current_version
         WHERE m.status = ANY($1::text[]) AND v.time_window && tstzrange($2, $3)
       )
       SELECT a.id AS a_id, a.reference AS a_reference, a.acronym AS a_org, a.status AS a_status,
              a.departure_at AS a_departure, a.route_text AS a_route,
              b.id AS b_id, b.reference AS b_reference, b.acronym AS b_org, b.status AS b_status,
              b.departure_at AS b_departure, b.route_text AS b_route,
              lower(a.time_window * b.time_window) AS overlap_from,
              upper(a.time_window * b.time_window) AS overlap_to,
              round((ST_Distance(a.route, b.route) / 1000)::numeric, 1)::float8 AS distance_km
       FROM planned a JOIN planned b
         ON a.id < b.id AND a.organisation_id <> b.organisation_id
        AND a.time_window && b.time_window
        AND ST_DWithin(a.route, b.route, $4)
       ORDER BY overlap_from, a.reference
       LIMIT $5`,
      [PLANNED_STATUSES, query.from, query.to, this.settings.corridorWidthKm * 1000, query.limit],
    );
    return {
      items: rows.map((r) => ({
        a: side(r, 'a'),
        b: side(r, 'b'),
        overlapFrom: (r.overlap_from as Date).toISOString(),
        overlapTo: (r.overlap_to as Date).toISOString(),
        distanceKm: Number(r.distance_km),
      })),
    };
  }
}

function side(r: Record<string, string | number | Date>, p: 'a' | 'b'): CoMovementSide {
  return {
    movementId: String(r[`${p}_id`]),
    reference: String(r[`${p}_reference`]),
    organisation: String(r[`${p}_org`]),
    status: String(r[`${p}_status`]),
    departureAt: (r[`${p}_departure`] as Date).toISOString(),
    route: String(r[`${p}_route`]),
  };
}
