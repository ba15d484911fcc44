/**
 * A small RFC 4180 CSV reader for the gazetteer's seed files: comma-separated, fields optionally
 * in double quotes (which may hold commas, line breaks and "" for a quote), CRLF or LF endings.
 * Hand-written rather than a dependency: the files are small and this is all they need.
 */
export class CsvFormatError extends Error {}

/** The rows of a CSV text, each a list of fields. A trailing line break adds no empty row. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteOpenedOnLine = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Whether the current field began with a quote and that quote has closed: only a separator
  // or the end of the line may follow.
  let closed = false;
  let rowHasContent = false;

  const endField = () => {
    row.push(field);
    field = '';
    closed = false;
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
    rowHasContent = false;
  };

  for (; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          closed = true;
        }
      } else {
        if (char === '\n') line++;
        field += char;
      }
      continue;
    }
    if (char === ',') {
      endField();
      rowHasContent = true;
    } else if (char === '\r' || char === '\n') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
    } else if (closed) {
      throw new CsvFormatError(`line ${line}: unexpected "${char}" after a closing quote`);
    } else if (char === '"') {
      if (field !== '') {
        throw new CsvFormatError(`line ${line}: a quote inside an unquoted field`);
      }
      quoted = true;
      quoteOpenedOnLine = line;
      rowHasContent = true;
    } else {
      field += char;
      rowHasContent = true;
    }
  }
  if (quoted) {
    throw new CsvFormatError(`line ${quoteOpenedOnLine}: a quoted field is never closed`);
  }
  if (rowHasContent || field !== '' || row.length > 0) endRow();
  return rows;
}

/** A row of HXL hashtags (https://hxlstandard.org): every non-empty field starts with "#". */
function isHxlRow(row: string[]): boolean {
  const filled = row.filter((field) => field.trim() !== '');
  return filled.length > 0 && filled.every((field) => field.trim().startsWith('#'));
}

/**
 * The records of a CSV text with a header row, as objects keyed by column name. An HXL hashtag
 * row right after the header is skipped; blank lines are ignored; a row with a different
 * number of fields than the header is an error naming its line.
 */
export function readCsvRecords(text: string): Record<string, string>[] {
  const rows = parseCsv(text);
  const [header, ...body] = rows;
  if (!header || header.every((name) => name.trim() === '')) {
    throw new CsvFormatError('the file has no header row');
  }
  const columns = header.map((name) => name.trim());
  const records: Record<string, string>[] = [];
  body.forEach((row, index) => {
    const rowNumber = index + 2;
    if (row.length === 1 && row[0].trim() === '') return;
    if (index === 0 && isHxlRow(row)) return;
    if (row.length !== columns.length) {
      throw new CsvFormatError(
        `row ${rowNumber}: ${row.length} fields where the header has ${columns.length}`,
      );
    }
    records.push(Object.fromEntries(columns.map((name, column) => [name, row[column]])));
  });
  return records;
}
