/** The accounting module's public surface: the ledger other modules post to, and its set-up. */
import './tables.js';

export {
  postEntry,
  reverseEntry,
  getEntry,
  describeEntries,
  closePeriod,
  reopenPeriod,
  trialBalance,
  toBase,
} from './ledger.js';
export type { PostingRequest, PostingLine } from './ledger.js';
export {
  setUpBooks,
  listAccounts,
  getAccount,
  addAccount,
  changeAccount,
  deleteAccount,
  addExchangeRate,
  listExchangeRates,
  listTaxCodes,
  addTaxCode,
} from './setup.js';
export { ensurePeriod, fiscalYearOf } from './periods.js';
export { accountingErrors } from './errors.js';
export * from './schemas.js';
export { listEntries, listPeriods, tenantBooks, accountByCode, rateOn } from './repository.js';
export { SME_CHART } from './chart-template.js';
export {
  generalLedger,
  generalLedgerCsv,
  profitAndLoss,
  profitAndLossCsv,
  balanceSheet,
  balanceSheetCsv,
  trialBalanceCsv,
  priorPeriod,
} from './statements.js';
export { foldAllPeriodDeltas, foldPeriodDeltas } from './statements-repository.js';
export * from './statements-schemas.js';
export {
  YEAR_END_SOURCE,
  listFiscalYears,
  requestYearEndClose,
  openPeriodsOf,
  markYearClosing,
  computeYearResult,
  postClosingEntry,
  markYearClosed,
  abandonYearClose,
} from './year-end.js';
export type { YearResult } from './year-end.js';
export { yearEndErrors } from './year-end-errors.js';
import './ar-ap-tables.js';
export { createParty, getParty, listParties, changeParty } from './parties.js';
export {
  createDocument,
  changeDocument,
  issueDocument,
  getDocument,
  listDocuments,
  DOCUMENT_KINDS,
  addDays,
  lineNet,
  taxSummary,
} from './trade-documents.js';
export {
  createSettlement,
  changeSettlement,
  postSettlement,
  getSettlement,
  listSettlements,
  SETTLEMENT_KINDS,
} from './settlements.js';
export { agingReport, statementOfAccount } from './aging.js';
export {
  salesByCustomer,
  salesByCustomerCsv,
  salesByCustomerQuerySchema,
  salesByCustomerSchema,
} from './sales-report.js';
export type { SalesByCustomer } from './sales-report.js';
export { arApErrors } from './ar-ap-errors.js';
export * from './ar-ap-schemas.js';
export type { DocumentKind, SettlementKind, PartyKind, Ledger } from './ar-ap-tables.js';
export { vatReport, vatReportCsv, vatReportQuerySchema, vatReportSchema } from './vat-report.js';
export type { VatReport } from './vat-report.js';
export { revalueForeignBalances, revaluationInputSchema, revaluationSchema } from './revaluation.js';
export type { Revaluation } from './revaluation.js';
export { agingCsv, statementCsv } from './ar-ap-csv.js';
/** The active account that holds a role in the chart (inventory, grni, cost_of_sales, …). */
export { accountByRole, activeTaxCodes, receivableExposure } from './ar-ap-repository.js';
