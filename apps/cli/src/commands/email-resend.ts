import { DataSource } from 'typeorm';
import { recordAudit } from '@hns/audit';
import { APP_CONFIG, AppConfig } from '@hns/config';
import {
  DeliveryLoad,
  EmailDeliveryKey,
  EmailDeliveryService,
  MailMessage,
  MailTransport,
} from '@hns/mail';
import { MovementMailer } from '@hns/movements';
import { ReviewMailer } from '@hns/reviews';
import { Command, CommandError, cliAudit } from './command';

interface DeliveryRow {
  idempotency_key: string;
  kind: string;
  movement_id: string | null;
  movement_version: number | null;
}

type Mailers = { movements: MovementMailer; reviews: ReviewMailer };

/** How each kind of email is sent again, from its key's parts (see the mailers' keys). */
const RESEND: Record<string, (m: Mailers, parts: string[], row: DeliveryRow) => Promise<void>> = {
  'movement.receipt': (m, [id, v]) => m.movements.sendReceipt(id, version(v)),
  'movement.acknowledgement': (m, [id, v]) => m.reviews.sendAcknowledgement(id, version(v)),
  'movement.flag-notice': (m, [id, v]) => m.reviews.sendFlagNotice(id, version(v)),
  'movement.cancellation': (m, [id], row) =>
    m.reviews.sendCancellationNotice(id, row.movement_version ?? 1),
  'movement.expiry': (m, [id, v]) => m.reviews.sendExpiryNotice(id, version(v)),
  'review.reminder': (m, [id, v, seat]) => m.reviews.sendSeatReminder(id, version(v), seat),
  'review.overdue': (m, [id, v]) => m.reviews.sendOverdueAlert(id, version(v)),
  'escalation.alert': (m, [escalationId]) => m.reviews.sendEscalationAlert(escalationId),
  'escalation.overdue': (m, [escalationId, alert]) =>
    m.reviews.sendEscalationOverdue(escalationId, Number(alert)),
  'zone.cleared': (m, [id, v, zoneId]) => m.reviews.sendZoneCleared(id, version(v), zoneId),
};

export const RESENDABLE_KINDS = Object.keys(RESEND);

function version(part: string | undefined): number {
  const n = Number(/^v(\d+)$/.exec(part ?? '')?.[1]);
  if (!Number.isInteger(n) || n < 1) throw new CommandError(`key: no version in "${part}"`);
  return n;
}

/** Deliveries through the same service, each under the original key plus a resend suffix. */
class ResendDeliveries extends EmailDeliveryService {
  constructor(
    db: DataSource,
    transport: MailTransport,
    config: AppConfig,
    private readonly suffix: string,
  ) {
    super(db, transport, config);
  }

  override sendOnce(key: EmailDeliveryKey, build: () => Promise<MailMessage> | MailMessage) {
    return super.sendOnce(this.resendKey(key), build);
  }

  override sendOnceWith<T extends object>(
    key: EmailDeliveryKey,
    load: DeliveryLoad,
    build: (row: T) => Promise<MailMessage> | MailMessage,
  ) {
    return super.sendOnceWith(this.resendKey(key), load, build);
  }

  private resendKey(key: EmailDeliveryKey): EmailDeliveryKey {
    return { ...key, idempotencyKey: `${key.idempotencyKey}${this.suffix}` };
  }
}

/** email:resend --key <key> | --movement <reference> --kind <kind> [--version <n>] */
export const emailResend: Command = async (app, args) => {
  const db = app.get(DataSource);
  const original = await findDelivery(db, args);
  const baseKey = original.idempotency_key.replace(/:resend:\d+$/, '');
  const [kind, ...parts] = baseKey.split(':');
  const resend = RESEND[kind];
  if (!resend) {
    throw new CommandError(
      `kind: "${kind}" cannot be resent; one of ${RESENDABLE_KINDS.join(', ')}`,
    );
  }
  const [{ n }]: { n: number }[] = await db.query(
    `SELECT count(*)::int AS n FROM email_deliveries WHERE starts_with(idempotency_key, $1)`,
    [`${baseKey}:resend:`],
  );
  const suffix = `:resend:${n + 1}`;
  const config = app.get<AppConfig>(APP_CONFIG);
  const deliveries = new ResendDeliveries(db, app.get(MailTransport), config, suffix);
  const mailers = {
    movements: new MovementMailer(deliveries, config),
    reviews: new ReviewMailer(db, deliveries, config),
  };
  let failure: unknown;
  await resend(mailers, parts, original).catch((error: unknown) => (failure = error));
  const newKey = `${baseKey}${suffix}`;
  const [sent]: { status: string; recipients: string[] }[] = await db.query(
    `SELECT status, recipients FROM email_deliveries WHERE idempotency_key = $1`,
    [newKey],
  );
  await db.transaction((manager) =>
    recordAudit(
      manager,
      cliAudit(
        'email.resent',
        original.movement_id ? 'movement' : 'email_delivery',
        original.movement_id ?? baseKey,
        {
          kind,
          originalKey: original.idempotency_key,
          key: newKey,
          status: sent?.status ?? 'none',
        },
      ),
    ),
  );
  if (failure) {
    const reason = failure instanceof Error ? failure.message : String(failure);
    return { code: 1, lines: [`Not sent / non envoyé: ${newKey}: ${reason}`] };
  }
  if (!sent) {
    return {
      code: 1,
      lines: [`Nothing to send (no recipient or nothing left to say) / rien à envoyer: ${baseKey}`],
    };
  }
  return {
    code: 0,
    lines: [`Email sent again / e-mail renvoyé: ${newKey} → ${sent.recipients.join(', ')}`],
  };
};

async function findDelivery(
  db: DataSource,
  args: { key?: string; movement?: string; kind?: string; version?: string },
) {
  if (args.key) {
    const [row]: DeliveryRow[] = await db.query(
      `SELECT idempotency_key, kind, movement_id, movement_version FROM email_deliveries
       WHERE idempotency_key = $1`,
      [args.key],
    );
    if (!row) throw new CommandError(`key: no email delivery / aucune remise "${args.key}"`);
    return row;
  }
  if (!args.movement || !args.kind) {
    throw new CommandError(
      'give --key, or --movement and --kind / donnez --key, ou --movement et --kind',
    );
  }
  const [row]: DeliveryRow[] = await db.query(
    `SELECT d.idempotency_key, d.kind, d.movement_id, d.movement_version
     FROM email_deliveries d JOIN movement_notifications m ON m.id = d.movement_id
     WHERE m.reference = $1 AND d.kind = $2 AND ($3::int IS NULL OR d.movement_version = $3::int)
       AND d.idempotency_key NOT LIKE '%:resend:%'
     ORDER BY d.created_at DESC LIMIT 1`,
    [args.movement, args.kind, args.version ? Number(args.version) : null],
  );
  if (!row) {
    const kinds: { kind: string }[] = await db.query(
      `SELECT DISTINCT d.kind FROM email_deliveries d
       JOIN movement_notifications m ON m.id = d.movement_id WHERE m.reference = $1 ORDER BY 1`,
      [args.movement],
    );
    throw new CommandError(
      `no ${args.kind} email for / aucun e-mail ${args.kind} pour ${args.movement}` +
        ` (on record / au dossier: ${kinds.map((k) => k.kind).join(', ') || 'none / aucun'})`,
    );
  }
  return row;
}
