import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { recordAudit } from '@hns/audit';
import type { Actor } from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { prepared } from '@hns/database';
import {
  IdempotencyRequest,
  StoredResponse,
  ValidationFailedException,
  conflict,
  fieldRule,
  forbidden,
  notFound,
  toProblem,
  withIdempotency,
} from '@hns/http';
import { OutboxMessage, QUEUES, enqueueInOutbox, outboxInsert, outboxWritten } from '@hns/queue';
import { canAmend, canCancel } from './lifecycle';
import {
  MovementDetailView,
  MovementPage,
  MovementRow,
  MovementView,
  decodeCursor,
  encodeCursor,
  toMovementView,
  toSummaryView,
} from './movement-views';
import {
  AmendmentInput,
  ListQuery,
  NotificationData,
  notificationSchema,
} from './notification.schema';
import { checkMovementRules, routeWkt } from './rules';

export const MOVEMENT_JOBS = {
  receipt: 'movement.receipt',
  cancellationNotice: 'movement.cancellation-notice',
  reviewFanOut: 'movement.review-fanout',
} as const;

/** The follow-ups of a new version: a receipt to the organisation, review tasks for the cell. */
function newVersionWork(movementId: string, version: number): OutboxMessage[] {
  const payload = { movementId, version };
  return [
    { queue: QUEUES.mail, jobName: MOVEMENT_JOBS.receipt, payload, correlationId: movementId },
    {
      queue: QUEUES.review,
      jobName: MOVEMENT_JOBS.reviewFanOut,
      payload,
      correlationId: movementId,
    },
  ];
}

const MOVEMENT_COLUMNS = `
  m.id, m.reference, m.status, m.current_version, m.type, m.priority,
  m.departure_place, m.arrival_place, m.departure_at, m.arrival_at,
  m.cancellation_reason, m.created_at, m.updated_at,
  m.organisation_id, o.acronym AS organisation_acronym, o.name AS organisation_name,
  m.departure_admin1, m.arrival_admin1`;

/**
 * Movement notifications: intake, amendment, cancellation and reading, with the
 * need-to-know rule (an organisation sees only its own movements) applied in every query.
 */
@Injectable()
export class MovementsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One statement writes the movement, its first version, its audit event and its outbox rows
   * (a data-modifying CTE) and returns the view: one round trip, atomic on its own, instead of
   * BEGIN, four inserts, a read and COMMIT. The id is drawn here so that every row can name it.
   * With an Idempotency-Key the statement runs inside withIdempotency's transaction.
   */
  async submit(
    actor: Actor,
    notification: NotificationData,
    idempotency?: Omit<IdempotencyRequest, 'userId'>,
  ): Promise<StoredResponse<MovementView>> {
    const organisationId = this.ownOrganisation(actor);
    this.assertRules(notification);
    const work = async (manager: EntityManager) => ({
      status: 201,
      body: await this.insertSubmission(manager, actor, organisationId, notification),
    });
    if (!idempotency) return { ...(await work(this.db.manager)), replayed: false };
    return withIdempotency(this.db, { ...idempotency, userId: actor.userId }, work);
  }

  private async insertSubmission(
    manager: EntityManager,
    actor: Actor,
    organisationId: string,
    notification: NotificationData,
  ): Promise<MovementView> {
    const id = randomUUID();
    const audit = auditActor(actor);
    const values: unknown[] = [
      id, // $1
      this.config.OPERATION_COUNTRY_CODE,
      organisationId,
      notification.type,
      notification.priority, // $5
      notification.departure.place,
      notification.arrival.place,
      notification.departure.at,
      notification.arrival.at,
      actor.userId, // $10
      notification.departure.lat,
      notification.departure.lon,
      notification.arrival.lat,
      notification.arrival.lon,
      JSON.stringify(notification), // $15
      routeWkt(notification),
      // the audit event, with the columns and values of recordAudit (@hns/audit)
      audit.actorRole,
      audit.organisationId,
      JSON.stringify({ version: 1, priority: notification.priority }), // $19
    ];
    const outbox = outboxInsert(newVersionWork(id, 1), values.length + 1);
    values.push(...outbox.values);
    // A prepared statement: its text is the same for every submission (parsed and planned once
    // per connection).
    const rows: (MovementRow & { notification: NotificationData })[] = await manager.query(
      prepared(
        'movement-submit',
        `WITH m AS (
         INSERT INTO movement_notifications
           (id, reference, organisation_id, status, current_version, type, priority,
            departure_place, arrival_place, departure_at, arrival_at, created_by,
            departure_admin1, arrival_admin1)
         VALUES (
           $1,
           format('HNS-%s-%s-%s', $2::text, to_char(now() AT TIME ZONE 'UTC', 'YYYY'),
                  (SELECT lpad(n::text, greatest(6, length(n::text)), '0')
                   FROM nextval('movement_reference_seq') AS n)),
           $3, 'submitted', 1, $4, $5, $6, $7, $8, $9, $10,
           admin1_of($11, $12), admin1_of($13, $14))
         RETURNING *),
       v AS (
         INSERT INTO movement_versions
           (movement_id, version, notification, departure_at, arrival_at, route, time_window, change_note, created_by)
         SELECT m.id, 1, $15::jsonb, $8, $9, ST_GeogFromText($16), tstzrange($8, $9, '[)'), NULL, $10
         FROM m
         RETURNING notification),
       a AS (
         INSERT INTO audit_events (actor_user_id, actor_role, organisation_id, action, entity_type, entity_id, details)
         SELECT $10, $17, $18, 'movement.submitted', 'movement', m.id::text, $19::jsonb FROM m),
       ob AS (${outbox.sql})
       SELECT ${MOVEMENT_COLUMNS}, v.notification
       FROM m JOIN organisations o ON o.id = m.organisation_id CROSS JOIN v`,
      ),
      values,
    );
    outboxWritten(manager);
    return toMovementView(rows[0]);
  }

  async list(actor: Actor, query: ListQuery): Promise<MovementPage> {
    const params: unknown[] = [];
    const where: string[] = [];
    const scope = this.readScope(actor);
    if (scope) {
      params.push(scope);
      where.push(`m.organisation_id = $${params.length}`);
    }
    if (query.status) {
      params.push(query.status);
      where.push(`m.status = ANY($${params.length}::text[])`);
    }
    if (query.region) {
      params.push(query.region);
      where.push(
        `(m.departure_admin1 = $${params.length} OR m.arrival_admin1 = $${params.length})`,
      );
    }
    if (query.from) {
      params.push(query.from);
      where.push(`m.arrival_at > $${params.length}`);
    }
    if (query.to) {
      params.push(query.to);
      where.push(`m.departure_at < $${params.length}`);
    }
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      if (!cursor) throw fieldRule('cursor', 'invalid_cursor', 'http.bad_request');
      params.push(cursor.departureAt, cursor.id);
      where.push(`(m.departure_at, m.id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(query.limit + 1);
    const rows: MovementRow[] = await this.db.query(
      `SELECT ${MOVEMENT_COLUMNS}
       FROM movement_notifications m JOIN organisations o ON o.id = m.organisation_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY m.departure_at DESC, m.id DESC
       LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toSummaryView),
      nextCursor:
        rows.length > query.limit && last ? encodeCursor(last.departure_at, last.id) : null,
    };
  }

  async get(actor: Actor, id: string): Promise<MovementDetailView> {
    const view = await this.currentView(this.db.manager, id, this.readScope(actor));
    const versions: {
      version: number;
      created_at: Date;
      created_by: string;
      change_note: string | null;
      notification: NotificationData;
    }[] = await this.db.query(
      `SELECT version, created_at, created_by, change_note, notification
       FROM movement_versions WHERE movement_id = $1 ORDER BY version DESC`,
      [id],
    );
    return {
      ...view,
      versions: versions.map((v) => ({
        version: v.version,
        createdAt: v.created_at.toISOString(),
        createdBy: v.created_by,
        changeNote: v.change_note,
        notification: v.notification,
      })),
    };
  }

  /** An amendment creates a new version and restarts review; earlier versions stay readable. */
  async amend(actor: Actor, id: string, amendment: AmendmentInput): Promise<MovementView> {
    const organisationId = this.ownOrganisation(actor);
    const { version: expectedVersion, changeNote, ...changes } = amendment;
    return this.db.transaction(async (manager) => {
      const current = await this.lockOwnMovement(manager, id, organisationId);
      if (!canAmend(current.status)) {
        throw fieldRule('status', 'not_amendable', 'movement.rule.not_amendable', {
          status: current.status,
        });
      }
      if (expectedVersion !== undefined && expectedVersion !== current.current_version) {
        throw conflict('movement.rule.version_conflict', {
          given: expectedVersion,
          current: current.current_version,
        });
      }
      const merged = { ...current.notification, ...changes };
      const parsed = notificationSchema.safeParse(merged, { reportInput: true });
      if (!parsed.success) throw new ValidationFailedException(parsed.error.issues.map(toProblem));
      this.assertRules(parsed.data);
      const version = current.current_version + 1;
      await this.insertVersion(manager, id, version, parsed.data, actor, changeNote ?? null);
      await manager.query(
        `UPDATE movement_notifications
         SET current_version = $2, status = 'submitted', type = $3, priority = $4,
             departure_place = $5, arrival_place = $6, departure_at = $7, arrival_at = $8,
             departure_admin1 = admin1_of($9, $10), arrival_admin1 = admin1_of($11, $12),
             updated_at = now()
         WHERE id = $1`,
        [
          id,
          version,
          parsed.data.type,
          parsed.data.priority,
          parsed.data.departure.place,
          parsed.data.arrival.place,
          parsed.data.departure.at,
          parsed.data.arrival.at,
          parsed.data.departure.lat,
          parsed.data.departure.lon,
          parsed.data.arrival.lat,
          parsed.data.arrival.lon,
        ],
      );
      await recordAudit(manager, {
        ...auditActor(actor),
        action: 'movement.amended',
        entityType: 'movement',
        entityId: id,
        details: {
          version,
          previousStatus: current.status,
          changedFields: Object.keys(changes),
          changeNote: changeNote ?? null,
        },
      });
      // Review restarts: the previous version's open tasks are superseded.
      await manager.query(
        `UPDATE review_tasks SET status = 'superseded' WHERE movement_id = $1 AND status = 'pending'`,
        [id],
      );
      await enqueueInOutbox(manager, newVersionWork(id, version));
      return this.currentView(manager, id);
    });
  }

  async cancel(actor: Actor, id: string, reason: string): Promise<MovementView> {
    const organisationId = this.ownOrganisation(actor);
    return this.db.transaction(async (manager) => {
      const current = await this.lockOwnMovement(manager, id, organisationId);
      if (!canCancel(current.status)) {
        throw fieldRule('status', 'not_cancellable', 'movement.rule.not_cancellable', {
          status: current.status,
        });
      }
      await manager.query(
        `UPDATE movement_notifications
         SET status = 'cancelled', cancellation_reason = $2, updated_at = now() WHERE id = $1`,
        [id, reason],
      );
      await manager.query(
        `UPDATE review_tasks SET status = 'closed' WHERE movement_id = $1 AND status = 'pending'`,
        [id],
      );
      await enqueueInOutbox(manager, [
        {
          queue: QUEUES.mail,
          jobName: MOVEMENT_JOBS.cancellationNotice,
          payload: { movementId: id, version: current.current_version },
          correlationId: id,
        },
      ]);
      await recordAudit(manager, {
        ...auditActor(actor),
        action: 'movement.cancelled',
        entityType: 'movement',
        entityId: id,
        details: { previousStatus: current.status, reason },
      });
      return this.currentView(manager, id);
    });
  }

  private assertRules(notification: NotificationData): void {
    const problems = checkMovementRules(notification, {
      now: new Date(),
      leadTimeHours: this.config.LEAD_TIME_HOURS,
      area: this.config.OPERATION_AREA_BBOX,
    });
    if (problems.length > 0) throw new ValidationFailedException(problems);
  }

  private async insertVersion(
    manager: EntityManager,
    movementId: string,
    version: number,
    notification: NotificationData,
    actor: Actor,
    changeNote: string | null,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO movement_versions
         (movement_id, version, notification, departure_at, arrival_at, route, time_window, change_note, created_by)
       VALUES ($1, $2, $3::jsonb, $4, $5, ST_GeogFromText($6), tstzrange($4, $5, '[)'), $7, $8)`,
      [
        movementId,
        version,
        JSON.stringify(notification),
        notification.departure.at,
        notification.arrival.at,
        routeWkt(notification),
        changeNote,
        actor.userId,
      ],
    );
  }

  private async currentView(
    manager: EntityManager,
    id: string,
    organisationScope?: string,
  ): Promise<MovementView> {
    const rows: (MovementRow & { notification: NotificationData })[] = await manager.query(
      `SELECT ${MOVEMENT_COLUMNS}, v.notification
       FROM movement_notifications m
       JOIN organisations o ON o.id = m.organisation_id
       JOIN movement_versions v ON v.movement_id = m.id AND v.version = m.current_version
       WHERE m.id = $1 ${organisationScope ? 'AND m.organisation_id = $2' : ''}`,
      organisationScope ? [id, organisationScope] : [id],
    );
    if (!rows[0]) throw notFound('movement.not_found', { id });
    return toMovementView(rows[0]);
  }

  private async lockOwnMovement(
    manager: EntityManager,
    id: string,
    organisationId: string,
  ): Promise<MovementRow & { notification: NotificationData }> {
    const rows: (MovementRow & { notification: NotificationData })[] = await manager.query(
      `SELECT m.id, m.status, m.current_version, v.notification
       FROM movement_notifications m
       JOIN movement_versions v ON v.movement_id = m.id AND v.version = m.current_version
       WHERE m.id = $1 AND m.organisation_id = $2
       FOR UPDATE OF m`,
      [id, organisationId],
    );
    // Another organisation's movement is reported as absent, never as forbidden.
    if (!rows[0]) throw notFound('movement.not_found', { id });
    return rows[0];
  }

  /** The organisation whose movements the actor may read; undefined means all (the cell). */
  private readScope(actor: Actor): string | undefined {
    if (actor.role === 'cell') return undefined;
    return this.ownOrganisation(actor);
  }

  private ownOrganisation(actor: Actor): string {
    if (actor.role !== 'ngo' || !actor.organisationId) throw forbidden();
    return actor.organisationId;
  }
}

function auditActor(actor: Actor) {
  return {
    actorUserId: actor.userId,
    actorRole: actor.seat ? `${actor.role}:${actor.seat}` : actor.role,
    organisationId: actor.organisationId,
  };
}
