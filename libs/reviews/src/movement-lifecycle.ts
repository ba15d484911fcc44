import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditRecord, recordAudits } from '@hns/audit';
import { publishAfterCommit } from '@hns/database';
import type { Actor } from '@hns/auth';
import { APP_CONFIG, AppConfig, Seat } from '@hns/config';
import { LocalizedHttpException, notFound } from '@hns/http';
import type { MovementStatus, NotificationData } from '@hns/movements';
import { OutboxMessage, QUEUES, enqueueInOutbox } from '@hns/queue';
import {
  REVIEW_MAIL_JOBS,
  TIMER_JOBS,
  acknowledgementWindowMinutes,
  automaticEscalations,
  followUps,
} from './follow-ups';
import { transition } from './lifecycle';
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
  /** When the organisation submitted it (the automatic escalation rules read it). */
  created_at: Date;
}

/** One movement's event in applyToMany, with the request that caused it (for its follow-ups' logs). */
export interface BatchChange {
  movement: LockedMovement;
  event: LifecycleEvent;
  details: Record<string, unknown>;
  requestId?: string;
}

interface Change {
  movement: LockedMovement;
  event: LifecycleEvent;
  to: MovementStatus;
  actor: Actor | null;
  details: Record<string, unknown>;
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
    const rules = this.automaticRules(movement);
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

  /** The automatic escalation rules a movement meets (none for most). */
  automaticRules(movement: LockedMovement) {
    return automaticEscalations(
      movement.notification,
      movement.created_at,
      this.config.LEAD_TIME_HOURS,
    );
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
    await this.record(
      manager,
      [{ movement, event, to: result.status, actor, details }],
      [...followUps(outboxRef(movement), result.effects, this.config)],
    );
    return result.status;
  }

  /**
   * apply for many movements locked by lockMany, one event each, in a few statements whatever
   * their number (a batch of review fan-outs, a zone re-check batch). `refused: 'throw'` refuses
   * them all, changing nothing, if the lifecycle refuses any of them; `'skip'` leaves those as
   * they are, as apply does for a fan-out. Each change's outbox rows carry its own request id.
   */
  async applyToMany(
    manager: EntityManager,
    changes: BatchChange[],
    actor: Actor | null,
    refused: 'throw' | 'skip' = 'throw',
  ): Promise<MovementStatus[]> {
    const allowed: Change[] = [];
    const work: OutboxMessage[] = [];
    for (const { movement, event, details, requestId } of changes) {
      const result = transition(movement.status, event);
      if (!result.ok) {
        if (refused === 'throw') throw lifecycleRefused(result);
        this.logger.log(`${event.type} of ${movement.id} left as is: ${result.reason}`);
        continue;
      }
      allowed.push({ movement, event, to: result.status, actor, details });
      for (const message of followUps(outboxRef(movement), result.effects, this.config)) {
        work.push(requestId ? { ...message, payload: { requestId, ...message.payload } } : message);
      }
    }
    await this.record(manager, allowed, work);
    return allowed.map(({ to }) => to);
  }

  /** Stores status changes with their audit events, announces them after commit, writes the work. */
  private async record(
    manager: EntityManager,
    changes: Change[],
    work: OutboxMessage[],
  ): Promise<void> {
    const changed = changes.filter((c) => c.to !== c.movement.status);
    if (changed.length > 0) {
      await manager.query(
        `UPDATE movement_notifications m SET status = u.status, updated_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS u(id, status) WHERE m.id = u.id`,
        [changed.map((c) => c.movement.id), changed.map((c) => c.to)],
      );
      await recordAudits(manager, changed.map(statusAudit));
      for (const c of changed) {
        publishAfterCommit(manager, {
          name: MOVEMENT_STATUS_CHANGED,
          payload: {
            movementId: c.movement.id,
            version: c.movement.current_version,
            from: c.movement.status,
            to: c.to,
            event: c.event.type,
          },
        });
      }
    }
    await enqueueInOutbox(manager, work);
  }

  async lock(manager: EntityManager, id: string): Promise<LockedMovement | undefined> {
    return (await this.lockMany(manager, [id]))[0];
  }

  /**
   * Locks movements with their current version, in id order (two batches locking overlapping
   * sets then wait for each other instead of deadlocking). Movements that do not exist are left out.
   */
  async lockMany(manager: EntityManager, ids: string[]): Promise<LockedMovement[]> {
    if (ids.length === 0) return [];
    return manager.query(
      `SELECT m.id, m.status, m.current_version, m.organisation_id, m.created_at, v.notification
       FROM movement_notifications m
       JOIN movement_versions v ON v.movement_id = m.id AND v.version = m.current_version
       WHERE m.id = ANY($1::uuid[]) ORDER BY m.id FOR UPDATE OF m`,
      [ids],
    );
  }
}

function outboxRef(movement: LockedMovement) {
  return {
    id: movement.id,
    version: movement.current_version,
    departureAt: movement.notification.departure.at,
  };
}

function statusAudit(change: Change): AuditRecord {
  const { movement, actor } = change;
  return {
    actorUserId: actor?.userId ?? null,
    actorRole: actor ? `${actor.role}:${actor.seat ?? ''}` : 'system',
    organisationId: null,
    action: 'movement.status_changed',
    entityType: 'movement',
    entityId: movement.id,
    details: {
      from: movement.status,
      to: change.to,
      event: change.event.type,
      version: movement.current_version,
      ...change.details,
    },
  };
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
