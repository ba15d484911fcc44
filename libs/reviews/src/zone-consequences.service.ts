import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { recordAudit } from '@hns/audit';
import type { DetectionResult } from '@hns/deconfliction';
import { QUEUES, enqueueInOutbox } from '@hns/queue';
import { REVIEW_MAIL_JOBS } from './follow-ups';
import { transition } from './lifecycle';
import { MovementLifecycle } from './movement-lifecycle';

/** Reason recorded on the UNDSS escalation that a no-go conflict raises. */
export const RESTRICTED_AREA_REASON = 'route_through_restricted_area';

/**
 * What a conflict with a restricted zone does to a movement (issue 4, DESIGN §5): a `no_go`
 * conflict flags it and raises a UNDSS escalation (severity high), also for movements already
 * acknowledged; a cleared conflict is put on the record for the reviewers. Runs in the
 * transaction that stored the conflicts, so nothing found is ever left without its consequence.
 */
@Injectable()
export class ZoneConsequences {
  constructor(private readonly lifecycle: MovementLifecycle) {}

  /** The part of a detection that has consequences: new no-go conflicts and cleared ones. */
  static relevant(result: DetectionResult): DetectionResult {
    return {
      conflicts: result.conflicts.filter(
        (c) => c.level === 'no_go' && (c.newlyConflicting || c.previousLevel !== 'no_go'),
      ),
      cleared: result.cleared,
    };
  }

  async apply(manager: EntityManager, result: DetectionResult): Promise<void> {
    const noGo = ZoneConsequences.relevant(result).conflicts;
    const byMovement = new Map<string, { version: number; zoneIds: string[] }>();
    for (const c of noGo) {
      const entry = byMovement.get(c.movementId) ?? { version: c.version, zoneIds: [] };
      entry.zoneIds.push(c.zoneId);
      byMovement.set(c.movementId, entry);
    }
    for (const [movementId, { version, zoneIds }] of byMovement) {
      await this.flagForNoGo(manager, movementId, version, zoneIds);
    }
    for (const c of result.cleared) {
      // A flag this zone explained may no longer be needed: the reviewers are told.
      const [flagged]: unknown[] = await manager.query(
        `SELECT 1 FROM movement_notifications WHERE id = $1 AND current_version = $2 AND status = 'flagged'`,
        [c.movementId, c.version],
      );
      if (flagged) {
        await enqueueInOutbox(manager, [
          {
            queue: QUEUES.mail,
            jobName: REVIEW_MAIL_JOBS.zoneCleared,
            payload: { movementId: c.movementId, version: c.version, zoneId: c.zoneId },
            correlationId: c.movementId,
          },
        ]);
      }
      await recordAudit(manager, {
        actorUserId: null,
        actorRole: 'system',
        organisationId: null,
        action: 'conflict.cleared',
        entityType: 'movement',
        entityId: c.movementId,
        details: { version: c.version, zoneId: c.zoneId, level: c.level },
      });
    }
  }

  private async flagForNoGo(
    manager: EntityManager,
    movementId: string,
    version: number,
    zoneIds: string[],
  ): Promise<void> {
    const movement = await this.lifecycle.lock(manager, movementId);
    if (!movement || movement.current_version !== version) return;
    if (!transition(movement.status, { type: 'zone_conflict_no_go' }).ok) return; // closed meanwhile
    // The submission's own check and a zone re-check may both find it; the movement lock
    // serialises them, and the second one sees the first one's escalation.
    const [open]: unknown[] = await manager.query(
      `SELECT 1 FROM security_escalations
       WHERE movement_id = $1 AND version = $2 AND raised_by IS NULL AND $3 = ANY(reason_codes)
         AND status <> 'resolved'`,
      [movementId, version, RESTRICTED_AREA_REASON],
    );
    if (open) return;
    await this.lifecycle.raiseEscalation(manager, movement, {
      severity: 'high',
      raisedBy: null,
      seat: null,
      reasonCodes: [RESTRICTED_AREA_REASON],
      comment: `restricted zones: ${zoneIds.join(', ')}`,
    });
    await this.lifecycle.apply(manager, movement, { type: 'zone_conflict_no_go' }, null, {
      zoneIds,
    });
  }
}
