import type { FieldProblem } from '@hns/http';
import { exportsText } from '../messages';

type Kind = 'text' | 'number' | 'boolean';

/** A list column: items separated by ";", parts of an item by "|", in this order. */
interface ListColumn {
  column: 'waypoints' | 'vehicles' | 'cargo';
  parts: { key: string; kind: Kind }[];
}

/**
 * The columns of the import template: one per notice field, named by the field's path in the
 * API (so a refusal's `field` names the column), with its HXL hashtag.
 */
export const NOTICE_COLUMNS: readonly { column: string; hxl: string; kind: Kind | 'list' }[] = [
  { column: 'type', hxl: '#activity+type', kind: 'text' },
  { column: 'priority', hxl: '#severity+priority', kind: 'text' },
  { column: 'emergencyReason', hxl: '#severity+priority+reason', kind: 'text' },
  { column: 'mode', hxl: '#activity+mode', kind: 'text' },
  { column: 'purpose', hxl: '#activity+description', kind: 'text' },
  { column: 'focalPoint.name', hxl: '#contact+name', kind: 'text' },
  { column: 'focalPoint.phone', hxl: '#contact+phone', kind: 'text' },
  { column: 'focalPoint.satPhone', hxl: '#contact+phone+sat', kind: 'text' },
  { column: 'focalPoint.email', hxl: '#contact+email', kind: 'text' },
  { column: 'convoyLeader.name', hxl: '#contact+name+leader', kind: 'text' },
  { column: 'convoyLeader.phone', hxl: '#contact+phone+leader', kind: 'text' },
  { column: 'convoyLeader.callSign', hxl: '#contact+callsign+leader', kind: 'text' },
  { column: 'departure.place', hxl: '#loc+name+start', kind: 'text' },
  { column: 'departure.lat', hxl: '#geo+lat+start', kind: 'number' },
  { column: 'departure.lon', hxl: '#geo+lon+start', kind: 'number' },
  { column: 'departure.at', hxl: '#date+start', kind: 'text' },
  { column: 'arrival.place', hxl: '#loc+name+end', kind: 'text' },
  { column: 'arrival.lat', hxl: '#geo+lat+end', kind: 'number' },
  { column: 'arrival.lon', hxl: '#geo+lon+end', kind: 'number' },
  { column: 'arrival.at', hxl: '#date+end', kind: 'text' },
  { column: 'waypoints', hxl: '#loc+waypoints', kind: 'list' },
  { column: 'vehicles', hxl: '#item+vehicles', kind: 'list' },
  { column: 'personnel.national', hxl: '#indicator+personnel+national+num', kind: 'number' },
  {
    column: 'personnel.international',
    hxl: '#indicator+personnel+international+num',
    kind: 'number',
  },
  { column: 'cargo', hxl: '#item+cargo', kind: 'list' },
  { column: 'escort.status', hxl: '#meta+escort', kind: 'text' },
  { column: 'escort.provider', hxl: '#org+escort', kind: 'text' },
  { column: 'escort.justification', hxl: '#meta+escort+justification', kind: 'text' },
  { column: 'communications.vhfChannel', hxl: '#contact+radio+vhf', kind: 'text' },
  { column: 'communications.radioRoom', hxl: '#contact+radio+room', kind: 'text' },
  { column: 'communications.satPhone', hxl: '#contact+phone+sat+radio', kind: 'text' },
  { column: 'dataAccuracyConfirmed', hxl: '#meta+confirmed', kind: 'boolean' },
  { column: 'verifiedBy', hxl: '#contact+name+verifier', kind: 'text' },
];

const LISTS: Record<ListColumn['column'], ListColumn['parts']> = {
  waypoints: [
    { key: 'place', kind: 'text' },
    { key: 'lat', kind: 'number' },
    { key: 'lon', kind: 'number' },
    { key: 'overnight', kind: 'boolean' },
  ],
  vehicles: [
    { key: 'type', kind: 'text' },
    { key: 'plate', kind: 'text' },
    { key: 'markings', kind: 'text' },
  ],
  cargo: [
    { key: 'category', kind: 'text' },
    { key: 'description', kind: 'text' },
    { key: 'tonnes', kind: 'number' },
  ],
};

/** How a list column is written, e.g. `place|lat|lon[|overnight]`. */
export function listFormat(column: ListColumn['column']): string {
  return LISTS[column].map((p) => (p.key === 'overnight' ? '[|overnight]' : p.key)).join('|');
}

const TRUE = new Set(['true', 'yes', 'oui', '1', 'y', 'o', 'x']);
const FALSE = new Set(['false', 'no', 'non', '0', 'n']);

/** A number as spreadsheets write it (decimal point; an exponent for very small or large ones). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A cell as the API's JSON would carry it. A value that is not what the column expects is
 * passed on as text, so the notice schema refuses it with its usual message for that field.
 */
function convert(raw: string, kind: Kind): unknown {
  // An apostrophe that keeps a spreadsheet from reading "+223 …" as a formula (exports add it).
  const value = raw.trim().replace(/^'(?=[=+\-@])/, '');
  if (value === '') return undefined;
  if (kind === 'number') {
    // A decimal comma (French spreadsheets) in a quoted cell: "14,4843".
    const decimal = /^-?\d+,\d+$/.test(value) ? value.replace(',', '.') : value;
    // Decimal notation only: Number() would also read "0x10", "0b11" or "Infinity".
    if (!DECIMAL.test(decimal)) return value;
    const number = Number(decimal);
    return Number.isFinite(number) ? number : value;
  }
  if (kind === 'boolean') {
    const lower = value.toLowerCase();
    return TRUE.has(lower) ? true : FALSE.has(lower) ? false : value;
  }
  return value;
}

/**
 * One CSV row as a notice (the JSON body POST /movements takes), plus the problems of list
 * cells whose items cannot be read. Nested objects are always present, so that a missing
 * value is refused by its own field name (e.g. `focalPoint.phone`), as in the API.
 */
export function noticeFromRow(record: Record<string, string>): {
  notice: Record<string, unknown>;
  problems: FieldProblem[];
} {
  const notice: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const { column, kind } of NOTICE_COLUMNS) {
    const raw = record[column] ?? '';
    const [head, leaf] = column.split('.');
    if (leaf) {
      const parent = (notice[head] ??= {}) as Record<string, unknown>;
      const value = convert(raw, kind as Kind);
      if (value !== undefined) parent[leaf] = value;
      continue;
    }
    if (kind === 'list') {
      const items = listItems(column as ListColumn['column'], raw, problems);
      if (items.length > 0) notice[column] = items;
      continue;
    }
    const value = convert(raw, kind);
    if (value !== undefined) notice[column] = value;
  }
  return { notice, problems };
}

function listItems(
  column: ListColumn['column'],
  raw: string,
  problems: FieldProblem[],
): Record<string, unknown>[] {
  const parts = LISTS[column];
  return raw
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item, index) => {
      const values = item.split('|');
      // Missing parts are refused by the schema under their own name (e.g. waypoints.0.lon).
      if (values.length > parts.length) {
        problems.push({
          field: `${column}.${index}`,
          rule: 'list_item',
          text: exportsText('import.list_item', {
            item: index + 1,
            count: values.length,
            format: listFormat(column),
          }),
        });
      }
      const entry: Record<string, unknown> = {};
      parts.forEach((part, i) => {
        const value = convert(values[i] ?? '', part.kind);
        if (value !== undefined) entry[part.key] = value;
      });
      return entry;
    });
}
