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
export { listEntries, listPeriods, tenantBooks, accountByCode } from './repository.js';
export { SME_CHART } from './chart-template.js';
