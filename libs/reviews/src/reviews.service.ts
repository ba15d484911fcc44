import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { recordAudit } from '@hns/audit';
import type { Actor } from '@hns/auth';
import { Seat, loadReviewPolicy } from '@hns/config';
import {
  FieldProblem,
  LocalizedHttpException,
  ValidationFailedException,
  forbidden,
  notFound,
} from '@hns/http';
import {
  Decision,
  DecisionProblem,
  RecordedDecision,
  SeatDecisionRequest,
  checkSeatDecision,
  decisionEvent,
} from './decisions';
import { transition } from './lifecycle';
import { ConflictDetector } from '@hns/deconfliction';
import { MovementLifecycle } from './movement-lifecycle';
import { ZoneConsequences } from './zone-consequences.service';
import { Refusal, reviewText } from './messages';
import { SeatPolicy, requiredSeats } from './review-policy';
import { REVIEW_QUEUE_SQL, ReviewQueue, queueLine } from './review-queue';

/** A version to fan out, with the request that asked for it (for the logs of its follow-ups). */
export interface FanOutItem {
  movementId: string;
  version: number;
  requestId?: string;
}

const DECISION_STATUS: Record<Exclude<Decision, 'escalate'>, string> = {
  approve: 'approved',
  flag: 'flagged',
};

/**
 * The cell's review of movements: review tasks per required seat, each seat's queue, and the
 * decisions that move a movement through its lifecycle. The rules are the pure functions of this
 * library; this service loads their inputs and writes their outcome in one transaction.
 */
@Injectable()
export class ReviewsService {
  private readonly policy: SeatPolicy = loadReviewPolicy();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly lifecycle: MovementLifecycle,
    private readonly detector: ConflictDetector,
    private readonly zoneConsequences: ZoneConsequences,
  ) {}

  /** Creates the review tasks of a version (idempotent) and moves the movement to in_review. */
  async fanOut(movementId: string, version: number): Promise<void> {
    await this.fanOutMany([{ movementId, version }]);
  }

  /**
   * The fan-out of many versions (the relay groups them) in one transaction and a few
   * set-based statements whatever their number: conflicts first, so that reviewers see them
   * with their task (issue 4), then the tasks, the status changes with their audit events and
   * deadlines, the automatic escalations and the consequences of no-go conflicts. Idempotent
   * per version: a superseded, closed or already fanned-out version is left as is. If the
   * batch fails, each version is tried in its own transaction, so that one movement's problem
   * holds none of the others back; the job fails (and is retried) if any of them failed.
   */
  async fanOutMany(items: FanOutItem[]): Promise<void> {
    try {
      await this.db.transaction((manager) => this.fanOutBatch(manager, items));
    } catch (error) {
      if (items.length === 1) throw error;
      const failed: unknown[] = [];
      for (const item of items) {
        await this.db
          .transaction((manager) => this.fanOutBatch(manager, [item]))
          .catch((itemError: unknown) => failed.push(itemError));
      }
      if (failed.length > 0) throw failed[0];
    }
  }

  private async fanOutBatch(manager: EntityManager, items: FanOutItem[]): Promise<void> {
    const wanted = new Map(items.map((item) => [item.movementId, item]));
    const locked = await this.lifecycle.lockMany(manager, [...wanted.keys()]);
    const due = locked.filter(
      (m) =>
        m.current_version === wanted.get(m.id)?.version && // else superseded by an amendment
        transition(m.status, { type: 'review_fanned_out' }).ok, // else cancelled or expired meanwhile
    );
    if (due.length === 0) return;
    const conflicts = await this.detector.detectForMovementVersions(
      due.map((m) => ({ movementId: m.id, version: m.current_version })),
      manager,
    );
    const seats = new Map(due.map((m) => [m.id, requiredSeats(this.policy, m.notification)]));
    const tasks = due.flatMap((m) => {
      const line = queueLine(m.notification);
      return seats.get(m.id)!.map((seat) => ({ m, seat, line }));
    });
    // Each task carries its version's queue line (review-queue.ts); the route's places travel
    // as one JSON array per task, an array of arrays not being something unnest can split.
    await manager.query(
      `INSERT INTO review_tasks (movement_id, version, seat, departure_at, route_places,
                                 escort_status, vehicle_count, personnel_count)
       SELECT t.movement_id, t.version, t.seat, t.departure_at,
              ARRAY(SELECT r.place FROM jsonb_array_elements_text(t.route) WITH ORDINALITY
                      AS r (place, n) ORDER BY r.n),
              t.escort_status, t.vehicle_count, t.personnel_count
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[], $5::jsonb[], $6::text[],
                   $7::int[], $8::int[])
         AS t (movement_id, version, seat, departure_at, route, escort_status, vehicle_count,
               personnel_count)
       ON CONFLICT (movement_id, version, seat) DO NOTHING`,
      [
        tasks.map((t) => t.m.id),
        tasks.map((t) => t.m.current_version),
        tasks.map((t) => t.seat),
        tasks.map((t) => t.m.notification.departure.at),
        tasks.map((t) => JSON.stringify(t.line.routePlaces)),
        tasks.map((t) => t.line.escortStatus),
        tasks.map((t) => t.line.vehicleCount),
        tasks.map((t) => t.line.personnelCount),
      ],
    );
    await this.lifecycle.applyToMany(
      manager,
      due.map((movement) => ({
        movement,
        event: { type: 'review_fanned_out' },
        details: { seats: seats.get(movement.id) },
        requestId: wanted.get(movement.id)?.requestId,
      })),
      null,
      'skip',
    );
    for (const movement of due) {
      if (movement.current_version === 1 && this.lifecycle.automaticRules(movement).length > 0)
        await this.lifecycle.escalateAutomatically(manager, movement.id);
    }
    await this.zoneConsequences.apply(manager, conflicts);
  }

  /** A seat's queue (review-queue.ts), as the JSON text PostgreSQL builds: the API sends it as is. */
  async queueJson(actor: Actor, limit = 100): Promise<string> {
    const seat = this.seatOf(actor);
    const [row]: { queue: string }[] = await this.db.query(REVIEW_QUEUE_SQL, [seat, limit]);
    return row.queue;
  }

  /** A seat's queue: pending tasks of current versions, soonest departure first. */
  async queue(actor: Actor, limit = 100): Promise<ReviewQueue> {
    return JSON.parse(await this.queueJson(actor, limit)) as ReviewQueue;
  }

  /** A seat approves, flags or escalates the current version of a movement. */
  async decide(actor: Actor, movementId: string, request: SeatDecisionRequest) {
    const seat = this.seatOf(actor);
    return this.db.transaction(async (manager) => {
      const movement = await this.lifecycle.lock(manager, movementId);
      if (!movement) throw notFound('movement.not_found', { id: movementId });
      const tasks: { seat: Seat; version: number; status: string }[] = await manager.query(
        `SELECT seat, version, status FROM review_tasks WHERE movement_id = $1`,
        [movementId],
      );
      const current = tasks.filter((t) => t.version === movement.current_version);
      const seats = current.length
        ? current.map((t) => t.seat)
        : requiredSeats(this.policy, movement.notification);
      const recorded: RecordedDecision[] = tasks.flatMap((t) =>
        t.status === 'approved' || t.status === 'flagged'
          ? [
              {
                seat: t.seat,
                version: t.version,
                decision: t.status === 'approved' ? 'approve' : 'flag',
              },
            ]
          : [],
      );
      const escalatedBySeat: { n: number }[] = await manager.query(
        `SELECT count(*)::int AS n FROM security_escalations WHERE movement_id = $1 AND version = $2 AND raised_by_seat = $3`,
        [movementId, movement.current_version, seat],
      );
      if (escalatedBySeat[0].n > 0) {
        recorded.push({ seat, version: movement.current_version, decision: 'escalate' });
      }
      const context = {
        seat,
        currentVersion: movement.current_version,
        requiredSeats: seats,
        recorded,
      };
      const check = checkSeatDecision(request, context);
      if (!check.ok) throw decisionRefused(check.refusal, check.problems);
      const decision = check.decision;

      if (decision.decision === 'escalate') {
        await this.lifecycle.raiseEscalation(manager, movement, {
          severity: decision.reasonCodes.includes('security_threat_on_route') ? 'critical' : 'high',
          raisedBy: actor.userId,
          seat,
          reasonCodes: decision.reasonCodes,
          comment: decision.comment,
        });
      } else {
        await manager.query(
          `UPDATE review_tasks SET status = $4, decided_by = $5, decided_at = now(), reason_codes = $6, comment = $7
           WHERE movement_id = $1 AND version = $2 AND seat = $3`,
          [
            movementId,
            decision.version,
            seat,
            DECISION_STATUS[decision.decision],
            actor.userId,
            decision.reasonCodes,
            decision.comment,
          ],
        );
      }
      await recordAudit(manager, {
        actorUserId: actor.userId,
        actorRole: `cell:${seat}`,
        organisationId: null,
        action: `review.${decision.decision}`,
        entityType: 'movement',
        entityId: movementId,
        details: {
          version: decision.version,
          reasonCodes: decision.reasonCodes,
          comment: decision.comment,
        },
      });
      const status = await this.lifecycle.apply(
        manager,
        movement,
        decisionEvent(decision, context),
        actor,
        {
          seat,
          decision: decision.decision,
        },
      );
      return { movementId, version: decision.version, seat, decision: decision.decision, status };
    });
  }

  /** The organisation reports its convoy under way (departed) or arrived. */
  async reportProgress(actor: Actor, movementId: string, event: 'departed' | 'arrived') {
    if (actor.role !== 'ngo' || !actor.organisationId) throw forbidden();
    return this.db.transaction(async (manager) => {
      const movement = await this.lifecycle.lock(manager, movementId);
      // Another organisation's movement is reported as absent, never as forbidden.
      if (!movement || movement.organisation_id !== actor.organisationId) {
        throw notFound('movement.not_found', { id: movementId });
      }
      const status = await this.lifecycle.apply(manager, movement, { type: event }, actor, {});
      return { movementId, version: movement.current_version, status };
    });
  }

  private seatOf(actor: Actor): Seat {
    if (actor.role !== 'cell' || !actor.seat) throw forbidden();
    return actor.seat;
  }
}

function bilingual(refusal: Pick<Refusal, 'messageKey' | 'params'>) {
  return {
    fr: reviewText('fr', refusal.messageKey, refusal.params),
    en: reviewText('en', refusal.messageKey, refusal.params),
  };
}

function decisionRefused(kind: 'forbidden' | 'conflict' | 'invalid', problems: DecisionProblem[]) {
  if (kind === 'invalid') {
    return new ValidationFailedException(
      problems.map((p): FieldProblem => ({ field: p.field, rule: p.rule, text: bilingual(p) })),
    );
  }
  const [first] = problems;
  const status = kind === 'forbidden' ? HttpStatus.FORBIDDEN : HttpStatus.CONFLICT;
  const fallback = kind === 'forbidden' ? 'http.forbidden' : 'http.conflict';
  return new LocalizedHttpException(
    status,
    fallback,
    {},
    first?.rule ?? kind,
    {},
    first && bilingual(first),
  );
}
