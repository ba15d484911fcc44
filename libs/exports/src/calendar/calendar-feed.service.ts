import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { recordAudit } from '@hns/audit';
import type { Actor } from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { LocalizedHttpException } from '@hns/http';
import { MOVEMENT_STATUSES } from '@hns/movements';
import { exportsText } from '../messages';
import { MovementExportSource } from '../movement-export.source';
import { CALENDAR_TAIL, calendarEvents, calendarHead, movementFeedEvent } from './feed';

/** 32 random bytes, base64url: unguessable, and safe in a URL path. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Events in one feed; calendar applications slow down well before this. */
export const MAX_FEED_EVENTS = 2000;
/** Movements that arrived this long ago still show, so last week stays in the calendar. */
const FEED_PAST_DAYS = 30;
/** An expired movement never took place: it leaves the calendar. */
const FEED_STATUSES = MOVEMENT_STATUSES.filter((s) => s !== 'expired');

export interface CalendarFeedAddress {
  url: string;
  createdAt: string;
  /** A previous address existed and no longer works. */
  rotated: boolean;
}

/**
 * The per-user iCalendar feed at a secret address: the movements the user may see (an
 * organisation's own, all of them for the cell), read with the user's current rights at each
 * poll, so a disabled account or a revoked address stops at once.
 */
@Injectable()
export class CalendarFeedService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly source: MovementExportSource,
  ) {}

  /** Creates the user's feed address, or replaces it (the old one stops working). */
  async issue(actor: Actor): Promise<CalendarFeedAddress> {
    const token = randomBytes(32).toString('base64url');
    return this.db.transaction(async (manager) => {
      const [previous]: unknown[] = await manager.query(
        `SELECT 1 FROM calendar_feed_tokens WHERE user_id = $1 FOR UPDATE`,
        [actor.userId],
      );
      const [row]: { created_at: Date }[] = await manager.query(
        `INSERT INTO calendar_feed_tokens (user_id, token_sha256) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET token_sha256 = EXCLUDED.token_sha256, created_at = now()
         RETURNING created_at`,
        [actor.userId, sha256(token)],
      );
      await recordAudit(manager, {
        ...auditActor(actor),
        action: previous ? 'calendar_feed.rotated' : 'calendar_feed.issued',
        entityType: 'user',
        entityId: actor.userId,
      });
      return {
        url: `${this.config.APP_URL}/calendar/${token}.ics`,
        createdAt: row.created_at.toISOString(),
        rotated: Boolean(previous),
      };
    });
  }

  /** Revokes the user's feed address; true when there was one. */
  async revoke(actor: Actor): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const removed: unknown[] = await manager.query(
        `DELETE FROM calendar_feed_tokens WHERE user_id = $1 RETURNING 1`,
        [actor.userId],
      );
      if (removed.length === 0) return false;
      await recordAudit(manager, {
        ...auditActor(actor),
        action: 'calendar_feed.revoked',
        entityType: 'user',
        entityId: actor.userId,
      });
      return true;
    });
  }

  /** The feed of a token, as iCalendar text in pieces; 404 for an unknown or revoked token. */
  async feed(token: string): Promise<AsyncGenerator<string>> {
    const actor = TOKEN_PATTERN.test(token) ? await this.holder(token) : undefined;
    if (!actor) {
      throw new LocalizedHttpException(
        HttpStatus.NOT_FOUND,
        'http.not_found',
        {},
        'calendar_token_unknown',
        {},
        exportsText('calendar.token_unknown'),
      );
    }
    const since = new Date(Date.now() - FEED_PAST_DAYS * 24 * 3600_000).toISOString();
    const selection = await this.source.select(
      actor,
      { status: [...FEED_STATUSES], from: since },
      actor.locale,
      MAX_FEED_EVENTS,
    );
    const appUrl = this.config.APP_URL;
    return (async function* () {
      yield calendarHead('CMCoord HNS — mouvements / movements');
      for await (const batch of selection.batches()) {
        yield calendarEvents(batch.map((m) => movementFeedEvent(m, `${appUrl}/movements/${m.id}`)));
      }
      yield CALENDAR_TAIL;
    })();
  }

  /** The active user holding the token, as an actor with today's rights. */
  private async holder(token: string): Promise<Actor | undefined> {
    const [user]: {
      id: string;
      email: string;
      role: Actor['role'];
      seat: Actor['seat'];
      organisation_id: string | null;
      locale: Actor['locale'];
    }[] = await this.db.query(
      `SELECT u.id, u.email, u.role, u.seat, u.organisation_id, u.locale
       FROM calendar_feed_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_sha256 = $1 AND u.disabled_at IS NULL AND u.role IN ('ngo', 'cell')`,
      [sha256(token)],
    );
    if (!user) return undefined;
    return {
      userId: user.id,
      email: user.email,
      role: user.role,
      seat: user.seat,
      organisationId: user.organisation_id,
      locale: user.locale,
    };
  }
}

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function auditActor(actor: Actor) {
  return {
    actorUserId: actor.userId,
    actorRole: actor.seat ? `${actor.role}:${actor.seat}` : actor.role,
    organisationId: actor.organisationId,
  };
}
