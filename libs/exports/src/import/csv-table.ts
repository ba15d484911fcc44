import { HttpStatus } from '@nestjs/common';
import { CsvFormatError, parseCsv } from '@hns/gazetteer';
import { FieldProblem, LocalizedHttpException, ValidationFailedException } from '@hns/http';
import { exportsText } from '../messages';
import { NOTICE_COLUMNS } from './notice-columns';

/** Most movements one upload may carry (one transaction each, answered in one response). */
export const MAX_IMPORT_ROWS = 500;

/** A data row of the upload: its row number as a spreadsheet shows it (the header is row 1). */
export interface UploadedRow {
  row: number;
  record: Record<string, string>;
  /** The row has another number of fields than the header. */
  widthProblem?: FieldProblem;
}

const KNOWN = new Set(NOTICE_COLUMNS.map((c) => c.column));

/**
 * The rows of an uploaded CSV: header row first, an HXL hashtag row right after it skipped,
 * blank rows ignored. A file that cannot be read at all, or names unknown columns, is refused
 * whole (400); one with more than MAX_IMPORT_ROWS rows is refused with 413.
 */
export function readUpload(text: string): UploadedRow[] {
  let table: string[][];
  try {
    table = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvFormatError)) throw error;
    throw refusal('csv_format', exportsText('import.csv_format', { reason: error.message }));
  }
  const [header = [], ...body] = table;
  const columns = header.map((name) => name.trim());
  if (columns.every((name) => name === ''))
    throw refusal('no_header', exportsText('import.no_header'));
  const problems: FieldProblem[] = [];
  columns.forEach((column, index) => {
    if (!KNOWN.has(column)) {
      problems.push(
        problem(column, 'unknown_column', exportsText('import.unknown_column', { column })),
      );
    } else if (columns.indexOf(column) !== index) {
      problems.push(
        problem(column, 'duplicate_column', exportsText('import.duplicate_column', { column })),
      );
    }
  });
  if (problems.length > 0) throw new ValidationFailedException(problems);

  const rows: UploadedRow[] = [];
  body.forEach((fields, index) => {
    if (fields.every((field) => field.trim() === '')) return;
    if (index === 0 && isHxlRow(fields)) return;
    const row = index + 2;
    const record = Object.fromEntries(columns.map((name, i) => [name, fields[i] ?? '']));
    const widthProblem =
      fields.length === columns.length
        ? undefined
        : problem(
            '',
            'row_width',
            exportsText('import.row_width', { count: fields.length, columns: columns.length }),
          );
    rows.push({ row, record, widthProblem });
  });
  if (rows.length === 0) throw refusal('no_rows', exportsText('import.no_rows'));
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new LocalizedHttpException(
      HttpStatus.PAYLOAD_TOO_LARGE,
      'http.payload_too_large',
      {},
      'import_too_many_rows',
      {},
      exportsText('import.too_many_rows', { count: rows.length, max: MAX_IMPORT_ROWS }),
    );
  }
  return rows;
}

/** A row of HXL hashtags (https://hxlstandard.org): every non-empty field starts with "#". */
function isHxlRow(fields: string[]): boolean {
  const filled = fields.filter((field) => field.trim() !== '');
  return filled.length > 0 && filled.every((field) => field.trim().startsWith('#'));
}

function problem(field: string, rule: string, text: { fr: string; en: string }): FieldProblem {
  return { field, rule, text };
}

function refusal(rule: string, text: { fr: string; en: string }): ValidationFailedException {
  return new ValidationFailedException([problem('csv', rule, text)]);
}

/** The template: the header row and its HXL hashtag row, nothing to delete before use. */
export function importTemplate(): string {
  const line = (cells: string[]) => `${cells.join(',')}\r\n`;
  return line(NOTICE_COLUMNS.map((c) => c.column)) + line(NOTICE_COLUMNS.map((c) => c.hxl));
}
