import { Pool } from 'pg';
import { OUTBOX_READY_SQL } from '../../libs/queue/src/queues';
import type { AttemptEffect } from './http';

/** Reads the suite's own database directly, to judge the outcome independently of the API. */
export class DatabaseProbe {
  private readonly pool: Pool;

  constructor(url: string) {
    this.pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 3000 });
    this.pool.on('error', () => undefined);
  }

  async statuses(ids: Iterable<string>): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM movement_notifications
       WHERE id = ANY($1::uuid[]) GROUP BY status`,
      [[...ids]],
    );
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }

  /** Movements written for a scenario, whatever the client heard: more than accepted = doubled. */
  async movementsTagged(tag: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(DISTINCT movement_id)::int AS n FROM movement_versions
       WHERE notification->>'purpose' LIKE $1`,
      [`${tag} #%`],
    );
    return rows[0].n;
  }

  /** Outbox rows still to relay now (timers due later wait in the outbox by design). */
  async unrelayedOutbox(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE ${OUTBOX_READY_SQL}`,
    );
    return rows[0].n;
  }

  /** Timers waiting in the outbox (due later than the relay's horizon): their outbox ids. */
  async waitingTimers(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM outbox WHERE relayed_at IS NULL AND run_at IS NOT NULL`,
    );
    return rows.map((row) => row.id);
  }

  /** How many of these timers are neither waiting in the outbox nor handed to BullMQ any more. */
  async missingOutboxTimers(ids: string[]): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return ids.length - rows[0].n;
  }

  /** Delivery attempts recorded for the movements' emails: how the retries behaved. */
  async deliveries(ids: Iterable<string>) {
    const { rows } = await this.pool.query<{
      sent: number;
      unsent: number;
      retried: number;
      max_attempts: number;
    }>(
      `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent,
              count(*) FILTER (WHERE status <> 'sent')::int AS unsent,
              count(*) FILTER (WHERE attempts > 1)::int AS retried,
              coalesce(max(attempts), 0)::int AS max_attempts
       FROM email_deliveries WHERE movement_id = ANY($1::uuid[])`,
      [[...ids]],
    );
    return rows[0];
  }

  /** Whether the API did the work of a request (its row is there), whatever the client heard. */
  async processed(effect: AttemptEffect): Promise<boolean> {
    const { rows } =
      effect.kind === 'submission'
        ? await this.pool.query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [
            effect.idempotencyKey,
          ])
        : await this.pool.query(
            `SELECT 1 FROM review_tasks WHERE movement_id = $1 AND seat = $2 AND status <> 'pending'`,
            [effect.movementId, effect.seat],
          );
    return rows.length > 0;
  }

  /** "HNS-ML-2026-000045 movement.receipt: sent after 2 attempts", for the evidence of a duplicate. */
  async deliveryHistory(references: string[]): Promise<string[]> {
    const { rows } = await this.pool.query<{
      reference: string;
      kind: string;
      status: string;
      attempts: number;
    }>(
      `SELECT m.reference, d.kind, d.status, d.attempts FROM email_deliveries d
       JOIN movement_notifications m ON m.id = d.movement_id
       WHERE m.reference = ANY($1::text[]) ORDER BY m.reference, d.kind`,
      [references],
    );
    return rows.map((r) => `${r.reference} ${r.kind}: ${r.status} after ${r.attempts} attempts`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
