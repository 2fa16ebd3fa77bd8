/**
 * Renders a report of ROWS rows in every format into a byte counter, in a process started with a
 * small heap: if any renderer held the report in memory it would run out. Prints JSON.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { renderReport, pdfLayout } from '../../shared/modules/reports/render/index.js';
import type { ReportRow, ReportTable } from '../../shared/modules/reports/table.js';

const rowCount = Number(process.argv[2] ?? 100_000);
const table: ReportTable = {
  title: 'Stock valuation',
  periodLabel: 'As at 31 Oct 2026',
  currency: 'ZAR',
  columns: [
    { key: 'sku', label: 'SKU', kind: 'text', width: 1 },
    { key: 'name', label: 'Item', kind: 'text', width: 2.4 },
    { key: 'quantity', label: 'Quantity', kind: 'quantity', width: 1 },
    { key: 'value', label: 'Value', kind: 'amount', width: 1.3 },
  ],
  rowCount,
  async *rows(): AsyncGenerator<ReportRow> {
    for (let i = 0; i < rowCount; i++)
      yield {
        cells: {
          sku: `SKU-${i}`,
          name: `Item number ${i} with a long descriptive name`,
          quantity: `${i % 97}.5`,
          value: `${i}.25`,
        },
      };
  },
  totals: [{ cells: { sku: 'Total', value: '5000000000.00' }, style: 'total' }],
};
const header = {
  companyName: 'Demo Construction (Pty) Ltd',
  locale: 'en-ZA',
  generatedAt: new Date(),
  timeZone: 'Africa/Johannesburg',
};
const result: Record<string, unknown> = { rows: rowCount, pdfPages: pdfLayout(table).pages };
let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
for (const format of ['csv', 'xlsx', 'pdf'] as const) {
  let bytes = 0;
  await pipeline(
    renderReport(table, header, format),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done();
      },
    }),
  );
  result[format] = bytes;
}
clearInterval(timer);
result.peakHeapMiB = Math.round(peak / 1048576);
console.log(JSON.stringify(result));
