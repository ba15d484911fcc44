import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { recordAudit } from '@hns/audit';
import type { Actor } from '@hns/auth';
import { APP_CONFIG, AppConfig, Seat } from '@hns/config';
import { FieldProblem, ValidationFailedException, forbidden } from '@hns/http';
import { enqueueInOutbox } from '@hns/queue';
import { zoneRecheckWork } from './deconfliction-jobs';
import { zoneRefusal, zoneRule } from './problems';
import { ZoneOutlineChecker } from './zone-outline';
import { ZoneDeclaration, ZoneListQuery, ZoneUpdate, shapeOf } from './zone.schema';
import { ZONE_COLUMNS, ZoneRow, ZoneView, toZoneView } from './zone-views';

/** The seats that declare, change and lift restricted zones (DESIGN §2). */
export const ZONE_DECLARING_SEATS = ['armed_forces_liaison', 'undss'] as const satisfies Seat[];
type DeclaringSeat = (typeof ZONE_DECLARING_SEATS)[number];

interface LockedZone {
  id: string;
  version: number;
  declared_by_seat: DeclaringSeat;
  lifted_at: Date | null;
  active_from: Date | null;
  active_to: Date | null;
}

/**
 * Restricted zones: declared, changed and lifted by the armed forces liaison and UNDSS seats,
 * read by every cell seat. Zones are never deleted; every change bumps the version, is audited
 * and asks the worker to re-check the planned movements against the zone.
 */
@Injectable()
export class ZonesService {
  private readonly outlines: ZoneOutlineChecker;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.outlines = new ZoneOutlineChecker(db, config.OPERATION_AREA_BBOX);
  }

  async declare(actor: Actor, input: ZoneDeclaration): Promise<ZoneView> {
    const seat = declaringSeat(actor);
    assertWindow(input.activeFrom, input.activeTo, true);
    const shape = shapeOf(input);
    if (!shape) {
      throw new ValidationFailedException([zoneRule('geometry', 'zone.rule.geometry_or_circle')]);
    }
    const outline = await this.outlines.check(shape);
    return this.db.transaction(async (manager) => {
      const [zone]: { id: string }[] = await manager.query(
        `INSERT INTO restricted_zones
           (name, public_label, confidential_details, level, geom, active, share_geometry,
            declared_by, declared_by_seat)
         VALUES ($1, $2, $3, $4, $5::geography, tstzrange($6, $7, '[)'), $8, $9, $10)
         RETURNING id`,
        [
          input.name,
          input.publicLabel,
          input.confidentialDetails || null,
          input.level,
          outline,
          input.activeFrom,
          input.activeTo,
          input.shareGeometry,
          actor.userId,
          seat,
        ],
      );
      await recordAudit(manager, {
        ...auditActor(actor, seat),
        action: 'zone.declared',
        entityType: 'restricted_zone',
        entityId: zone.id,
        details: {
          version: 1,
          level: input.level,
          activeFrom: input.activeFrom,
          activeTo: input.activeTo,
          outline: shape.kind,
          shareGeometry: input.shareGeometry,
        },
      });
      await enqueueInOutbox(manager, zoneRecheckWork(zone.id, 1));
      return this.view(manager, zone.id);
    });
  }

  async list(actor: Actor, query: ZoneListQuery): Promise<{ items: ZoneView[] }> {
    cellOnly(actor);
    const rows: ZoneRow[] = await this.db.query(
      `SELECT ${ZONE_COLUMNS} FROM restricted_zones z
       ${query.state === 'current' ? 'WHERE z.lifted_at IS NULL AND upper(z.active) > now()' : ''}
       ORDER BY lower(z.active) NULLS LAST, z.created_at, z.id
       LIMIT $1`,
      [query.limit],
    );
    return { items: rows.map(toZoneView) };
  }

  async get(actor: Actor, id: string): Promise<ZoneView> {
    cellOnly(actor);
    return this.view(this.db.manager, id);
  }

  /** Changes a zone that is not lifted; only the seat that declared it may. */
  async update(actor: Actor, id: string, input: ZoneUpdate): Promise<ZoneView> {
    const seat = declaringSeat(actor);
    const shape = shapeOf(input);
    const outline = shape ? await this.outlines.check(shape) : undefined;
    return this.db.transaction(async (manager) => {
      const zone = await this.lockChangeable(manager, id, seat, input.version);
      const activeFrom = input.activeFrom ?? zone.active_from?.toISOString();
      const activeTo = input.activeTo ?? zone.active_to?.toISOString();
      const windowChanged = input.activeFrom !== undefined || input.activeTo !== undefined;
      if (windowChanged && activeFrom && activeTo) {
        assertWindow(activeFrom, activeTo, input.activeTo !== undefined);
      }

      const sets: string[] = [];
      const params: unknown[] = [id];
      const set = (column: string, value: unknown, cast = '') => {
        params.push(value);
        sets.push(`${column} = $${params.length}${cast}`);
      };
      if (input.name !== undefined) set('name', input.name);
      if (input.publicLabel !== undefined) set('public_label', input.publicLabel);
      if (input.confidentialDetails !== undefined) {
        set('confidential_details', input.confidentialDetails || null);
      }
      if (input.level !== undefined) set('level', input.level);
      if (input.shareGeometry !== undefined) set('share_geometry', input.shareGeometry);
      if (outline !== undefined) set('geom', outline, '::geography');
      if (windowChanged) {
        params.push(activeFrom, activeTo);
        sets.push(`active = tstzrange($${params.length - 1}, $${params.length}, '[)')`);
      }
      await manager.query(
        `UPDATE restricted_zones SET ${sets.join(', ')}, version = version + 1, updated_at = now()
         WHERE id = $1`,
        params,
      );
      const { version: _expected, center: _center, radiusKm: _radius, ...changes } = input;
      const changedFields = Object.keys(changes).filter(
        (key) => changes[key as keyof typeof changes] !== undefined,
      );
      await recordAudit(manager, {
        ...auditActor(actor, seat),
        action: 'zone.updated',
        entityType: 'restricted_zone',
        entityId: id,
        details: {
          version: zone.version + 1,
          changedFields: shape ? [...new Set([...changedFields, 'geometry'])] : changedFields,
          level: input.level,
          activeFrom: windowChanged ? activeFrom : undefined,
          activeTo: windowChanged ? activeTo : undefined,
        },
      });
      await enqueueInOutbox(manager, zoneRecheckWork(id, zone.version + 1));
      return this.view(manager, id);
    });
  }

  /**
   * Ends a zone now: its window closes at once (or never opens, if it had not started), it
   * stops conflicting with any movement, and the re-check clears the conflicts it explained.
   */
  async lift(actor: Actor, id: string, reason: string | undefined): Promise<ZoneView> {
    const seat = declaringSeat(actor);
    return this.db.transaction(async (manager) => {
      const zone = await this.lockChangeable(manager, id, seat, undefined);
      await manager.query(
        `UPDATE restricted_zones
         SET active = CASE WHEN lower(active) >= now() THEN 'empty'::tstzrange
                           WHEN upper(active) > now() THEN tstzrange(lower(active), now(), '[)')
                           ELSE active END,
             lifted_at = now(), lifted_by = $2, version = version + 1, updated_at = now()
         WHERE id = $1`,
        [id, actor.userId],
      );
      await recordAudit(manager, {
        ...auditActor(actor, seat),
        action: 'zone.lifted',
        entityType: 'restricted_zone',
        entityId: id,
        details: {
          version: zone.version + 1,
          declaredFrom: zone.active_from?.toISOString() ?? null,
          declaredTo: zone.active_to?.toISOString() ?? null,
          reason: reason ?? null,
        },
      });
      await enqueueInOutbox(manager, zoneRecheckWork(id, zone.version + 1));
      return this.view(manager, id);
    });
  }

  private async lockChangeable(
    manager: EntityManager,
    id: string,
    seat: DeclaringSeat,
    expectedVersion: number | undefined,
  ): Promise<LockedZone> {
    const [zone]: LockedZone[] = await manager.query(
      `SELECT id, version, declared_by_seat, lifted_at,
              lower(active) AS active_from, upper(active) AS active_to
       FROM restricted_zones WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!zone) throw zoneRefusal(HttpStatus.NOT_FOUND, 'zone.not_found', { id });
    if (zone.lifted_at) {
      throw zoneRefusal(HttpStatus.CONFLICT, 'zone.rule.lifted', {
        liftedAt: zone.lifted_at.toISOString(),
      });
    }
    // One seat does not override another's security judgement: the declaring seat decides.
    if (zone.declared_by_seat !== seat) {
      throw zoneRefusal(HttpStatus.FORBIDDEN, 'zone.rule.other_seat', {
        seat: zone.declared_by_seat,
      });
    }
    if (expectedVersion !== undefined && expectedVersion !== zone.version) {
      throw zoneRefusal(HttpStatus.CONFLICT, 'zone.rule.version_conflict', {
        given: expectedVersion,
        current: zone.version,
      });
    }
    return zone;
  }

  private async view(manager: EntityManager, id: string): Promise<ZoneView> {
    const [row]: ZoneRow[] = await manager.query(
      `SELECT ${ZONE_COLUMNS} FROM restricted_zones z WHERE z.id = $1`,
      [id],
    );
    if (!row) throw zoneRefusal(HttpStatus.NOT_FOUND, 'zone.not_found', { id });
    return toZoneView(row);
  }
}

/** A zone's window must close after it opens and, when set, not be over already. */
function assertWindow(activeFrom: string, activeTo: string, closingSet: boolean): void {
  const problems: FieldProblem[] = [];
  if (Date.parse(activeTo) <= Date.parse(activeFrom)) {
    problems.push(zoneRule('activeTo', 'zone.rule.active_order'));
  } else if (closingSet && Date.parse(activeTo) <= Date.now()) {
    problems.push(zoneRule('activeTo', 'zone.rule.already_over'));
  }
  if (problems.length > 0) throw new ValidationFailedException(problems);
}

function declaringSeat(actor: Actor): DeclaringSeat {
  const seat = actor.seat;
  if (actor.role !== 'cell' || !seat || !(ZONE_DECLARING_SEATS as readonly Seat[]).includes(seat)) {
    throw forbidden();
  }
  return seat as DeclaringSeat;
}

function cellOnly(actor: Actor): void {
  if (actor.role !== 'cell') throw forbidden();
}

function auditActor(actor: Actor, seat: DeclaringSeat) {
  return { actorUserId: actor.userId, actorRole: `cell:${seat}`, organisationId: null };
}
