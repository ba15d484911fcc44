import type { ScenarioResult } from './scenario';

const COLUMNS: [string, (r: ScenarioResult) => string | number][] = [
  ['scenario', (r) => r.scenario],
  ['submitted', (r) => r.submitted],
  ['processed', (r) => r.processed],
  ['emails expected', (r) => r.emailsExpected],
  ['delivered', (r) => r.delivered],
  ['duplicated', (r) => r.duplicated],
  ['re-sent same ID', (r) => r.resent],
  ['lost', (r) => r.lost],
  ['time', (r) => `${r.seconds} s`],
  ['result', (r) => (r.failures.length ? 'FAIL' : 'ok')],
];

/** One line per scenario, then what failed and what was observed. */
export function printTable(results: ScenarioResult[], strays: string[]): void {
  const rows = results.map((r) => COLUMNS.map(([, cell]) => String(cell(r))));
  const widths = COLUMNS.map(([title], i) =>
    Math.max(title.length, ...rows.map((row) => row[i].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ');
  console.log('');
  console.log(line(COLUMNS.map(([title]) => title)));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log('');
  for (const r of results) {
    for (const note of r.notes) console.log(`  ${r.scenario}: ${note}`);
    for (const failure of r.failures) console.log(`  ${r.scenario}: FAILED: ${failure}`);
  }
  if (strays.length > 0) {
    console.log(
      `  FAILED: ${strays.length} emails name no movement: ${strays.slice(0, 3).join('; ')}`,
    );
  }
  console.log('');
}
