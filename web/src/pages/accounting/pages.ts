/** The accounting pages, loaded together as one chunk the first time any of them opens. */
export { AccountsPage } from './AccountsPage';
export { AgingPage } from './AgingPage';
export { JournalEntryPage, JournalListPage, NewJournalEntryPage } from './JournalPages';
export { BalanceSheetPage, LedgerPage, ProfitAndLossPage, TrialBalancePage } from './ReportPages';
