import type { Readable } from 'node:stream';
import type { ReportFormat } from '../schemas.js';
import type { ReportHeader, ReportTable } from '../table.js';
import { renderCsv } from './csv.js';
import { renderPdf } from './pdf.js';
import { renderXlsx } from './xlsx.js';

export const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** The report as a byte stream in one format. */
export function renderReport(table: ReportTable, header: ReportHeader, format: ReportFormat): Readable {
  switch (format) {
    case 'pdf':
      return renderPdf(table, header);
    case 'xlsx':
      return renderXlsx(table, header);
    case 'csv':
      return renderCsv(table);
  }
}

export { pdfLayout } from './pdf.js';
