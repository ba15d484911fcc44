import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { EmailDeliveryService } from '@hns/mail';
import type { NotificationData } from '../notification.schema';
import { renderReceipt } from './receipt.mail';

interface VersionRow {
  reference: string;
  organisation_name: string;
  notification: NotificationData;
}

/** Sends the emails about a movement; each one at most once per movement, version and kind. */
@Injectable()
export class MovementMailer {
  constructor(
    private readonly deliveries: EmailDeliveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async sendReceipt(movementId: string, version: number): Promise<void> {
    // The version is read by the statement that claims the email (no round trip of its own).
    await this.deliveries.sendOnceWith<VersionRow>(
      {
        idempotencyKey: `movement.receipt:${movementId}:v${version}`,
        kind: 'movement.receipt',
        movementId,
        movementVersion: version,
      },
      {
        label: 'receipt',
        sql: `SELECT m.reference, o.name AS organisation_name, v.notification
              FROM movement_versions v
              JOIN movement_notifications m ON m.id = v.movement_id
              JOIN organisations o ON o.id = m.organisation_id
              WHERE v.movement_id = $1 AND v.version = $2`,
        types: ['uuid', 'integer'],
        parameters: [movementId, version],
        // The rows are written in the same transaction as the outbox entry: absence is a bug.
        notFound: `movement ${movementId} version ${version} not found`,
      },
      (row) =>
        renderReceipt(
          {
            reference: row.reference,
            version,
            organisationName: row.organisation_name,
            notification: row.notification,
            movementUrl: `${this.config.APP_URL}/movements/${movementId}`,
          },
          [row.notification.focalPoint.email],
        ),
    );
  }
}
