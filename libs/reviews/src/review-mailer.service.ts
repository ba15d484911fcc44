import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { EmailDeliveryService } from '@hns/mail';
import {
  NotificationData,
  ReasonText,
  renderAcknowledgement,
  renderFlagNotice,
  renderSecurityEscalation,
} from '@hns/movements';
import { ReasonCode, describeReason, isReasonCode } from './reason-codes';

interface MovementRow {
  id: string;
  reference: string;
  organisation_name: string;
  notification: NotificationData;
  acknowledged_at: Date | null;
}

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
    const m = await this.movement(movementId, version);
    await this.deliveries.sendOnce(
      {
        idempotencyKey: `movement.acknowledgement:${movementId}:v${version}`,
        kind: 'movement.acknowledgement',
        movementId,
        movementVersion: version,
      },
      () =>
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

  /** One notice with every flag of the version; a later flag sends a new notice listing them all. */
  async sendFlagNotice(movementId: string, version: number): Promise<void> {
    const m = await this.movement(movementId, version);
    const flags: { seat: string; reason_codes: string[]; comment: string | null }[] =
      await this.db.query(
        `SELECT seat, reason_codes, comment FROM review_tasks
       WHERE movement_id = $1 AND version = $2 AND status = 'flagged' ORDER BY decided_at, seat`,
        [movementId, version],
      );
    if (flags.length === 0) return;
    const reasons = flags.flatMap((f) => f.reason_codes.filter(isReasonCode)).map(reasonText);
    const comments = flags.map((f) => f.comment).filter((c): c is string => !!c);
    await this.deliveries.sendOnce(
      {
        idempotencyKey: `movement.flag-notice:${movementId}:v${version}:${flags.map((f) => f.seat).join('+')}`,
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
            reasons: dedupe(reasons),
            comment: comments.length ? comments.join('\n') : undefined,
          },
          [m.notification.focalPoint.email],
        ),
    );
  }

  /** The alert to UNDSS: the configured addresses and every active UNDSS seat user. */
  async sendEscalationAlert(escalationId: string): Promise<void> {
    const [e]: {
      movement_id: string;
      version: number;
      severity: 'critical' | 'high' | 'medium';
      raised_by_seat: string | null;
      reason_codes: string[];
      comment: string | null;
      acknowledge_by: Date;
    }[] = await this.db.query(
      `SELECT movement_id, version, severity, raised_by_seat, reason_codes, comment, acknowledge_by
       FROM security_escalations WHERE id = $1`,
      [escalationId],
    );
    if (!e) throw new Error(`escalation ${escalationId} not found`);
    const m = await this.movement(e.movement_id, e.version);
    const undss: { email: string }[] = await this.db.query(
      `SELECT email FROM users WHERE role = 'cell' AND seat = 'undss' AND disabled_at IS NULL ORDER BY email`,
    );
    const to = [...new Set([...this.config.UNDSS_ESCALATION_EMAILS, ...undss.map((u) => u.email)])];
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

  private async movement(movementId: string, version: number): Promise<MovementRow> {
    const [row]: MovementRow[] = await this.db.query(
      `SELECT m.id, m.reference, o.name AS organisation_name, v.notification,
              (SELECT max(decided_at) FROM review_tasks t WHERE t.movement_id = m.id AND t.version = v.version) AS acknowledged_at
       FROM movement_versions v
       JOIN movement_notifications m ON m.id = v.movement_id
       JOIN organisations o ON o.id = m.organisation_id
       WHERE v.movement_id = $1 AND v.version = $2`,
      [movementId, version],
    );
    if (!row) throw new Error(`movement ${movementId} version ${version} not found`);
    return row;
  }

  private movementUrl(id: string): string {
    return `${this.config.APP_URL}/movements/${id}`;
  }
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
