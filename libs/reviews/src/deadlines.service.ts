import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { recordAudit } from '@hns/audit';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { QUEUES, enqueueInOutbox } from '@hns/queue';
import {
  REVIEW_MAIL_JOBS,
  TIMER_JOBS,
  acknowledgementWindowMinutes,
  nextEscalationCheck,
} from './follow-ups';
import { transition } from './lifecycle';
import { MovementLifecycle } from './movement-lifecycle';

/** Statuses in which the cell still owes the organisation a review. */
const AWAITING_CELL = ['in_review', 'escalated'];
const NOT_YET_ACKNOWLEDGED = ['submitted', 'in_review', 'flagged', 'escalated'];

/**
 * What each timer does when it fires. Every timer re-reads the state and does nothing if its
 * reason has gone (the version was amended, the seat decided, UNDSS acknowledged); the emails it
 * asks for go through the outbox, keyed so that a timer that fires twice sends nothing twice.
 */
@Injectable()
export class DeadlinesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly lifecycle: MovementLifecycle,
  ) {}

  async run(
    name: string,
    data: { movementId?: string; version?: number; escalationId?: string; alert?: number },
  ) {
    switch (name) {
      case TIMER_JOBS.reminder:
        return this.remindPendingSeats(data.movementId!, data.version!);
      case TIMER_JOBS.overdue:
        return this.alertOverdue(data.movementId!, data.version!);
      case TIMER_JOBS.expiry:
        return this.expire(data.movementId!, data.version!);
      case TIMER_JOBS.escalationDeadline:
        return this.checkEscalationDeadline(data.escalationId!, data.alert ?? 1);
      default:
        throw new Error(`no handler for timer "${name}"`);
    }
  }

  /** The expiry timer: a version not acknowledged when its departure window closes expires. */
  private async expire(movementId: string, version: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const movement = await this.lifecycle.lock(manager, movementId);
      if (!movement || movement.current_version !== version) return;
      if (!transition(movement.status, { type: 'window_closed' }).ok) return; // acknowledged, under way or closed
      await this.lifecycle.apply(manager, movement, { type: 'window_closed' }, null, {});
      await manager.query(
        `UPDATE review_tasks SET status = 'closed' WHERE movement_id = $1 AND status = 'pending'`,
        [movementId],
      );
    });
  }

  private async remindPendingSeats(movementId: string, version: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const seats: { seat: string }[] = await manager.query(
        `SELECT t.seat FROM review_tasks t
         JOIN movement_notifications m ON m.id = t.movement_id AND m.current_version = t.version
         WHERE t.movement_id = $1 AND t.version = $2 AND t.status = 'pending' AND m.status = ANY($3::text[])
         ORDER BY t.seat`,
        [movementId, version, AWAITING_CELL],
      );
      await enqueueInOutbox(
        manager,
        seats.map(({ seat }) => ({
          queue: QUEUES.mail,
          jobName: REVIEW_MAIL_JOBS.seatReminder,
          payload: { movementId, version, seat },
          correlationId: movementId,
        })),
      );
    });
  }

  private async alertOverdue(movementId: string, version: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const [movement]: unknown[] = await manager.query(
        `SELECT 1 FROM movement_notifications WHERE id = $1 AND current_version = $2 AND status = ANY($3::text[])`,
        [movementId, version, NOT_YET_ACKNOWLEDGED],
      );
      if (!movement) return;
      await enqueueInOutbox(manager, [
        {
          queue: QUEUES.mail,
          jobName: REVIEW_MAIL_JOBS.overdueAlert,
          payload: { movementId, version },
          correlationId: movementId,
        },
      ]);
    });
  }

  /** A missed acknowledgement deadline re-alerts UNDSS, informs OCHA, and checks again later. */
  private async checkEscalationDeadline(escalationId: string, alert: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const [escalation]: {
        movement_id: string;
        severity: 'critical' | 'high' | 'medium' | 'low';
        alerts_sent: number;
      }[] = await manager.query(
        `SELECT movement_id, severity, alerts_sent FROM security_escalations
           WHERE id = $1 AND status = 'open' FOR UPDATE`,
        [escalationId],
      );
      if (!escalation || escalation.alerts_sent >= alert) return; // acknowledged, or this alert already went
      await manager.query(`UPDATE security_escalations SET alerts_sent = $2 WHERE id = $1`, [
        escalationId,
        alert,
      ]);
      await recordAudit(manager, {
        actorUserId: null,
        actorRole: 'system',
        organisationId: null,
        action: 'escalation.deadline_missed',
        entityType: 'escalation',
        entityId: escalationId,
        details: { alert, movementId: escalation.movement_id },
      });
      await enqueueInOutbox(manager, [
        {
          queue: QUEUES.mail,
          jobName: REVIEW_MAIL_JOBS.escalationOverdue,
          payload: { escalationId, alert },
          correlationId: escalation.movement_id,
        },
        {
          queue: QUEUES.timers,
          jobName: TIMER_JOBS.escalationDeadline,
          payload: { escalationId, alert: alert + 1 },
          correlationId: escalation.movement_id,
          runAt: nextEscalationCheck(
            new Date(),
            acknowledgementWindowMinutes(escalation.severity, this.config),
          ),
        },
      ]);
    });
  }
}
