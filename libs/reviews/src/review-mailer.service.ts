import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { preparedQuery } from '@hns/database';
import { EmailDeliveryService } from '@hns/mail';
import type { Seat } from '@hns/config';
import {
  MovementStatus,
  FlagReason,
  NotificationData,
  ReasonText,
  renderAcknowledgement,
  renderCancellationNotice,
  renderEscalationOverdue,
  renderExpiryNotice,
  renderFlagNotice,
  renderOverdueAlert,
  renderSeatReminder,
  renderZoneCleared,
  renderSecurityEscalation,
} from '@hns/movements';
import { ReasonCode, describeReason, isReasonCode } from './reason-codes';

interface MovementRow {
  id: string;
  reference: string;
  status: MovementStatus;
  cancellation_reason: string | null;
  updated_at: Date;
  organisation_name: string;
  notification: NotificationData;
  acknowledged_at: Date | null;
}

/** A movement's version as the cell's emails show it ($1 movement id, $2 version). */
const MOVEMENT_SQL = `SELECT m.id, m.reference, m.status, m.cancellation_reason, m.updated_at,
       o.name AS organisation_name, v.notification,
       (SELECT max(decided_at) FROM review_tasks t WHERE t.movement_id = m.id AND t.version = v.version) AS acknowledged_at
FROM movement_versions v
JOIN movement_notifications m ON m.id = v.movement_id
JOIN organisations o ON o.id = m.organisation_id
WHERE v.movement_id = $1 AND v.version = $2`;

const SEAT_NAMES: Record<string, { fr: string; en: string }> = {
  armed_forces_liaison: { fr: 'Liaison forces armées', en: 'Armed forces liaison' },
  undss: { fr: 'UNDSS', en: 'UNDSS' },
  wfp_logistics: { fr: 'PAM / Logistique', en: 'WFP / Logistics' },
  ocha: { fr: 'OCHA', en: 'OCHA' },
};

/**
 * The cell's emails: deconfliction acknowledgements, flag notices and UNDSS escalations. Each is
 * recorded under a key before it is sent, so a job that runs twice sends nothing twice.
 */
@Injectable()
export class ReviewMailer {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deliveries: EmailDeliveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async sendAcknowledgement(movementId: string, version: number): Promise<void> {
    // The movement is read by the statement that claims the email (no round trip of its own).
    await this.deliveries.sendOnceWith<MovementRow>(
      {
        idempotencyKey: `movement.acknowledgement:${movementId}:v${version}`,
        kind: 'movement.acknowledgement',
        movementId,
        movementVersion: version,
      },
      {
        label: 'acknowledgement',
        sql: MOVEMENT_SQL,
        types: ['uuid', 'integer'],
        parameters: [movementId, version],
        notFound: `movement ${movementId} version ${version} not found`,
      },
      (m) =>
        renderAcknowledgement(
          {
            reference: m.reference,
            version,
            organisationName: m.organisation_name,
            notification: m.notification,
            movementUrl: this.movementUrl(movementId),
            calendarOrganizerEmail: bareAddress(this.config.MAIL_FROM),
            acknowledgedAt: (m.acknowledged_at ?? new Date()).toISOString(),
          },
          [m.notification.focalPoint.email],
          this.config.OCHA_CELL_EMAILS,
        ),
    );
  }

  /**
   * One notice with every flag of the version (seats' flags and UNDSS advice); a later flag sends
   * a new notice listing them all. UNDSS's resolution note stays with the cell (need to know).
   */
  async sendFlagNotice(movementId: string, version: number): Promise<void> {
    const m = await this.movement(movementId, version);
    const flags: { source: string; reason_codes: string[]; comment: string | null }[] =
      await this.db.query(
        `SELECT seat AS source, reason_codes, comment FROM review_tasks
       WHERE movement_id = $1 AND version = $2 AND status = 'flagged'
       UNION ALL
       SELECT 'undss:' || id, ARRAY['undss_' || outcome], NULL FROM security_escalations
       WHERE movement_id = $1 AND version = $2 AND status = 'resolved' AND outcome LIKE 'advise_%'
       ORDER BY 1`,
        [movementId, version],
      );
    // Restricted zones: only what the organisation may know (public label and time window).
    const zones: { zone_id: string; public_label: string; from: Date; until: Date }[] =
      await this.db.query(
        `SELECT c.zone_id, z.public_label, lower(c.overlap) AS "from", upper(c.overlap) AS until
         FROM movement_conflicts c JOIN restricted_zones z ON z.id = c.zone_id
         WHERE c.movement_id = $1 AND c.version = $2 AND c.level = 'no_go' AND z.lifted_at IS NULL
         ORDER BY lower(c.overlap), c.zone_id`,
        [movementId, version],
      );
    if (flags.length === 0 && zones.length === 0) return;
    const sources = [...flags.map((f) => f.source), ...zones.map((z) => `zone:${z.zone_id}`)];
    const reasons: FlagReason[] = [
      ...zones.map((z) => ({
        ...reasonText('route_through_restricted_area'),
        restrictedArea: {
          publicLabel: z.public_label,
          from: z.from.toISOString(),
          until: z.until.toISOString(),
        },
      })),
      ...dedupe(flags.flatMap((f) => f.reason_codes.filter(isReasonCode)).map(reasonText)),
    ];
    const comments = flags.map((f) => f.comment).filter((c): c is string => !!c);
    await this.deliveries.sendOnce(
      {
        idempotencyKey: `movement.flag-notice:${movementId}:v${version}:${sources.join('+')}`,
        kind: 'movement.flag-notice',
        movementId,
        movementVersion: version,
      },
      () =>
        renderFlagNotice(
          {
            reference: m.reference,
            version,
            movementId,
            movementUrl: this.movementUrl(movementId),
            notification: m.notification,
            reasons,
            comment: comments.length ? comments.join('\n') : undefined,
          },
          [m.notification.focalPoint.email],
        ),
    );
  }

  /** The alert to UNDSS: the configured addresses and every active UNDSS seat user. */
  async sendEscalationAlert(escalationId: string): Promise<void> {
    const e = await this.escalation(escalationId);
    const m = await this.movement(e.movement_id, e.version);
    const to = await this.undssAddresses();
    await this.deliveries.sendOnce(
      {
        idempotencyKey: `escalation.alert:${escalationId}:0`,
        kind: 'escalation.alert',
        movementId: e.movement_id,
        movementVersion: e.version,
      },
      () =>
        renderSecurityEscalation(
          {
            reference: m.reference,
            version: e.version,
            severity: e.severity,
            organisationName: m.organisation_name,
            notification: m.notification,
            reasons: e.reason_codes.filter(isReasonCode).map(reasonText),
            raisedBy: e.raised_by_seat
              ? (SEAT_NAMES[e.raised_by_seat] ?? { fr: e.raised_by_seat, en: e.raised_by_seat })
              : { fr: 'Règle automatique', en: 'Automatic rule' },
            comment: e.comment ?? undefined,
            acknowledgeBy: e.acknowledge_by.toISOString(),
            escalationUrl: `${this.config.APP_URL}/escalations/${escalationId}`,
            movementUrl: this.movementUrl(e.movement_id),
          },
          to,
        ),
    );
  }

  async sendCancellationNotice(movementId: string, version: number): Promise<void> {
    const m = await this.movement(movementId, version);
    await this.deliveries.sendOnce(
      {
        idempotencyKey: `movement.cancellation:${movementId}`,
        kind: 'movement.cancellation',
        movementId,
        movementVersion: version,
      },
      () =>
        renderCancellationNotice(
          {
            reference: m.reference,
            version,
            organisationName: m.organisation_name,
            notification: m.notification,
            reason: m.cancellation_reason ?? '',
            cancelledAt: m.updated_at.toISOString(),
            movementUrl: this.movementUrl(movementId),
          },
          [m.notification.focalPoint.email],
          this.config.OCHA_CELL_EMAILS,
        ),
    );
  }

  async sendExpiryNotice(movementId: string, version: number): Promise<void> {
    const m = await this.movement(movementId, version);
    await this.deliveries.sendOnce(
      {
        idempotencyKey: `movement.expiry:${movementId}:v${version}`,
        kind: 'movement.expiry',
        movementId,
        movementVersion: version,
      },
      () =>
        renderExpiryNotice(
          {
            reference: m.reference,
            version,
            organisationName: m.organisation_name,
            notification: m.notification,
            movementUrl: this.movementUrl(movementId),
            newNotificationUrl: `${this.config.APP_URL}/movements/new`,
          },
          [m.notification.focalPoint.email],
        ),
    );
  }

  /** To the active users of the seat that has not decided yet. */
  async sendSeatReminder(movementId: string, version: number, seat: string): Promise<void> {
    const m = await this.movement(movementId, version);
    const to = await this.seatAddresses(seat);
    if (to.length === 0) return; // nobody holds the seat: the OCHA overdue alert covers it
    await this.deliveries.sendOnce(
      {
        idempotencyKey: `review.reminder:${movementId}:v${version}:${seat}`,
        kind: 'review.reminder',
        movementId,
        movementVersion: version,
      },
      () =>
        renderSeatReminder(
          {
            reference: m.reference,
            version,
            organisationName: m.organisation_name,
            notification: m.notification,
            seat: seat as Seat,
            reviewUrl: this.movementUrl(movementId),
            sentAt: new Date().toISOString(),
          },
          to,
        ),
    );
  }

  /** To the OCHA cell addresses and the OCHA seat: a movement close to departure, not acknowledged. */
  async sendOverdueAlert(movementId: string, version: number): Promise<void> {
    const m = await this.movement(movementId, version);
    const pending: { seat: Seat }[] = await this.db.query(
      `SELECT seat FROM review_tasks WHERE movement_id = $1 AND version = $2 AND status = 'pending' ORDER BY seat`,
      [movementId, version],
    );
    const [open]: { n: number }[] = await this.db.query(
      `SELECT count(*)::int AS n FROM security_escalations WHERE movement_id = $1 AND status <> 'resolved'`,
      [movementId],
    );
    const to = unique([...this.config.OCHA_CELL_EMAILS, ...(await this.seatAddresses('ocha'))]);
    await this.deliveries.sendOnce(
      {
        idempotencyKey: `review.overdue:${movementId}:v${version}`,
        kind: 'review.overdue',
        movementId,
        movementVersion: version,
      },
      () =>
        renderOverdueAlert(
          {
            reference: m.reference,
            version,
            organisationName: m.organisation_name,
            notification: m.notification,
            status: m.status,
            pendingSeats: pending.map((p) => p.seat),
            openEscalations: open.n,
            movementUrl: this.movementUrl(movementId),
            sentAt: new Date().toISOString(),
          },
          to,
        ),
    );
  }

  /** A missed acknowledgement deadline: UNDSS again, and OCHA (the circle widens). */
  async sendEscalationOverdue(escalationId: string, alert: number): Promise<void> {
    const e = await this.escalation(escalationId);
    const m = await this.movement(e.movement_id, e.version);
    const to = unique([
      ...(await this.undssAddresses()),
      ...this.config.OCHA_CELL_EMAILS,
      ...(await this.seatAddresses('ocha')),
    ]);
    await this.deliveries.sendOnce(
      {
        idempotencyKey: `escalation.overdue:${escalationId}:${alert}`,
        kind: 'escalation.overdue',
        movementId: e.movement_id,
        movementVersion: e.version,
      },
      () =>
        renderEscalationOverdue(
          {
            reference: m.reference,
            version: e.version,
            severity: e.severity,
            organisationName: m.organisation_name,
            notification: m.notification,
            acknowledgeBy: e.acknowledge_by.toISOString(),
            movementUrl: this.movementUrl(e.movement_id),
            alertNumber: alert,
            sentAt: new Date().toISOString(),
            escalationsUrl: `${this.config.APP_URL}/escalations`,
          },
          to,
        ),
    );
  }

  /** To the OCHA cell and the reviewing seats: a zone that explained a flag is lifted or moved. */
  async sendZoneCleared(movementId: string, version: number, zoneId: string): Promise<void> {
    const m = await this.movement(movementId, version);
    const [zone]: {
      name: string;
      public_label: string;
      lifted_at: Date | null;
      updated_at: Date;
    }[] = await this.db.query(
      `SELECT name, public_label, lifted_at, updated_at FROM restricted_zones WHERE id = $1`,
      [zoneId],
    );
    if (!zone) throw new Error(`zone ${zoneId} not found`);
    const seats: { seat: string }[] = await this.db.query(
      `SELECT DISTINCT seat FROM review_tasks WHERE movement_id = $1 AND version = $2`,
      [movementId, version],
    );
    const reviewers = (await Promise.all(seats.map((s) => this.seatAddresses(s.seat)))).flat();
    const to = unique([...this.config.OCHA_CELL_EMAILS, ...reviewers]);
    if (to.length === 0) return;
    await this.deliveries.sendOnce(
      {
        idempotencyKey: `zone.cleared:${movementId}:v${version}:${zoneId}`,
        kind: 'zone.cleared',
        movementId,
        movementVersion: version,
      },
      () =>
        renderZoneCleared(
          {
            reference: m.reference,
            version,
            organisationName: m.organisation_name,
            notification: m.notification,
            zoneName: zone.name,
            zonePublicLabel: zone.public_label,
            lifted: zone.lifted_at !== null,
            changedAt: (zone.lifted_at ?? zone.updated_at).toISOString(),
            reviewUrl: this.movementUrl(movementId),
          },
          to,
        ),
    );
  }

  private async escalation(id: string): Promise<EscalationRow> {
    const [row]: EscalationRow[] = await this.db.query(
      `SELECT movement_id, version, severity, raised_by_seat, reason_codes, comment, acknowledge_by
       FROM security_escalations WHERE id = $1`,
      [id],
    );
    if (!row) throw new Error(`escalation ${id} not found`);
    return row;
  }

  private async seatAddresses(seat: string): Promise<string[]> {
    const rows: { email: string }[] = await this.db.query(
      `SELECT email FROM users WHERE role = 'cell' AND seat = $1 AND disabled_at IS NULL ORDER BY email`,
      [seat],
    );
    return rows.map((r) => r.email);
  }

  /** UNDSS_ESCALATION_EMAILS and every active UNDSS seat user. */
  private async undssAddresses(): Promise<string[]> {
    return unique([...this.config.UNDSS_ESCALATION_EMAILS, ...(await this.seatAddresses('undss'))]);
  }

  private async movement(movementId: string, version: number): Promise<MovementRow> {
    // Once per email of the cell: a prepared statement (parsed and planned once per connection).
    const [row] = await preparedQuery<MovementRow & QueryResultRow>(
      this.db,
      'review-mailer-movement',
      MOVEMENT_SQL,
      [movementId, version],
    );
    if (!row) throw new Error(`movement ${movementId} version ${version} not found`);
    return row;
  }

  private movementUrl(id: string): string {
    return `${this.config.APP_URL}/movements/${id}`;
  }
}

interface EscalationRow {
  movement_id: string;
  version: number;
  severity: 'critical' | 'high' | 'medium' | 'low';
  raised_by_seat: string | null;
  reason_codes: string[];
  comment: string | null;
  acknowledge_by: Date;
}

function unique(addresses: string[]): string[] {
  return [...new Set(addresses)];
}

function reasonText(code: ReasonCode): ReasonText {
  const fr = describeReason(code, 'fr');
  const en = describeReason(code, 'en');
  return { code, fr: fr.label, en: en.label, hintFr: fr.hint, hintEn: en.hint };
}

function dedupe(reasons: ReasonText[]): ReasonText[] {
  return reasons.filter((r, i) => reasons.findIndex((o) => o.code === r.code) === i);
}

function bareAddress(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
}
