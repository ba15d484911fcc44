import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { recordAudits } from '@hns/audit';
import type { ClearedConflict, DetectionResult } from '@hns/deconfliction';
import { type OutboxMessage, QUEUES, enqueueInOutbox } from '@hns/queue';
import { REVIEW_MAIL_JOBS } from './follow-ups';
import { transition } from './lifecycle';
import { MovementLifecycle } from './movement-lifecycle';

/** Reason recorded on the UNDSS escalation that a no-go conflict raises. */
export const RESTRICTED_AREA_REASON = 'route_through_restricted_area';

/**
 * What a conflict with a restricted zone does to a movement (issue 4, DESIGN §5): a `no_go`
 * conflict flags it and raises a UNDSS escalation (severity high), also for movements already
 * acknowledged; a cleared conflict is put on the record for the reviewers. Runs in the
 * transaction that stored the conflicts (submission, amendment, CLI), or for a zone re-check
 * in a later job whose outbox row that transaction wrote: nothing found is ever left without
 * its consequence.
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

  /**
   * Set-based, so that a zone re-check batch of thousands of conflicts costs a few statements:
   * the movements are locked together (in id order), then flagged and escalated together.
   */
  async apply(manager: EntityManager, result: DetectionResult): Promise<void> {
    const noGo = ZoneConsequences.relevant(result).conflicts;
    const byMovement = new Map<string, { version: number; zoneIds: string[] }>();
    for (const c of noGo) {
      const entry = byMovement.get(c.movementId) ?? { version: c.version, zoneIds: [] };
      entry.zoneIds.push(c.zoneId);
      byMovement.set(c.movementId, entry);
    }
    await this.flagForNoGo(manager, byMovement);
    await this.tellCleared(manager, result.cleared);
  }

  private async flagForNoGo(
    manager: EntityManager,
    byMovement: Map<string, { version: number; zoneIds: string[] }>,
  ): Promise<void> {
    const locked = await this.lifecycle.lockMany(manager, [...byMovement.keys()]);
    const candidates = locked.filter(
      (movement) =>
        movement.current_version === byMovement.get(movement.id)?.version &&
        transition(movement.status, { type: 'zone_conflict_no_go' }).ok, // else closed meanwhile
    );
    if (candidates.length === 0) return;
    // The submission's own check and a zone re-check may both find it; the movement lock
    // serialises them, and the second one sees the first one's escalation.
    // Looked up by movement id (its index), the version compared here: a join on an unnest of
    // the pairs was planned as a loop over every open escalation.
    const open: { movement_id: string; version: number }[] = await manager.query(
      `SELECT movement_id, version FROM security_escalations
       WHERE movement_id = ANY($1::uuid[]) AND raised_by IS NULL AND $2 = ANY(reason_codes)
         AND status <> 'resolved'`,
      [candidates.map((m) => m.id), RESTRICTED_AREA_REASON],
    );
    const alreadyOpen = new Set(open.map((row) => `${row.movement_id}/${row.version}`));
    const toFlag = candidates
      .filter((movement) => !alreadyOpen.has(`${movement.id}/${movement.current_version}`))
      .map((movement) => ({ movement, zoneIds: byMovement.get(movement.id)?.zoneIds ?? [] }));
    if (toFlag.length === 0) return;
    await this.lifecycle.raiseEscalations(
      manager,
      toFlag.map(({ movement, zoneIds }) => ({
        movement,
        input: {
          severity: 'high',
          raisedBy: null,
          seat: null,
          reasonCodes: [RESTRICTED_AREA_REASON],
          comment: `restricted zones: ${zoneIds.join(', ')}`,
        },
      })),
    );
    await this.lifecycle.applyToMany(
      manager,
      toFlag.map(({ movement, zoneIds }) => ({
        movement,
        event: { type: 'zone_conflict_no_go' },
        details: { zoneIds },
      })),
      null,
    );
  }

  /** A flag this zone explained may no longer be needed: the reviewers are told. */
  private async tellCleared(manager: EntityManager, cleared: ClearedConflict[]): Promise<void> {
    if (cleared.length === 0) return;
    const flagged: { movement_id: string; version: number }[] = await manager.query(
      `SELECT m.id AS movement_id, m.current_version AS version FROM movement_notifications m
       WHERE m.id = ANY($1::uuid[]) AND m.status = 'flagged'`,
      [cleared.map((c) => c.movementId)],
    );
    const isFlagged = new Set(flagged.map((row) => `${row.movement_id}/${row.version}`));
    const notices: OutboxMessage[] = cleared
      .filter((c) => isFlagged.has(`${c.movementId}/${c.version}`))
      .map((c) => ({
        queue: QUEUES.mail,
        jobName: REVIEW_MAIL_JOBS.zoneCleared,
        payload: { movementId: c.movementId, version: c.version, zoneId: c.zoneId },
        correlationId: c.movementId,
      }));
    await enqueueInOutbox(manager, notices);
    await recordAudits(
      manager,
      cleared.map((c) => ({
        actorUserId: null,
        actorRole: 'system',
        organisationId: null,
        action: 'conflict.cleared',
        entityType: 'movement',
        entityId: c.movementId,
        details: { version: c.version, zoneId: c.zoneId, level: c.level },
      })),
    );
  }
}
