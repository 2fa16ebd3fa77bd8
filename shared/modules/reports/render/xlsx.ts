import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { minorUnits } from '../../../platform/money.js';
import { labelsFor } from '../labels.js';
import type { Cell, ReportColumn, ReportHeader, ReportTable } from '../table.js';
import { formatInstant } from '../../../platform/print.js';

/** Rows above the column headers: company, title, period, generated; then a blank row. */
const TITLE_ROWS = 5;

function numberFormat(column: ReportColumn, currency: string): string | undefined {
  switch (column.kind) {
    case 'amount': {
      const decimals = minorUnits(currency);
      const pattern = decimals > 0 ? `#,##0.${'0'.repeat(decimals)}` : '#,##0';
      return `${pattern};-${pattern}`;
    }
    case 'quantity':
      return '#,##0.####';
    case 'integer':
      return '#,##0';
    case 'percent':
      return '0.##"%"';
    default:
      return undefined;
  }
}

/** Figures become real numbers (spreadsheets compute on them); text stays text. */
function value(column: ReportColumn, cell: Cell | undefined): string | number | null {
  if (cell === null || cell === undefined) return null;
  if (column.kind === 'text') return String(cell);
  const n = typeof cell === 'number' ? cell : Number(cell);
  return Number.isFinite(n) ? n : String(cell);
}

/**
 * XLSX written as a stream (exceljs' streaming writer: each row is committed to the zip as it is
 * produced), with real numbers and number formats, the column headers frozen, and the totals bold.
 */
export function renderXlsx(table: ReportTable, header: ReportHeader): Readable {
  const out = new PassThrough();
  const labels = labelsFor(header.locale);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = header.companyName;
  workbook.created = header.generatedAt;
  const sheet = workbook.addWorksheet(table.title.slice(0, 31), {
    views: [{ state: 'frozen', ySplit: TITLE_ROWS + 1, xSplit: 0 }],
    pageSetup: {
      orientation: table.columns.length > 6 ? 'landscape' : 'portrait',
      fitToWidth: 1,
      fitToHeight: 0,
    },
  });
  sheet.columns = table.columns.map((c) => ({
    key: c.key,
    width: Math.max(10, Math.round(c.width * 14)),
    style: { numFmt: numberFormat(c, table.currency) },
  }));

  const write = async () => {
    const titleRow = (text: string, bold = false, size = 11) => {
      const row = sheet.addRow([text]);
      row.getCell(1).font = { bold, size };
      row.commit();
    };
    titleRow(header.companyName, true, 13);
    titleRow(table.title, true, 12);
    titleRow(`${table.periodLabel} · ${labels('amountsIn', { currency: table.currency })}`);
    titleRow(
      labels('generated', { date: formatInstant(header.generatedAt, header.locale, header.timeZone) }),
    );
    sheet.addRow([]).commit();
    const head = sheet.addRow(table.columns.map((c) => c.label));
    head.font = { bold: true };
    table.columns.forEach((c, i) => {
      const cell = head.getCell(i + 1);
      cell.alignment = { horizontal: c.kind === 'text' ? 'left' : 'right' };
      cell.border = { bottom: { style: 'thin' } };
    });
    head.commit();

    let count = 0;
    const add = async (cells: Record<string, Cell>, bold: boolean) => {
      const row = sheet.addRow(table.columns.map((c) => value(c, cells[c.key])));
      if (bold) row.font = { bold: true };
      row.commit();
      // Let the zip stream drain: a long report never piles up in memory.
      if (++count % 500 === 0 && out.writableNeedDrain) await once(out, 'drain');
    };
    for await (const row of table.rows()) await add(row.cells, row.style !== undefined);
    for (const row of table.totals) await add(row.cells, true);
    sheet.commit();
    await workbook.commit();
  };
  write().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}
