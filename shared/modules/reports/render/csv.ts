import { Readable } from 'node:stream';
import { csvRow, UTF8_BOM } from '../../../platform/http/csv.js';
import type { ReportTable } from '../table.js';

/**
 * CSV in UTF-8 (with a byte-order mark, so Excel reads it as UTF-8), one header row of the column
 * labels, then every row and the totals. Figures are the exact decimal strings, unformatted, so a
 * spreadsheet or a script reads them as numbers.
 */
export function renderCsv(table: ReportTable): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield UTF8_BOM + csvRow(table.columns.map((c) => c.label));
    let batch = '';
    let count = 0;
    for await (const row of table.rows()) {
      batch += csvRow(table.columns.map((c) => row.cells[c.key] ?? null));
      if (++count % 1000 === 0) {
        yield batch;
        batch = '';
      }
    }
    for (const row of table.totals) batch += csvRow(table.columns.map((c) => row.cells[c.key] ?? null));
    if (batch) yield batch;
  }
  return Readable.from(lines(), { objectMode: false });
}
