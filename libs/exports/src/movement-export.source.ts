import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { recordAudit } from '@hns/audit';
import type { Actor } from '@hns/auth';
import { GazetteerService } from '@hns/gazetteer';
import type { Locale } from '@hns/i18n';
import {
  ListQuery,
  MovementStatus,
  MovementSummaryView,
  MovementsService,
  NotificationData,
} from '@hns/movements';

/** Most movements one export carries; a larger selection is cut and says so (X-Export-Truncated). */
export const MAX_EXPORT_ROWS = 10_000;
const LIST_PAGE = 500;
const DETAIL_BATCH = 200;

export type ExportFilters = Pick<ListQuery, 'status' | 'region' | 'from' | 'to'>;

/** A movement as exports write it: the list's summary and its current version's notice. */
export interface ExportedMovement extends MovementSummaryView {
  notification: NotificationData;
  /** Admin1 names of departure and arrival, in the caller's language. */
  regionNames: { departure: string | null; arrival: string | null };
}

export interface MovementSelection {
  /** Movements in the export (at most `limit`). */
  count: number;
  limit: number;
  /** More movements matched than `limit`: the oldest departures were left out. */
  truncated: boolean;
  /** The movements in batches, latest departure first, read as the export is written. */
  batches(): AsyncGenerator<ExportedMovement[]>;
}

/**
 * Selects the movements an export carries through MovementsService.list, so that an export
 * applies exactly the API's need-to-know rule and filters (an organisation gets only its own
 * movements), then reads their notices batch by batch while the response is streamed.
 */
@Injectable()
export class MovementExportSource {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly movements: MovementsService,
    private readonly gazetteer: GazetteerService,
  ) {}

  async select(
    actor: Actor,
    filters: ExportFilters,
    locale: Locale,
    limit = MAX_EXPORT_ROWS,
  ): Promise<MovementSelection> {
    const summaries: MovementSummaryView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.movements.list(actor, {
        ...filters,
        limit: Math.min(LIST_PAGE, limit + 1 - summaries.length),
        cursor,
      });
      summaries.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && summaries.length <= limit);
    const selected = summaries.slice(0, limit);
    const regionNames = await this.regionNames(locale);
    // The list refused anyone but an organisation's user or the cell; re-scoped here all the same.
    const scope = actor.role === 'cell' ? null : actor.organisationId;
    const notices = (ids: string[]) => this.notices(ids, scope);
    return {
      count: selected.length,
      limit,
      truncated: summaries.length > limit,
      async *batches() {
        for (let start = 0; start < selected.length; start += DETAIL_BATCH) {
          const batch = selected.slice(start, start + DETAIL_BATCH);
          const found = await notices(batch.map((m) => m.id));
          yield batch.flatMap((summary) => {
            const current = found.get(summary.id);
            if (!current) return [];
            return [
              {
                ...summary,
                version: current.version,
                status: current.status,
                notification: current.notification,
                regionNames: {
                  departure: regionNames.get(summary.regions.departure ?? '') ?? null,
                  arrival: regionNames.get(summary.regions.arrival ?? '') ?? null,
                },
              },
            ];
          });
        }
      },
    };
  }

  /**
   * Puts an export on the record (DESIGN §1.6): who took which data out, with which filters.
   * Calendar polls are not recorded one by one: issuing and revoking the address are.
   */
  async recordExport(actor: Actor, what: string, details: Record<string, unknown>): Promise<void> {
    await this.db.transaction((manager) =>
      recordAudit(manager, {
        actorUserId: actor.userId,
        actorRole: actor.seat ? `${actor.role}:${actor.seat}` : actor.role,
        organisationId: actor.organisationId,
        action: 'export.downloaded',
        entityType: 'export',
        entityId: what,
        details,
      }),
    );
  }

  private async notices(ids: string[], organisationId: string | null) {
    const rows: {
      id: string;
      version: number;
      status: MovementStatus;
      notification: NotificationData;
    }[] = await this.db.query(
      `SELECT m.id, m.current_version AS version, m.status, v.notification
       FROM movement_notifications m
       JOIN movement_versions v ON v.movement_id = m.id AND v.version = m.current_version
       WHERE m.id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR m.organisation_id = $2::uuid)`,
      [ids, organisationId],
    );
    return new Map(rows.map((row) => [row.id, row]));
  }

  private async regionNames(locale: Locale): Promise<Map<string, string>> {
    const regions = await this.gazetteer.regions();
    return new Map(regions.map((r) => [r.code, locale === 'fr' ? r.nameFr : r.name]));
  }
}
