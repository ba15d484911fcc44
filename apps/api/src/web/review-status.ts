import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Seat } from '@hns/config';
import { Locale } from '@hns/i18n';
import { ReasonCode, describeReason, isReasonCode } from '@hns/reviews';

export interface SeatReview {
  seat: Seat;
  status: 'pending' | 'approved' | 'flagged' | 'escalated' | 'superseded' | 'closed';
  reasonCodes: string[];
  comment: string | null;
  decidedAt: Date | null;
}

export interface FlagText {
  label: string;
  hint: string;
  comment?: string | null;
}

/**
 * The cell's review of a movement's version, for its pages: each seat's state, and the flags
 * in words the organisation can act on (as the flag notice email words them). Read-only; the
 * caller has already read the movement through MovementsService, which applies need-to-know.
 * Belongs in ReviewsService once the API shows it too.
 */
@Injectable()
export class ReviewStatusReader {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async seats(movementId: string, version: number): Promise<SeatReview[]> {
    const rows: {
      seat: Seat;
      status: SeatReview['status'];
      reason_codes: string[];
      comment: string | null;
      decided_at: Date | null;
    }[] = await this.db.query(
      `SELECT seat, status, reason_codes, comment, decided_at FROM review_tasks
       WHERE movement_id = $1 AND version = $2 ORDER BY seat`,
      [movementId, version],
    );
    return rows.map((r) => ({
      seat: r.seat,
      status: r.status,
      reasonCodes: r.reason_codes,
      comment: r.comment,
      decidedAt: r.decided_at,
    }));
  }

  /** Seats' flags and UNDSS advice on this version; UNDSS's own note stays with the cell. */
  async flags(movementId: string, version: number, locale: Locale): Promise<FlagText[]> {
    const rows: { reason_codes: string[]; comment: string | null }[] = await this.db.query(
      `SELECT reason_codes, comment FROM review_tasks
       WHERE movement_id = $1 AND version = $2 AND status = 'flagged'
       UNION ALL
       SELECT ARRAY['undss_' || outcome], NULL FROM security_escalations
       WHERE movement_id = $1 AND version = $2 AND status = 'resolved' AND outcome LIKE 'advise_%'`,
      [movementId, version],
    );
    return rows.flatMap((row) => {
      const codes = row.reason_codes.filter(isReasonCode) as ReasonCode[];
      return codes.map((code, index) => ({
        ...describeReason(code, locale),
        // The comment explains the seat's flag as a whole: shown once, with its first reason.
        comment: index === 0 ? row.comment : null,
      }));
    });
  }
}
