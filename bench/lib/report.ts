import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { RESULTS_DIR, ROOT } from './env';

/** One line of the table: a figure, its bare baseline from the same run, and the issue's target. */
export interface Row {
  benchmark: string;
  metric: string;
  unit: string;
  figure: number | null;
  baseline?: number | null;
  baselineLabel?: string;
  /** figure / baseline. */
  ratio?: number | null;
  target: string;
  pass: boolean | null;
  note?: string;
}

export function ratio(figure: number | null, baseline: number | null | undefined): number | null {
  if (figure === null || baseline === null || baseline === undefined || baseline === 0) return null;
  return figure / baseline;
}

function fmt(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 })}${unit ? ` ${unit}` : ''}`;
}

export function formatTable(rows: Row[]): string {
  const header = [
    'benchmark',
    'metric',
    'figure',
    'baseline (same run)',
    'ratio',
    'target',
    'result',
  ];
  const lines = rows.map((row) => [
    row.benchmark,
    row.metric,
    fmt(row.figure, row.unit),
    row.baseline === undefined
      ? '—'
      : `${fmt(row.baseline, row.unit)}${row.baselineLabel ? ` (${row.baselineLabel})` : ''}`,
    row.ratio === undefined || row.ratio === null ? '—' : `${row.ratio.toFixed(2)}×`,
    row.target,
    row.pass === null ? 'n/a' : row.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join(
    '\n',
  );
}

/** The same table as Markdown, for the README's Performance section. */
export function markdownTable(rows: Row[]): string {
  const header = '| benchmark | metric | figure | baseline (same run) | ratio | target | result |';
  const rule = '| --- | --- | --- | --- | --- | --- | --- |';
  const lines = rows.map(
    (row) =>
      `| ${row.benchmark} | ${row.metric} | ${fmt(row.figure, row.unit)} | ${
        row.baseline === undefined
          ? '—'
          : `${fmt(row.baseline, row.unit)}${row.baselineLabel ? ` (${row.baselineLabel})` : ''}`
      } | ${row.ratio === undefined || row.ratio === null ? '—' : `${row.ratio.toFixed(2)}×`} | ${row.target} | ${
        row.pass === null ? 'n/a' : row.pass ? 'pass' : '**miss**'
      } |`,
  );
  return [header, rule, ...lines].join('\n');
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

export function gitInfo(): { commit: string; dirty: boolean } {
  return {
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    dirty: git(['status', '--porcelain']).length > 0,
  };
}

export function machineInfo() {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model ?? 'unknown',
    memoryMb: Math.round(totalmem() / 2 ** 20),
    kernel: release(),
    loadAverageAtStart: loadavg().map((n) => Number(n.toFixed(2))),
  };
}

export function writeResults(file: string, data: unknown): string {
  const path = join(RESULTS_DIR, file);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
