import {
  balanceSheet,
  balanceSheetCsv,
  balanceSheetQuerySchema,
  balanceSheetSchema,
  generalLedger,
  generalLedgerCsv,
  generalLedgerQuerySchema,
  generalLedgerSchema,
  profitAndLoss,
  profitAndLossCsv,
  profitAndLossQuerySchema,
  profitAndLossSchema,
  salesByCustomer,
  salesByCustomerCsv,
  salesByCustomerQuerySchema,
  salesByCustomerSchema,
  trialBalance,
  trialBalanceCsv,
  vatReport,
  vatReportCsv,
  vatReportQuerySchema,
  vatReportSchema,
  trialBalanceReportQuerySchema,
  trialBalanceSchema,
} from '../shared/modules/accounting/index.js';
import { csvReply } from '../shared/platform/http/csv.js';
import { defineRoute } from '../shared/platform/http/route.js';

/** Financial statements: read-only, so they may run on the read replica. Each also downloads as CSV. */
const READERS = ['Admin', 'Finance.Clerk', 'Finance.Approver', 'Auditor'] as const;

defineRoute({
  name: 'accounting-reports-trial-balance',
  method: 'GET',
  route: 'v1/accounting/reports/trial-balance',
  summary:
    'Trial balance in the base currency: debits, credits and balance per account for a date range (?format=csv to download)',
  tags: ['accounting'],
  roles: READERS,
  query: trialBalanceReportQuerySchema,
  response: trialBalanceSchema,
  database: 'replica',
  handler: async ({ trx, query }) => {
    const report = await trialBalance(trx, query.from, query.to);
    return query.format === 'csv'
      ? csvReply(`trial-balance-${query.from}-${query.to}.csv`, trialBalanceCsv(report))
      : { body: report };
  },
});

defineRoute({
  name: 'accounting-reports-general-ledger',
  method: 'GET',
  route: 'v1/accounting/reports/general-ledger',
  summary:
    "One account's lines for a date range with opening, running and closing balances in the base currency, cursor-paged (?format=csv: every line)",
  tags: ['accounting'],
  roles: READERS,
  query: generalLedgerQuerySchema,
  response: generalLedgerSchema,
  database: 'replica',
  handler: async ({ trx, query }) =>
    query.format === 'csv'
      ? csvReply(
          `general-ledger-${query.account}-${query.from}-${query.to}.csv`,
          await generalLedgerCsv(trx, query),
        )
      : { body: await generalLedger(trx, query) },
});

defineRoute({
  name: 'accounting-reports-profit-and-loss',
  method: 'GET',
  route: 'v1/accounting/reports/profit-and-loss',
  summary:
    'Profit and loss for a period beside the prior period of the same length: revenue, expenses, net result (?format=csv to download)',
  tags: ['accounting'],
  roles: READERS,
  query: profitAndLossQuerySchema,
  response: profitAndLossSchema,
  database: 'replica',
  handler: async ({ trx, query }) => {
    const report = await profitAndLoss(trx, query);
    return query.format === 'csv'
      ? csvReply(`profit-and-loss-${query.from}-${query.to}.csv`, profitAndLossCsv(report))
      : { body: report };
  },
});

defineRoute({
  name: 'accounting-reports-balance-sheet',
  method: 'GET',
  route: 'v1/accounting/reports/balance-sheet',
  summary:
    'Balance sheet as of a date beside a comparison date: assets, liabilities, equity and the result not yet closed (?format=csv to download)',
  tags: ['accounting'],
  roles: READERS,
  query: balanceSheetQuerySchema,
  response: balanceSheetSchema,
  database: 'replica',
  handler: async ({ trx, query }) => {
    const report = await balanceSheet(trx, query);
    return query.format === 'csv'
      ? csvReply(`balance-sheet-${query.date}.csv`, balanceSheetCsv(report))
      : { body: report };
  },
});

defineRoute({
  name: 'accounting-reports-vat',
  method: 'GET',
  route: 'v1/accounting/reports/vat',
  summary:
    'VAT for a period: supplies and purchases per tax code, output and input VAT, net payable (?format=csv to download)',
  tags: ['accounting'],
  roles: READERS,
  query: vatReportQuerySchema,
  response: vatReportSchema,
  database: 'replica',
  handler: async ({ trx, query }) => {
    const report = await vatReport(trx, query.from, query.to);
    return query.format === 'csv'
      ? csvReply(`vat-${query.from}-${query.to}.csv`, vatReportCsv(report))
      : { body: report };
  },
});

defineRoute({
  name: 'accounting-reports-sales-by-customer',
  method: 'GET',
  route: 'v1/accounting/reports/sales-by-customer',
  summary:
    'Sales per customer and month: invoices less credit notes, excluding and including VAT, in the base currency (?format=csv to download)',
  tags: ['accounting'],
  roles: [...READERS, 'Sales.Manager'],
  query: salesByCustomerQuerySchema,
  response: salesByCustomerSchema,
  database: 'replica',
  handler: async ({ trx, query }) => {
    const report = await salesByCustomer(trx, query.from, query.to);
    return query.format === 'csv'
      ? csvReply(`sales-by-customer-${query.from}-${query.to}.csv`, salesByCustomerCsv(report))
      : { body: report };
  },
});
