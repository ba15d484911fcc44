import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { recordAudits } from '@hns/audit';
import { publishAfterCommit } from '@hns/database';
import type { Actor } from '@hns/auth';
import { APP_CONFIG, AppConfig, Seat } from '@hns/config';
import { LocalizedHttpException, notFound } from '@hns/http';
import type { MovementStatus, NotificationData } from '@hns/movements';
import { QUEUES, enqueueInOutbox } from '@hns/queue';
import {
  REVIEW_MAIL_JOBS,
  TIMER_JOBS,
  acknowledgementWindowMinutes,
  automaticEscalations,
  followUps,
} from './follow-ups';
import { type TransitionResult, transition } from './lifecycle';
import type { EscalationOutcome, LifecycleEvent } from './lifecycle-events';
import { Refusal, reviewText } from './messages';

/** In-process event after a committed status change: for logs and metrics only. */
export const MOVEMENT_STATUS_CHANGED = 'movement.status_changed';

export interface LockedMovement {
  id: string;
  status: MovementStatus;
  current_version: number;
  organisation_id: string;
  notification: NotificationData;
}

/** A UNDSS escalation to open: by a seat, or by the system (raisedBy and seat null). */
export interface EscalationInput {
  severity: 'critical' | 'high' | 'medium' | 'low';
  raisedBy: string | null;
  seat: Seat | null;
  reasonCodes: string[];
  comment: string | null;
}

/**
 * Where the lifecycle meets the database: locks a movement, runs the pure state machine on an
 * event, stores the new status with its audit event, and turns the effects into outbox work, all
 * in the caller's transaction. Every service that changes a movement's status goes through it.
 */
@Injectable()
export class MovementLifecycle {
  private readonly logger = new Logger(MovementLifecycle.name);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * The movement's side of a resolved escalation (called inside the resolving transaction).
   * An escalation on a version that has since been amended changes nothing.
   */
  async resolveEscalation(
    manager: EntityManager,
    movementId: string,
    version: number,
    outcome: EscalationOutcome,
    actor: Actor,
  ): Promise<MovementStatus> {
    const movement = await this.lock(manager, movementId);
    if (!movement) throw notFound('movement.not_found', { id: movementId });
    if (movement.current_version !== version) return movement.status;
    const tasks: { seat: Seat; status: string }[] = await manager.query(
      `SELECT seat, status FROM review_tasks WHERE movement_id = $1 AND version = $2`,
      [movementId, version],
    );
    const [open]: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM security_escalations WHERE movement_id = $1 AND version = $2 AND status <> 'resolved'`,
      [movementId, version],
    );
    return this.apply(
      manager,
      movement,
      {
        type: 'escalation_resolved',
        outcome,
        requiredSeats: tasks.map((t) => t.seat),
        approvedSeats: tasks.filter((t) => t.status === 'approved').map((t) => t.seat),
        otherOpenEscalations: open.n,
      },
      actor,
      { outcome },
    );
  }

  /** Opens a UNDSS escalation with its acknowledgement deadline, and alerts UNDSS through the outbox. */
  async raiseEscalation(
    manager: EntityManager,
    movement: LockedMovement,
    input: EscalationInput,
  ): Promise<void> {
    await this.raiseEscalations(manager, [{ movement, input }]);
  }

  /**
   * raiseEscalation for many movements in two statements (a zone re-check batch): one insert of
   * every escalation, then the outbox rows of each (its alert now, its deadline timer).
   */
  async raiseEscalations(
    manager: EntityManager,
    escalations: { movement: LockedMovement; input: EscalationInput }[],
  ): Promise<void> {
    if (escalations.length === 0) return;
    const rows: { id: string; movement_id: string; acknowledge_by: Date }[] = await manager.query(
      `INSERT INTO security_escalations
         (movement_id, version, severity, raised_by, raised_by_seat, reason_codes, comment, acknowledge_by)
       SELECT e.movement_id, e.version, e.severity, e.raised_by, e.raised_by_seat,
              ARRAY(SELECT jsonb_array_elements_text(e.reason_codes)), e.comment,
              now() + make_interval(mins => e.minutes)
       FROM jsonb_to_recordset($1::jsonb) AS e(
         movement_id uuid, version integer, severity text, raised_by uuid, raised_by_seat text,
         reason_codes jsonb, comment text, minutes integer)
       RETURNING id, movement_id, acknowledge_by`,
      [
        JSON.stringify(
          escalations.map(({ movement, input }) => ({
            movement_id: movement.id,
            version: movement.current_version,
            severity: input.severity,
            raised_by: input.raisedBy,
            raised_by_seat: input.seat,
            reason_codes: input.reasonCodes,
            comment: input.comment,
            minutes: acknowledgementWindowMinutes(input.severity, this.config),
          })),
        ),
      ],
    );
    await enqueueInOutbox(
      manager,
      rows.flatMap((row) => [
        {
          queue: QUEUES.mail,
          jobName: REVIEW_MAIL_JOBS.escalationAlert,
          payload: { escalationId: row.id },
          correlationId: row.movement_id,
        },
        {
          queue: QUEUES.timers,
          jobName: TIMER_JOBS.escalationDeadline,
          payload: { escalationId: row.id, alert: 1 },
          correlationId: row.movement_id,
          runAt: row.acknowledge_by,
        },
      ]),
    );
  }

  /**
   * Escalations the rules raise by themselves (DESIGN §1.2, §1.4): an escort requested or imposed,
   * an emergency notified at short notice. Run once, after the first version's fan-out.
   */
  async escalateAutomatically(manager: EntityManager, movementId: string): Promise<void> {
    const movement = await this.lock(manager, movementId);
    if (!movement) return;
    const [{ created_at: submittedAt }]: { created_at: Date }[] = await manager.query(
      `SELECT created_at FROM movement_notifications WHERE id = $1`,
      [movementId],
    );
    const rules = automaticEscalations(
      movement.notification,
      submittedAt,
      this.config.LEAD_TIME_HOURS,
    );
    for (const rule of rules) {
      const [existing]: { n: number }[] = await manager.query(
        `SELECT count(*)::int AS n FROM security_escalations
         WHERE movement_id = $1 AND raised_by IS NULL AND $2 = ANY(reason_codes)`,
        [movementId, rule.reasonCode],
      );
      if (existing.n > 0) continue; // the fan-out job ran twice
      await this.raiseEscalation(manager, movement, {
        severity: rule.severity,
        raisedBy: null,
        seat: null,
        reasonCodes: [rule.reasonCode],
        comment: null,
      });
    }
    if (rules.length > 0) {
      const current = await this.lock(manager, movementId);
      if (current)
        await this.apply(
          manager,
          current,
          { type: 'escalated', raisedBy: 'automatic_rule' },
          null,
          {},
        );
    }
  }

  /** Runs the state machine, stores the new status and turns its effects into outbox work. */
  async apply(
    manager: EntityManager,
    movement: LockedMovement,
    event: LifecycleEvent,
    actor: Actor | null,
    details: Record<string, unknown>,
  ): Promise<MovementStatus> {
    const result = transition(movement.status, event);
    if (!result.ok) {
      if (event.type === 'review_fanned_out') {
        this.logger.log(`fan-out of ${movement.id} left as is: ${result.reason}`);
        return movement.status;
      }
      throw lifecycleRefused(result);
    }
    await this.store(manager, [{ movement, event, result, actor, details }]);
    return result.status;
  }

  /**
   * apply for many movements, one event each, in a few statements whatever their number (a zone
   * re-check batch). Refuses them all, changing nothing, if the lifecycle refuses any of them.
   */
  async applyToMany(
    manager: EntityManager,
    changes: {
      movement: LockedMovement;
      event: LifecycleEvent;
      details: Record<string, unknown>;
    }[],
    actor: Actor | null,
  ): Promise<MovementStatus[]> {
    const allowed = changes.map((change) => {
      const result = transition(change.movement.status, change.event);
      if (!result.ok) throw lifecycleRefused(result);
      return { ...change, result, actor };
    });
    await this.store(manager, allowed);
    return allowed.map(({ result }) => result.status);
  }

  /** The new statuses with their audit events, and the outbox work of their effects. */
  private async store(
    manager: EntityManager,
    changes: {
      movement: LockedMovement;
      event: LifecycleEvent;
      result: Extract<TransitionResult, { ok: true }>;
      actor: Actor | null;
      details: Record<string, unknown>;
    }[],
  ): Promise<void> {
    const changed = changes.filter(({ movement, result }) => result.status !== movement.status);
    if (changed.length > 0) {
      await manager.query(
        `UPDATE movement_notifications m SET status = s.status, updated_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS s(id, status) WHERE m.id = s.id`,
        [changed.map(({ movement }) => movement.id), changed.map(({ result }) => result.status)],
      );
      await recordAudits(
        manager,
        changed.map(({ movement, event, result, actor, details }) => ({
          actorUserId: actor?.userId ?? null,
          actorRole: actor ? `${actor.role}:${actor.seat ?? ''}` : 'system',
          organisationId: null,
          action: 'movement.status_changed',
          entityType: 'movement',
          entityId: movement.id,
          details: {
            from: movement.status,
            to: result.status,
            event: event.type,
            version: movement.current_version,
            ...details,
          },
        })),
      );
      for (const { movement, event, result } of changed) {
        publishAfterCommit(manager, {
          name: MOVEMENT_STATUS_CHANGED,
          payload: {
            movementId: movement.id,
            version: movement.current_version,
            from: movement.status,
            to: result.status,
            event: event.type,
          },
        });
      }
    }
    await enqueueInOutbox(
      manager,
      changes.flatMap(({ movement, result }) =>
        followUps(
          {
            id: movement.id,
            version: movement.current_version,
            departureAt: movement.notification.departure.at,
          },
          result.effects,
          this.config,
        ),
      ),
    );
  }

  async lock(manager: EntityManager, id: string): Promise<LockedMovement | undefined> {
    const rows: LockedMovement[] = await manager.query(
      `SELECT m.id, m.status, m.current_version, m.organisation_id, v.notification
       FROM movement_notifications m
       JOIN movement_versions v ON v.movement_id = m.id AND v.version = m.current_version
       WHERE m.id = $1 FOR UPDATE OF m`,
      [id],
    );
    return rows[0];
  }
  /**
   * lock for many movements at once, in id order (two batches locking overlapping sets then
   * wait for each other instead of deadlocking). Movements that do not exist are left out.
   */
  async lockMany(manager: EntityManager, ids: string[]): Promise<LockedMovement[]> {
    if (ids.length === 0) return [];
    return manager.query(
      `SELECT m.id, m.status, m.current_version, m.organisation_id, v.notification
       FROM movement_notifications m
       JOIN movement_versions v ON v.movement_id = m.id AND v.version = m.current_version
       WHERE m.id = ANY($1::uuid[]) ORDER BY m.id FOR UPDATE OF m`,
      [ids],
    );
  }
}

function lifecycleRefused(refusal: Refusal) {
  return new LocalizedHttpException(
    HttpStatus.CONFLICT,
    'http.conflict',
    {},
    refusal.rule,
    {},
    bilingual(refusal),
  );
}

function bilingual(refusal: Pick<Refusal, 'messageKey' | 'params'>) {
  return {
    fr: reviewText('fr', refusal.messageKey, refusal.params),
    en: reviewText('en', refusal.messageKey, refusal.params),
  };
}
