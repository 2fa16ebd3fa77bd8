/**
 * The results table. Every figure stands beside the raw-SQL figure for the same work, measured in
 * the same run on the same database with the same concurrency, and a ratio oriented so that higher
 * is better and 1.00 means "as fast as raw SQL":
 * - throughput (better: 'higher'): ratio = ours / raw;
 * - latency (better: 'lower'): ratio = raw / ours.
 * Figures without a SQL counterpart (cold start, memory, bundle size) show "—" there and are
 * judged against their absolute target.
 */
import { fmt } from './stats.js';

export interface Row {
  workload: string;
  metric: string;
  ours: number | null;
  raw: number | null;
  unit: string;
  better: 'higher' | 'lower' | null;
  /** A minimum ratio, or an absolute limit on `ours` ("max"). */
  target?: { ratio?: number; max?: number; text: string };
  digits?: number;
  note?: string;
}

export function ratioOf(row: Row): number | null {
  if (row.ours === null || row.raw === null || row.better === null || row.ours <= 0 || row.raw <= 0)
    return null;
  return row.better === 'higher' ? row.ours / row.raw : row.raw / row.ours;
}

export function metOf(row: Row): boolean | null {
  if (!row.target) return null;
  if (row.target.ratio !== undefined) {
    const ratio = ratioOf(row);
    return ratio === null ? null : ratio >= row.target.ratio;
  }
  if (row.target.max !== undefined) return row.ours === null ? null : row.ours <= row.target.max;
  return null;
}

function cell(value: number | null, digits: number): string {
  return value === null ? '—' : fmt(value, digits);
}

/** The table as fixed-width text (also valid inside a Markdown code block). */
export function formatTable(rows: Row[]): string {
  const header = ['workload', 'metric', 'ours', 'raw SQL', 'unit', 'ratio', 'target', 'met'];
  const lines = rows.map((row) => {
    const digits = row.digits ?? 0;
    const ratio = ratioOf(row);
    const met = metOf(row);
    return [
      row.workload,
      row.metric,
      cell(row.ours, digits),
      cell(row.raw, digits),
      row.unit,
      ratio === null ? '—' : ratio.toFixed(2),
      row.target?.text ?? '',
      met === null ? '' : met ? 'yes' : 'NO',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const right = new Set([2, 3, 5]);
  const render = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join('\n');
}

export function rowsForJson(rows: Row[]) {
  return rows.map((row) => ({ ...row, ratio: ratioOf(row), met: metOf(row) }));
}
