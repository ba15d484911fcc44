/** A cell of an exported spreadsheet: text, a number, or empty. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * Text a spreadsheet would run as a formula ("=HYPERLINK(…)", "+1-2", "@SUM", a leading tab):
 * prefixed with an apostrophe, as OWASP advises, so an exported cell is only ever read as text.
 * Numbers are written as numbers, so a negative longitude stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One RFC 4180 record, CRLF-terminated. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
