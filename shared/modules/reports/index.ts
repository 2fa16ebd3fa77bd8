import './tables.js';
export * from './schemas.js';
export {
  REPORT_RUN_ORCHESTRATION,
  REPORTS_CONTAINER,
  beginRun,
  changeSchedule,
  completeRun,
  createSchedule,
  failRun,
  getRun,
  getReadableRun,
  getReadableSchedule,
  readableTypes,
  getSchedule,
  listRuns,
  listSchedules,
  renderRunFile,
  reportBlobName,
  requestRun,
  runFileUrl,
  startDueRuns,
} from './service.js';
export type { DuePass, ReportsActor } from './service.js';
export { REPORTS } from './definitions.js';
export { resolvePeriod } from './periods.js';
export { reportErrors } from './errors.js';
export type { ReportTable, ReportRow, ReportColumn } from './table.js';
export { renderReport, CONTENT_TYPES, pdfLayout } from './render/index.js';
