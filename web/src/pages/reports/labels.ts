import { defineMessages } from 'react-intl';
import type { RelativePeriod, ReportFormat, ReportType, RunStatus } from './types';

/** The reports' titles, as the rendered files print them (`shared/modules/reports/labels.ts`). */
export const reportTypeLabels = defineMessages<ReportType>({
  trialBalance: { id: 'reports.type.trialBalance', defaultMessage: 'Trial balance' },
  profitAndLoss: { id: 'reports.type.profitAndLoss', defaultMessage: 'Profit and loss' },
  balanceSheet: { id: 'reports.type.balanceSheet', defaultMessage: 'Balance sheet' },
  arAging: { id: 'reports.type.arAging', defaultMessage: 'Aged receivables' },
  apAging: { id: 'reports.type.apAging', defaultMessage: 'Aged payables' },
  salesByCustomer: { id: 'reports.type.salesByCustomer', defaultMessage: 'Sales by customer and month' },
  stockValuation: { id: 'reports.type.stockValuation', defaultMessage: 'Stock valuation' },
  vat: { id: 'reports.type.vat', defaultMessage: 'VAT report' },
});

export const periodLabels = defineMessages<RelativePeriod>({
  today: { id: 'reports.period.today', defaultMessage: 'Today' },
  yesterday: { id: 'reports.period.yesterday', defaultMessage: 'Yesterday' },
  monthToDate: { id: 'reports.period.monthToDate', defaultMessage: 'Month to date' },
  lastMonth: { id: 'reports.period.lastMonth', defaultMessage: 'Last month' },
  quarterToDate: { id: 'reports.period.quarterToDate', defaultMessage: 'Financial quarter to date' },
  lastQuarter: { id: 'reports.period.lastQuarter', defaultMessage: 'Last financial quarter' },
  fiscalYearToDate: { id: 'reports.period.fiscalYearToDate', defaultMessage: 'Financial year to date' },
  lastFiscalYear: { id: 'reports.period.lastFiscalYear', defaultMessage: 'Last financial year' },
});

export const formatLabels = defineMessages<ReportFormat>({
  pdf: { id: 'reports.format.pdf', defaultMessage: 'PDF document' },
  xlsx: { id: 'reports.format.xlsx', defaultMessage: 'Excel workbook (XLSX)' },
  csv: { id: 'reports.format.csv', defaultMessage: 'CSV (comma-separated values)' },
});

export const runStatusLabels = defineMessages<RunStatus>({
  queued: { id: 'reports.status.queued', defaultMessage: 'Queued' },
  running: { id: 'reports.status.running', defaultMessage: 'Running' },
  succeeded: { id: 'reports.status.succeeded', defaultMessage: 'Ready' },
  failed: { id: 'reports.status.failed', defaultMessage: 'Failed' },
});

export const runStatusColours: Record<RunStatus, 'informative' | 'warning' | 'success' | 'danger'> = {
  queued: 'informative',
  running: 'warning',
  succeeded: 'success',
  failed: 'danger',
};

/** The short name of a file format on a button or in a list: PDF, XLSX, CSV. */
export const formatCode = (format: ReportFormat): string => format.toUpperCase();
