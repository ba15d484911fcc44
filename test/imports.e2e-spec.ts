import { csvLine, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '@hns/exports';
import { parseCsv } from '@hns/gazetteer';
import {
  Harness,
  bearer,
  cellAccount,
  convoyNotice,
  ngoAccount,
  startHarness,
} from './support/harness';

type Notice = ReturnType<typeof convoyNotice>;

/** A notice as a row of the template's columns (lists as "a|b|c;…"). */
function row(columns: string[], notice: Notice & Record<string, unknown>): string {
  const lists: Record<string, (item: Record<string, unknown>) => unknown[]> = {
    waypoints: (w) => [w.place, w.lat, w.lon, w.overnight ? 'oui' : ''],
    vehicles: (v) => [v.type, v.plate, v.markings],
    cargo: (c) => [c.category, c.description, c.tonnes],
  };
  return csvLine(
    columns.map((column) => {
      if (column in lists) {
        const items = (notice[column] as Record<string, unknown>[] | undefined) ?? [];
        return items.map((item) => lists[column](item).join('|')).join(';');
      }
      const value = column
        .split('.')
        .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], notice);
      return value as string | number | boolean | undefined;
    }),
  );
}

describe('bulk import of movement notices from a CSV file', () => {
  let h: Harness;
  let acf: Awaited<ReturnType<typeof ngoAccount>>;
  let columns: string[];
  let template: string;

  const upload = (csv: string, headers: Record<string, string> = {}, token = acf.token) =>
    h.api.inject({
      method: 'POST',
      url: '/imports/movements',
      headers: { ...bearer(token), 'content-type': 'text/csv', ...headers },
      payload: csv,
    });
  const ownMovements = async () =>
    Number(
      (
        await h.db.query(
          `SELECT count(*) AS n FROM movement_notifications WHERE organisation_id = $1`,
          [acf.org.id],
        )
      )[0].n,
    );

  beforeAll(async () => {
    h = await startHarness();
    acf = await ngoAccount(h);
    const response = await h.api.inject({
      method: 'GET',
      url: '/imports/movements/template.csv',
      headers: bearer(acf.token),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toContain('hns-movements-template.csv');
    template = response.body;
    const [header, hxl, ...rest] = parseCsv(template);
    columns = header;
    expect(rest).toEqual([]);
    expect(hxl.every((tag) => /^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$/.test(tag))).toBe(true);
  });
  afterAll(() => h.close());

  /** Twenty weekly convoys; rows 5, 12 and 19 of the spreadsheet are wrong in three ways. */
  function distributionPlan(): string {
    const notices = Array.from({ length: 20 }, (_, i) =>
      convoyNotice(72 + i * 6, { purpose: `Distribution semaine ${i + 1}, "Gao"; vivres, eau` }),
    ) as (Notice & Record<string, unknown>)[];
    // Spreadsheet rows: header 1, HXL 2, notices from 3.
    notices[2] = convoyNotice(10) as Notice & Record<string, unknown>; // routine, 10 h ahead
    notices[9].focalPoint = { ...notices[9].focalPoint, email: 'not-an-email' };
    notices[16].departure = { ...notices[16].departure, lat: 48.85, lon: 2.35 }; // Paris
    return template + notices.map((n) => row(columns, n)).join('');
  }

  it('a CSV of 20 rows with 3 bad ones creates 17 movements and reports the 3 by field', async () => {
    const before = await ownMovements();
    const response = await upload(distributionPlan(), {
      'accept-language': 'fr',
      'content-type': 'text/csv; charset=utf-8',
    });
    expect(response.statusCode).toBe(200);
    const report = response.json();
    expect(report).toMatchObject({ imported: 17, failed: 3 });
    expect(report.rows).toHaveLength(20);
    expect(await ownMovements()).toBe(before + 17);

    const failed = report.rows.filter((r: { errors?: unknown }) => r.errors);
    expect(failed.map((r: { row: number }) => r.row)).toEqual([5, 12, 19]);
    const byRow = Object.fromEntries(
      failed.map((r: { row: number; errors: { field: string; rule: string }[] }) => [
        r.row,
        r.errors.map((e) => `${e.field}:${e.rule}`),
      ]),
    );
    expect(byRow[5]).toEqual(['departure.at:lead_time']);
    expect(byRow[12]).toEqual(['focalPoint.email:invalid_format']);
    expect(byRow[19]).toEqual(['departure:outside_area']);
    // In the caller's language, worded as POST /movements words it.
    expect(failed[0].errors[0].message).toContain('au moins 48 h');

    const created = report.rows.filter((r: { reference?: string }) => r.reference);
    const references = created.map((r: { reference: string }) => r.reference);
    expect(new Set(references).size).toBe(17);
    const stored = await h.db.query(
      `SELECT v.notification FROM movement_notifications m
       JOIN movement_versions v ON v.movement_id = m.id AND v.version = 1
       WHERE m.reference = $1`,
      [references[0]],
    );
    expect(stored[0].notification).toMatchObject({
      purpose: 'Distribution semaine 1, "Gao"; vivres, eau',
      waypoints: [{ place: 'Douentza', lat: 15.0019, lon: -2.9497, overnight: true }],
      vehicles: [{ type: 'Toyota Land Cruiser', plate: 'AB-1234-MD' }, { plate: 'AB-5678-MD' }],
      cargo: [{ category: 'food', description: 'Rice and oil', tonnes: 9.5 }],
      personnel: { national: 6, international: 1 },
      dataAccuracyConfirmed: true,
    });
    const audit = await h.db.query(
      `SELECT count(*)::int AS n FROM audit_events a JOIN movement_notifications m ON m.id::text = a.entity_id
       WHERE a.action = 'movement.submitted' AND m.reference = ANY($1)`,
      [references],
    );
    expect(audit[0].n).toBe(17);
    const [record] = await h.db.query(
      `SELECT details FROM audit_events WHERE action = 'movements.imported' AND entity_id = $1 ORDER BY id DESC LIMIT 1`,
      [acf.org.id],
    );
    expect(record.details).toMatchObject({ rows: 20, failedRows: [5, 12, 19], references });
  });

  it('the same file sent again with the same Idempotency-Key creates nothing twice', async () => {
    const csv = distributionPlan();
    const first = await upload(csv, { 'idempotency-key': 'acf-plan-week-49' });
    expect(first.json()).toMatchObject({ imported: 17, failed: 3 });
    const before = await ownMovements();
    const again = await upload(csv, { 'idempotency-key': 'acf-plan-week-49' });
    expect(again.json()).toMatchObject({ imported: 17, failed: 3 });
    expect(await ownMovements()).toBe(before);
    const replayed = again.json().rows.filter((r: { replayed?: boolean }) => r.replayed);
    expect(replayed).toHaveLength(17);
    expect(replayed.map((r: { reference: string }) => r.reference)).toEqual(
      first
        .json()
        .rows.filter((r: { reference?: string }) => r.reference)
        .map((r: { reference: string }) => r.reference),
    );
  });

  it('reads a list cell it cannot split by name, and a wrong number as the API would', async () => {
    const notice = convoyNotice(72) as Notice & Record<string, unknown>;
    const line = row(columns, notice)
      .replace('Douentza|15.0019|-2.9497|oui', 'Douentza|15.0019|-2.9497|oui|extra')
      .replace(',6,1,', ',six,1,');
    const report = (await upload(template + line)).json();
    expect(report.rows[0].row).toBe(3);
    expect(report.rows[0].errors.map((e: { field: string }) => e.field)).toEqual([
      'waypoints.0',
      'personnel.national',
    ]);
  });

  it('refuses what is not a movement file, naming the limit or the column', async () => {
    const before = await ownMovements();
    const unknown = await upload('type,purpose,colour\r\nconvoy,x,red\r\n');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([
      expect.objectContaining({ field: 'colour', rule: 'unknown_column' }),
    ]);

    const oneRow = row(columns, convoyNotice(72) as Notice & Record<string, unknown>);
    const tooMany = await upload(template + oneRow.repeat(MAX_IMPORT_ROWS + 1));
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().message).toContain(`at most ${MAX_IMPORT_ROWS}`);

    const huge = await upload(template + 'x'.repeat(MAX_IMPORT_BYTES));
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ code: 'import_too_large' });
    expect(huge.json().message).toContain(String(MAX_IMPORT_BYTES));

    const json = await h.api.inject({
      method: 'POST',
      url: '/imports/movements',
      headers: bearer(acf.token),
      payload: { csv: template },
    });
    expect(json.statusCode).toBe(415);
    expect((await upload(template)).json().errors[0].rule).toBe('no_rows');
    const cell = await cellAccount(h, 'ocha');
    expect((await upload(template + oneRow, {}, cell.token)).statusCode).toBe(403);
    expect(await ownMovements()).toBe(before);
  });
});
