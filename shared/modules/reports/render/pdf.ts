import type { Readable } from 'node:stream';
import PDFDocument from 'pdfkit';
import { minorUnits } from '../../../platform/money.js';
import { labelsFor } from '../labels.js';
import type { Cell, ReportColumn, ReportHeader, ReportRow, ReportTable } from '../table.js';
import { formatDecimal, formatInstant, pdfText } from '../../../platform/print.js';

const MARGIN = 36;
const ROW_HEIGHT = 13;
const FONT_SIZE = 8.5;
const HEADER_HEIGHT = 74;
const FOOTER_HEIGHT = 24;

export interface PdfLayout {
  landscape: boolean;
  rowsPerPage: number;
  pages: number;
}

/** Page size and how many rows fit: every page has the same header, so the page count is known up front. */
export function pdfLayout(table: Pick<ReportTable, 'columns' | 'rowCount' | 'totals'>): PdfLayout {
  const landscape = table.columns.length > 6;
  const height = landscape ? 595.28 : 841.89;
  const body = height - 2 * MARGIN - HEADER_HEIGHT - FOOTER_HEIGHT - ROW_HEIGHT * 1.5;
  const rowsPerPage = Math.floor(body / ROW_HEIGHT);
  const lines = Math.max(1, table.rowCount) + table.totals.length;
  return { landscape, rowsPerPage, pages: Math.max(1, Math.ceil(lines / rowsPerPage)) };
}

function cellText(column: ReportColumn, cell: Cell | undefined, locale: string, currency: string): string {
  if (cell === null || cell === undefined || cell === '') return '';
  if (column.kind === 'text') return String(cell);
  const text = String(cell);
  switch (column.kind) {
    case 'amount':
      return formatDecimal(text, locale, minorUnits(currency), minorUnits(currency));
    case 'quantity':
      return formatDecimal(text, locale, 0);
    case 'integer':
      return formatDecimal(text, locale, 0, 0);
    case 'percent':
      return `${formatDecimal(text, locale, 0)}%`;
  }
}

/**
 * A PDF on A4 (landscape when the report is wide): on every page the company, the title, the
 * period and the column headers; rows of one line each (long text is shortened with an ellipsis);
 * totals bold; "Page n of N" and when it was generated at the foot. Pages are written out as they
 * fill (pdfkit does not keep them), so a report of any length renders in constant memory.
 */
export function renderPdf(table: ReportTable, header: ReportHeader): Readable {
  const labels = labelsFor(header.locale);
  const layout = pdfLayout(table);
  const doc = new PDFDocument({
    size: 'A4',
    layout: layout.landscape ? 'landscape' : 'portrait',
    margin: MARGIN,
    bufferPages: false,
    autoFirstPage: false,
    info: { Title: pdfText(table.title), Author: pdfText(header.companyName), Creator: 'Tessera ERP' },
  });
  const pageWidth = layout.landscape ? 841.89 : 595.28;
  const pageHeight = layout.landscape ? 595.28 : 841.89;
  const usable = pageWidth - 2 * MARGIN;
  const totalWidth = table.columns.reduce((sum, c) => sum + c.width, 0);
  const widths = table.columns.map((c) => (c.width / totalWidth) * usable);
  const xs = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((a, b) => a + b, 0));
  const generated = labels('generated', {
    date: formatInstant(header.generatedAt, header.locale, header.timeZone),
  });

  const fit = (text: string, width: number): string => {
    let shown = pdfText(text);
    if (doc.widthOfString(shown) <= width) return shown;
    while (shown.length > 1 && doc.widthOfString(`${shown}…`) > width) shown = shown.slice(0, -1);
    return `${shown}…`;
  };

  let page = 0;
  let y = 0;
  let onPage = 0;

  const startPage = () => {
    doc.addPage();
    page += 1;
    onPage = 0;
    y = MARGIN;
    doc
      .font('Helvetica-Bold')
      .fontSize(13)
      .text(fit(header.companyName, usable * 0.7), MARGIN, y, { lineBreak: false });
    if (header.taxNumber)
      doc
        .font('Helvetica')
        .fontSize(8.5)
        .text(pdfText(labels('vatNumber', { number: header.taxNumber })), MARGIN, y + 3, {
          width: usable,
          align: 'right',
          lineBreak: false,
        });
    doc
      .font('Helvetica-Bold')
      .fontSize(11.5)
      .text(pdfText(table.title), MARGIN, y + 20, { lineBreak: false });
    doc
      .font('Helvetica')
      .fontSize(9)
      .text(
        pdfText(`${table.periodLabel}  ·  ${labels('amountsIn', { currency: table.currency })}`),
        MARGIN,
        y + 38,
        { lineBreak: false },
      );
    y = MARGIN + HEADER_HEIGHT - ROW_HEIGHT;
    doc.font('Helvetica-Bold').fontSize(FONT_SIZE);
    table.columns.forEach((c, i) => {
      doc.text(fit(c.label, widths[i]! - 4), xs[i]!, y, {
        width: widths[i]! - 4,
        align: c.kind === 'text' ? 'left' : 'right',
        lineBreak: false,
      });
    });
    y += ROW_HEIGHT;
    doc
      .moveTo(MARGIN, y - 2.5)
      .lineTo(MARGIN + usable, y - 2.5)
      .lineWidth(0.6)
      .stroke();
    // The foot, written now: the page count is known from the layout.
    const footY = pageHeight - MARGIN - 10;
    doc.font('Helvetica').fontSize(7.5);
    doc.text(pdfText(generated), MARGIN, footY, { lineBreak: false });
    doc.text(pdfText(labels('page', { page, pages: layout.pages })), MARGIN, footY, {
      width: usable,
      align: 'right',
      lineBreak: false,
    });
  };

  const line = (row: ReportRow) => {
    if (page === 0 || onPage >= layout.rowsPerPage) startPage();
    const bold = row.style !== undefined;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(FONT_SIZE);
    if (row.style === 'heading') {
      doc.text(fit(String(row.cells[table.columns[0]!.key] ?? ''), usable), MARGIN, y, { lineBreak: false });
    } else {
      if (row.style === 'total' || row.style === 'subtotal')
        doc
          .moveTo(MARGIN, y - 2)
          .lineTo(MARGIN + usable, y - 2)
          .lineWidth(0.3)
          .stroke();
      table.columns.forEach((c, i) => {
        const text = cellText(c, row.cells[c.key], header.locale, table.currency);
        if (!text) return;
        const width = widths[i]! - 4;
        doc.text(fit(text, width), xs[i]!, y, {
          width,
          align: c.kind === 'text' ? 'left' : 'right',
          lineBreak: false,
        });
      });
    }
    y += ROW_HEIGHT;
    onPage += 1;
  };

  // Wait, at each page break, until the reader has taken what was written: pages never pile up.
  const drained = async () => {
    while (doc.readableLength > 256 * 1024 && !doc.destroyed)
      await new Promise((resolve) => setImmediate(resolve));
  };

  const write = async () => {
    let rows = 0;
    for await (const row of table.rows()) {
      if (onPage >= layout.rowsPerPage) await drained();
      line(row);
      rows += 1;
    }
    if (rows === 0) line({ cells: { [table.columns[0]!.key]: labels('noRows') }, style: 'heading' });
    for (const row of table.totals) line(row);
    if (page !== layout.pages)
      throw new Error(`The report laid out ${page} pages where ${layout.pages} were planned.`);
    doc.end();
  };
  write().catch((error: unknown) => doc.destroy(error instanceof Error ? error : new Error(String(error))));
  return doc;
}
