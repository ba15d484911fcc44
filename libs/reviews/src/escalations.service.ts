import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { recordAudit } from '@hns/audit';
import type { Actor } from '@hns/auth';
import { Seat } from '@hns/config';
import { conflict, forbidden, notFound } from '@hns/http';
import type { EscalationOutcome } from './lifecycle-events';
import { MovementLifecycle } from './movement-lifecycle';

interface EscalationRow {
  id: string;
  movement_id: string;
  version: number;
  status: 'open' | 'acknowledged' | 'resolved';
}

/** UNDSS's side of security escalations: the board, acknowledgement and resolution. */
@Injectable()
export class EscalationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly lifecycle: MovementLifecycle,
  ) {}

  /** Open and acknowledged escalations, the nearest deadline first (UNDSS and OCHA seats). */
  async board(actor: Actor) {
    this.requireSeat(actor, ['undss', 'ocha']);
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT e.id, e.movement_id AS "movementId", m.reference, e.version, e.severity, e.status,
              e.raised_by_seat AS "raisedBySeat", e.reason_codes AS "reasonCodes", e.comment,
              e.acknowledge_by AS "acknowledgeBy", e.acknowledged_at AS "acknowledgedAt",
              e.created_at AS "createdAt", (e.status = 'open' AND e.acknowledge_by < now()) AS overdue
       FROM security_escalations e JOIN movement_notifications m ON m.id = e.movement_id
       WHERE e.status <> 'resolved'
       ORDER BY e.acknowledge_by, e.id
       LIMIT 500`,
    );
    return { items: rows };
  }

  async acknowledge(actor: Actor, id: string) {
    this.requireSeat(actor, ['undss']);
    return this.db.transaction(async (manager) => {
      const escalation = await this.lock(manager, id);
      if (escalation.status !== 'open') throw conflict('http.conflict');
      await manager.query(
        `UPDATE security_escalations SET status = 'acknowledged', acknowledged_by = $2, acknowledged_at = now() WHERE id = $1`,
        [id, actor.userId],
      );
      await recordAudit(manager, {
        actorUserId: actor.userId,
        actorRole: 'cell:undss',
        organisationId: null,
        action: 'escalation.acknowledged',
        entityType: 'escalation',
        entityId: id,
        details: { movementId: escalation.movement_id, version: escalation.version },
      });
      return { id, status: 'acknowledged' as const };
    });
  }

  async resolve(actor: Actor, id: string, outcome: EscalationOutcome, note: string | undefined) {
    this.requireSeat(actor, ['undss']);
    return this.db.transaction(async (manager) => {
      const escalation = await this.lock(manager, id);
      if (escalation.status === 'resolved') throw conflict('http.conflict');
      await manager.query(
        `UPDATE security_escalations
         SET status = 'resolved', resolved_by = $2, resolved_at = now(), outcome = $3, resolution_note = $4,
             acknowledged_by = coalesce(acknowledged_by, $2), acknowledged_at = coalesce(acknowledged_at, now())
         WHERE id = $1`,
        [id, actor.userId, outcome, note ?? null],
      );
      await recordAudit(manager, {
        actorUserId: actor.userId,
        actorRole: 'cell:undss',
        organisationId: null,
        action: 'escalation.resolved',
        entityType: 'escalation',
        entityId: id,
        details: {
          movementId: escalation.movement_id,
          version: escalation.version,
          outcome,
          note: note ?? null,
        },
      });
      const status = await this.lifecycle.resolveEscalation(
        manager,
        escalation.movement_id,
        escalation.version,
        outcome,
        actor,
      );
      return { id, status: 'resolved' as const, outcome, movementStatus: status };
    });
  }

  private async lock(manager: EntityManager, id: string): Promise<EscalationRow> {
    const [row]: EscalationRow[] = await manager.query(
      `SELECT id, movement_id, version, status FROM security_escalations WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!row) throw notFound('http.not_found');
    return row;
  }

  private requireSeat(actor: Actor, seats: Seat[]): void {
    if (actor.role !== 'cell' || !actor.seat || !seats.includes(actor.seat)) throw forbidden();
  }
}
