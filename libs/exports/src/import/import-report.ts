import type { FastifyRequest } from 'fastify';
import { ErrorResponseFilter } from '@hns/http';
import type { Locale } from '@hns/i18n';
import type { RowOutcome } from './movement-import.service';

export interface RowError {
  field: string;
  rule: string;
  message: string;
}

export type RowReport =
  | { row: number; id: string; reference: string; replayed?: true }
  | { row: number; errors: RowError[] };

export interface ImportReport {
  imported: number;
  failed: number;
  rows: RowReport[];
}

const filter = new ErrorResponseFilter();

/**
 * The answer to an upload, each refused row worded exactly as POST /movements would word it:
 * through the API's own error filter, in the caller's language (Accept-Language).
 */
export function importReport(
  outcomes: RowOutcome[],
  locale: Locale,
  request: FastifyRequest,
): ImportReport {
  const rows = outcomes.map((outcome): RowReport => {
    if (!('failure' in outcome)) {
      const { row, id, reference, replayed } = outcome;
      return replayed ? { row, id, reference, replayed: true } : { row, id, reference };
    }
    const { body } = filter.render(outcome.failure, locale, request);
    return {
      row: outcome.row,
      errors: body.errors ?? [{ field: '', rule: body.code, message: body.message }],
    };
  });
  const failed = rows.filter((r) => 'errors' in r).length;
  return { imported: rows.length - failed, failed, rows };
}
