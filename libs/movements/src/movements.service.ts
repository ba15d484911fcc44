import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { recordAudit } from '@hns/audit';
import type { Actor } from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { Coalescer, isDataError, prepared, preparedQuery } from '@hns/database';
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
import {
  OutboxMessage,
  OutboxRecord,
  QUEUES,
  enqueueInOutbox,
  outboxInsertFromJson,
  outboxRecords,
  outboxWritten,
} from '@hns/queue';
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

/**
 * The follow-ups of a new version: review tasks for the cell, a receipt to the organisation. In
 * that order, as the worker does them (apps/worker WorkPriority): the relay hands each batch's
 * fan-outs to BullMQ before its receipts, so that a receipt does not start before the fan-out
 * written with it.
 */
function newVersionWork(movementId: string, version: number): OutboxMessage[] {
  const payload = { movementId, version };
  return [
    {
      queue: QUEUES.review,
      jobName: MOVEMENT_JOBS.reviewFanOut,
      payload,
      correlationId: movementId,
    },
    { queue: QUEUES.mail, jobName: MOVEMENT_JOBS.receipt, payload, correlationId: movementId },
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
   * (a data-modifying CTE) and returns the view, atomic on its own. The id is drawn here so that
   * every row can name it. With an Idempotency-Key the statement runs alone inside
   * withIdempotency's transaction; without one, the submissions arriving together share one
   * statement and one commit (group commit, see `submissions`), and each answer waits for that
   * commit.
   */
  async submit(
    actor: Actor,
    notification: NotificationData,
    idempotency?: Omit<IdempotencyRequest, 'userId'>,
  ): Promise<StoredResponse<MovementView>> {
    const organisationId = this.ownOrganisation(actor);
    this.assertRules(notification);
    // Built here, in the request's context (the outbox payloads carry its request id).
    const item = submissionItem(actor, organisationId, notification);
    if (!idempotency) {
      return {
        status: 201,
        body: toMovementView(await this.submissions.call(item)),
        replayed: false,
      };
    }
    return withIdempotency(this.db, { ...idempotency, userId: actor.userId }, async (manager) => {
      const [row] = await this.writeSubmissions([item], manager);
      return { status: 201, body: toMovementView(row) };
    });
  }

  /**
   * Submissions without an Idempotency-Key that arrive together (in one turn of the event loop,
   * or while a statement is running) are written by one statement, up to
   * SUBMISSIONS_PER_STATEMENT: one round trip, one commit and one WAL flush for all of them
   * instead of one each (bench, issue 7). If the statement fails on one submission's data, each
   * is written alone, so that only that one fails.
   */
  private readonly submissions = new Coalescer<SubmissionItem, SubmittedRow>(
    (items) => this.writeSubmissions(items),
    {
      max: SUBMISSIONS_PER_STATEMENT,
      key: (item) => item.id,
      retryOneByOne: isDataError,
      // Statements at once: a batch need not wait for the commits under way (4 of the pool's
      // connections; 2 made 5 % fewer submissions a second in the bench, 8 no more than 4).
      concurrency: 4,
    },
  );

  private async writeSubmissions(
    items: SubmissionItem[],
    manager?: EntityManager,
  ): Promise<SubmittedRow[]> {
    const input = JSON.stringify(items.map((item, ord) => ({ ...item, ord })));
    const values = [input, this.config.OPERATION_COUNTRY_CODE];
    const rows: MovementRow[] = manager
      ? await manager.query(prepared('movement-submit', SUBMIT_SQL), values)
      : await preparedQuery<MovementRow>(this.db, 'movement-submit', SUBMIT_SQL, values);
    outboxWritten(manager ?? this.db.manager);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return items.map((item) => {
      const row = byId.get(item.id);
      if (!row) throw new Error(`movement ${item.id} was not written`);
      // The version's notice is the one just written (not read back: it is the same data).
      return { ...row, notification: item.notification };
    });
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

/** Most submissions written by one statement (group commit). */
const SUBMISSIONS_PER_STATEMENT = 64;

type SubmittedRow = MovementRow & { notification: NotificationData };

/** One submission as the statement reads it (a row of jsonb_to_recordset). */
interface SubmissionItem {
  id: string;
  organisation_id: string;
  type: string;
  priority: string;
  departure_place: string;
  arrival_place: string;
  departure_at: string;
  arrival_at: string;
  created_by: string;
  departure_lat: number;
  departure_lon: number;
  arrival_lat: number;
  arrival_lon: number;
  notification: NotificationData;
  route: string;
  actor_role: string;
  audit_organisation_id: string | null;
  audit_details: Record<string, unknown>;
  outbox: OutboxRecord[];
}

function submissionItem(
  actor: Actor,
  organisationId: string,
  notification: NotificationData,
): SubmissionItem {
  const id = randomUUID();
  const audit = auditActor(actor);
  return {
    id,
    organisation_id: organisationId,
    type: notification.type,
    priority: notification.priority,
    departure_place: notification.departure.place,
    arrival_place: notification.arrival.place,
    departure_at: notification.departure.at,
    arrival_at: notification.arrival.at,
    created_by: actor.userId,
    departure_lat: notification.departure.lat,
    departure_lon: notification.departure.lon,
    arrival_lat: notification.arrival.lat,
    arrival_lon: notification.arrival.lon,
    notification,
    route: routeWkt(notification),
    // the audit event, with the columns and values of recordAudit (@hns/audit)
    actor_role: audit.actorRole,
    audit_organisation_id: audit.organisationId,
    audit_details: { version: 1, priority: notification.priority },
    outbox: outboxRecords(newVersionWork(id, 1)),
  };
}

/**
 * Writes the submissions of $1 (a JSON array of SubmissionItem, each with its place `ord`): for
 * each, its movement (reference numbers in that order; $2 is their country code), first version,
 * audit event and outbox rows, and returns the movements' rows. The same text for one
 * submission or many, so it is prepared once per connection.
 */
const SUBMIT_SQL = `
  WITH i AS MATERIALIZED (
    SELECT x.*, nextval('movement_reference_seq') AS n
    FROM jsonb_to_recordset($1::jsonb) AS x(
      id uuid, organisation_id uuid, type text, priority text,
      departure_place text, arrival_place text, departure_at timestamptz, arrival_at timestamptz,
      created_by uuid, departure_lat float8, departure_lon float8, arrival_lat float8,
      arrival_lon float8, notification jsonb, route text, actor_role text,
      audit_organisation_id uuid, audit_details jsonb, outbox jsonb, ord bigint)
    ORDER BY x.ord),
  m AS (
    INSERT INTO movement_notifications
      (id, reference, organisation_id, status, current_version, type, priority,
       departure_place, arrival_place, departure_at, arrival_at, created_by,
       departure_admin1, arrival_admin1)
    SELECT
      i.id,
      format('HNS-%s-%s-%s', $2::text, to_char(now() AT TIME ZONE 'UTC', 'YYYY'),
             lpad(i.n::text, greatest(6, length(i.n::text)), '0')),
      i.organisation_id, 'submitted', 1, i.type, i.priority,
      i.departure_place, i.arrival_place, i.departure_at, i.arrival_at, i.created_by,
      admin1_of(i.departure_lat, i.departure_lon), admin1_of(i.arrival_lat, i.arrival_lon)
    FROM i ORDER BY i.ord
    RETURNING *),
  v AS (
    INSERT INTO movement_versions
      (movement_id, version, notification, departure_at, arrival_at, route, time_window, change_note, created_by)
    SELECT m.id, 1, i.notification, i.departure_at, i.arrival_at, ST_GeogFromText(i.route),
           tstzrange(i.departure_at, i.arrival_at, '[)'), NULL, i.created_by
    FROM m JOIN i ON i.id = m.id),
  a AS (
    INSERT INTO audit_events (actor_user_id, actor_role, organisation_id, action, entity_type, entity_id, details)
    SELECT i.created_by, i.actor_role, i.audit_organisation_id, 'movement.submitted', 'movement',
           m.id::text, i.audit_details
    FROM m JOIN i ON i.id = m.id ORDER BY i.ord),
  ob AS (${outboxInsertFromJson({ from: 'i', records: 'i.outbox', orderBy: 'i.ord' })})
  SELECT ${MOVEMENT_COLUMNS}
  FROM m JOIN organisations o ON o.id = m.organisation_id`;
