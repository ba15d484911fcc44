import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '@hns/auth';
import { forbidden, notFound } from '@hns/http';
import {
  CellConflictView,
  ConflictRow,
  NgoConflictRow,
  NgoConflictView,
  toCellConflictView,
  toNgoConflictView,
} from './conflict-views';

export interface MovementConflicts<T> {
  movementId: string;
  version: number;
  conflicts: T[];
}

const ORDER = `ORDER BY lower(c.overlap), c.level DESC, c.zone_id`;

const CELL_SQL = `
  SELECT c.zone_id, z.name AS zone_name, z.public_label, z.confidential_details,
         z.level AS zone_level, ST_AsGeoJSON(z.geom, 6)::json AS zone_geometry,
         lower(z.active) AS zone_active_from, upper(z.active) AS zone_active_to,
         z.version AS zone_current_version, z.share_geometry, z.declared_by_seat, z.lifted_at,
         c.zone_version, c.level, lower(c.overlap) AS overlap_from, upper(c.overlap) AS overlap_to,
         ST_AsGeoJSON(c.route_part, 6)::json AS route_part, c.created_at
  FROM movement_conflicts c JOIN restricted_zones z ON z.id = c.zone_id
  WHERE c.movement_id = $1 AND c.version = $2
  ${ORDER}`;

// Selects nothing the organisation may not know: no zone name, no confidential details, the
// outline only when shared. A conflict with a zone lifted meanwhile is no longer shown.
const NGO_SQL = `
  SELECT z.public_label, c.level, lower(c.overlap) AS overlap_from, upper(c.overlap) AS overlap_to,
         ST_AsGeoJSON(c.route_part, 6)::json AS route_part, z.share_geometry,
         CASE WHEN z.share_geometry THEN ST_AsGeoJSON(z.geom, 6)::json END AS zone_geometry
  FROM movement_conflicts c JOIN restricted_zones z ON z.id = c.zone_id
  WHERE c.movement_id = $1 AND c.version = $2 AND z.lifted_at IS NULL
  ${ORDER}`;

/** The conflicts of a movement's current version, shown on a need-to-know basis (DESIGN §1.5). */
@Injectable()
export class ConflictsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async forMovement(
    actor: Actor,
    movementId: string,
  ): Promise<MovementConflicts<CellConflictView> | MovementConflicts<NgoConflictView>> {
    if (actor.role !== 'cell' && actor.role !== 'ngo') throw forbidden();
    const [movement]: { current_version: number; organisation_id: string }[] = await this.db.query(
      `SELECT current_version, organisation_id FROM movement_notifications WHERE id = $1`,
      [movementId],
    );
    // Another organisation's movement is reported as absent, never as forbidden.
    if (!movement || (actor.role === 'ngo' && movement.organisation_id !== actor.organisationId)) {
      throw notFound('movement.not_found', { id: movementId });
    }
    const version = movement.current_version;
    if (actor.role === 'cell') {
      const rows: ConflictRow[] = await this.db.query(CELL_SQL, [movementId, version]);
      return { movementId, version, conflicts: rows.map(toCellConflictView) };
    }
    const rows: NgoConflictRow[] = await this.db.query(NGO_SQL, [movementId, version]);
    return { movementId, version, conflicts: rows.map(toNgoConflictView) };
  }
}
