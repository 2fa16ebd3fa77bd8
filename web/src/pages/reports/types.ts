/**
 * The reports API's JSON shapes, as `shared/modules/reports/schemas.ts` defines them, and the few
 * facts of `definitions.ts` the pages need before they ask the server.
 */

export const REPORT_TYPES = [
  'trialBalance',
  'profitAndLoss',
  'balanceSheet',
  'arAging',
  'apAging',
  'salesByCustomer',
  'stockValuation',
  'vat',
] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

/** Reports as at a date (the period's last day) rather than over a period. */
export const AS_AT_REPORTS: ReadonlySet<ReportType> = new Set([
  'balanceSheet',
  'arAging',
  'apAging',
  'stockValuation',
]);

/** Periods relative to the day a report runs; quarters and years are the tenant's fiscal ones. */
export const RELATIVE_PERIODS = [
  'today',
  'yesterday',
  'monthToDate',
  'lastMonth',
  'quarterToDate',
  'lastQuarter',
  'fiscalYearToDate',
  'lastFiscalYear',
] as const;
export type RelativePeriod = (typeof RELATIVE_PERIODS)[number];

export const REPORT_FORMATS = ['pdf', 'xlsx', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A user of the tenant, or (named by an administrator) an address outside it. */
export type Recipient = { userId: string } | { email: string; name?: string };

export interface ReportParameters {
  period: RelativePeriod;
  /** Stock valuation only: one warehouse. */
  warehouseId?: string;
}

export interface Schedule {
  id: string;
  name: string;
  reportType: ReportType;
  parameters: ReportParameters;
  formats: ReportFormat[];
  recipients: Recipient[];
  /** NCRONTAB: `{second} {minute} {hour} {day} {month} {day-of-week}`. */
  schedule: string;
  timeZone: string;
  locale: string;
  active: boolean;
  /** When it runs next; null while paused. */
  nextRunAt: string | null;
  lastRunAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The body of `POST v1/reports/schedules`. */
export interface ScheduleInput {
  name: string;
  reportType: ReportType;
  parameters: ReportParameters;
  formats: ReportFormat[];
  recipients: Recipient[];
  schedule: string;
  timeZone?: string;
  locale?: string;
  active: boolean;
}

/** The body of `PATCH v1/reports/schedules/{id}`: the fields that change, at least one. */
export type SchedulePatch = Partial<ScheduleInput>;

export interface ReportFile {
  format: ReportFormat;
  fileName: string;
  blobName: string;
  contentType: string;
  sizeBytes: number;
}

export interface Run {
  id: string;
  scheduleId: string | null;
  dueAt: string | null;
  /** The schedule's name, the name asked for, or the report type. */
  name: string;
  reportType: ReportType;
  parameters: ReportParameters;
  /** Null for a report as at `to`. */
  from: string | null;
  to: string;
  formats: ReportFormat[];
  recipients: Recipient[];
  locale: string;
  status: RunStatus;
  files: ReportFile[];
  rowCount: number | null;
  error: string | null;
  instanceId: string | null;
  requestedBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

/** The body of `POST v1/reports/runs`: a schedule as it is, or a report described here. */
export type RunRequest =
  | { scheduleId: string }
  | {
      reportType: ReportType;
      formats: ReportFormat[];
      parameters?: ReportParameters;
      from?: string;
      to?: string;
      recipients?: Recipient[];
      name?: string;
      locale?: string;
    };

/** A short-lived (SAS) link to one file of a finished run. */
export interface DownloadLink {
  url: string;
  expiresAt: string;
}

/** A run the server is still working on: its page and lists poll until it is done. */
export const isRunPending = (run: Pick<Run, 'status'>): boolean =>
  run.status === 'queued' || run.status === 'running';
