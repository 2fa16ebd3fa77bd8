/**
 * A report as the renderers see it: a title, a period, columns, and rows streamed one at a time, so
 * that a report of any length renders in constant memory. Amounts and quantities are exact
 * decimal strings; each renderer formats them (PDF in the locale, XLSX as numbers with a number
 * format, CSV as they are).
 */
export type CellKind = 'text' | 'amount' | 'quantity' | 'integer' | 'percent';

export interface ReportColumn {
  key: string;
  label: string;
  kind: CellKind;
  /** Relative width on paper. */
  width: number;
}

export type Cell = string | number | null;

export interface ReportRow {
  cells: Record<string, Cell>;
  /** `heading`: a section title (first column only); `subtotal`/`total`: printed bold. */
  style?: 'heading' | 'subtotal' | 'total';
}

export interface ReportTable {
  title: string;
  /** The period, as printed: '1 Oct 2026 – 31 Oct 2026' or 'As at 31 Oct 2026'. */
  periodLabel: string;
  currency: string;
  columns: ReportColumn[];
  /** How many rows `rows()` yields (headings and subtotals included; totals not). */
  rowCount: number;
  rows(): Iterable<ReportRow> | AsyncIterable<ReportRow>;
  /** The grand totals, printed last and bold. */
  totals: ReportRow[];
}

export interface ReportHeader {
  companyName: string;
  taxNumber?: string;
  locale: string;
  generatedAt: Date;
  timeZone: string;
}
