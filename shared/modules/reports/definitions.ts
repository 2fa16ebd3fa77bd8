import {
  agingReport,
  balanceSheet,
  profitAndLoss,
  salesByCustomer,
  trialBalance,
  vatReport,
  type AgingBuckets,
  type AgingReport,
} from '../accounting/index.js';
import { stockValuation } from '../inventory/index.js';
import type { Role } from '../../platform/auth/roles.js';
import type { Tx } from '../../platform/db/database.js';
import { Decimal } from '../../platform/money.js';
import { labelsFor, reportTitle, type Labels } from './labels.js';
import { formatDay } from '../../platform/print.js';
import type { Period } from './periods.js';
import type { ReportParameters, ReportType } from './schemas.js';
import type { ReportColumn, ReportRow, ReportTable } from './table.js';

const FINANCE: readonly Role[] = ['Admin', 'Finance.Clerk', 'Finance.Approver', 'Auditor'];
const STOCK: readonly Role[] = [
  'Admin',
  'Inventory.Clerk',
  'Sales.Rep',
  'Sales.Manager',
  'Finance.Clerk',
  'Finance.Approver',
  'Auditor',
  'SiteManager',
];

export interface ReportDefinition {
  /** Who may read it through the API, and so who may schedule it or receive it. */
  readers: readonly Role[];
  /** As at a date (the period's last day) rather than over a period. */
  asAt: boolean;
  /**
   * Reads the report through the same module function its API route calls (so every figure is
   * the API's, to the cent) and shapes it as a table.
   */
  load(trx: Tx, period: Period, parameters: ReportParameters, locale: string): Promise<ReportTable>;
}

const column = (key: string, label: string, kind: ReportColumn['kind'], width = 1): ReportColumn => ({
  key,
  label,
  kind,
  width,
});

function table(
  type: ReportType,
  labels: Labels,
  locale: string,
  period: Period,
  asAt: boolean,
  currency: string,
  columns: ReportColumn[],
  rows: ReportRow[],
  totals: ReportRow[],
): ReportTable {
  return {
    title: reportTitle(labels, type),
    periodLabel: asAt
      ? labels('asAt', { date: formatDay(period.to, locale) })
      : `${formatDay(period.from, locale)} – ${formatDay(period.to, locale)}`,
    currency,
    columns,
    rowCount: rows.length,
    rows: () => rows,
    totals,
  };
}

type Section = {
  type: string;
  title: string;
  lines: { account: string; name: string; amount: string; comparativeAmount: string }[];
  total: string;
  comparativeTotal: string;
};

function statementRows(labels: Labels, sections: readonly Section[]): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const section of sections) {
    const title = labels(section.type as 'revenue');
    rows.push({ cells: { account: title }, style: 'heading' });
    for (const line of section.lines)
      rows.push({
        cells: {
          account: line.account,
          name: line.name,
          amount: line.amount,
          comparativeAmount: line.comparativeAmount,
        },
      });
    rows.push({
      cells: {
        account: `${labels('total')}: ${title}`,
        amount: section.total,
        comparativeAmount: section.comparativeTotal,
      },
      style: 'subtotal',
    });
  }
  return rows;
}

function agingTable(
  type: 'arAging' | 'apAging',
  report: AgingReport,
  labels: Labels,
  locale: string,
  period: Period,
): ReportTable {
  const buckets = (b: AgingBuckets) => ({
    current: b.current,
    days1To30: b.days1To30,
    days31To60: b.days31To60,
    days61To90: b.days61To90,
    over90: b.over90,
    total: b.total,
  });
  return table(
    type,
    labels,
    locale,
    period,
    true,
    report.baseCurrency,
    [
      column('code', labels('code'), 'text', 0.8),
      column('name', labels(type === 'arAging' ? 'customer' : 'supplier'), 'text', 2.2),
      column('current', labels('current'), 'amount'),
      column('days1To30', labels('days1To30'), 'amount'),
      column('days31To60', labels('days31To60'), 'amount'),
      column('days61To90', labels('days61To90'), 'amount'),
      column('over90', labels('over90'), 'amount'),
      column('total', labels('total'), 'amount'),
    ],
    report.parties.map((p) => ({ cells: { code: p.code, name: p.name, ...buckets(p.base) } })),
    [{ cells: { code: labels('total'), ...buckets(report.totals.base) }, style: 'total' }],
  );
}

export const REPORTS: Readonly<Record<ReportType, ReportDefinition>> = {
  trialBalance: {
    readers: FINANCE,
    asAt: false,
    async load(trx, period, _parameters, locale) {
      const labels = labelsFor(locale);
      const tb = await trialBalance(trx, period.from, period.to);
      return table(
        'trialBalance',
        labels,
        locale,
        period,
        false,
        tb.currency,
        [
          column('account', labels('account'), 'text', 0.8),
          column('name', labels('name'), 'text', 2.6),
          column('type', labels('type'), 'text', 0.9),
          column('debit', labels('debit'), 'amount', 1.2),
          column('credit', labels('credit'), 'amount', 1.2),
          column('balance', labels('balance'), 'amount', 1.2),
        ],
        tb.rows.map((r) => ({ cells: { ...r } })),
        [
          {
            cells: {
              account: labels('total'),
              debit: tb.totals.debit,
              credit: tb.totals.credit,
              balance: new Decimal(tb.totals.debit).minus(tb.totals.credit).toFixed(2),
            },
            style: 'total',
          },
        ],
      );
    },
  },
  profitAndLoss: {
    readers: FINANCE,
    asAt: false,
    async load(trx, period, _parameters, locale) {
      const labels = labelsFor(locale);
      const pl = await profitAndLoss(trx, { from: period.from, to: period.to });
      const comparison = `${formatDay(pl.comparison.from, locale)} – ${formatDay(pl.comparison.to, locale)}`;
      return table(
        'profitAndLoss',
        labels,
        locale,
        period,
        false,
        pl.currency,
        [
          column('account', labels('account'), 'text', 0.8),
          column('name', labels('name'), 'text', 2.8),
          column('amount', labels('amount'), 'amount', 1.3),
          column('comparativeAmount', comparison, 'amount', 1.3),
        ],
        statementRows(labels, pl.sections),
        [
          {
            cells: {
              account: labels('netResult'),
              amount: pl.netResult,
              comparativeAmount: pl.comparativeNetResult,
            },
            style: 'total',
          },
        ],
      );
    },
  },
  balanceSheet: {
    readers: FINANCE,
    asAt: true,
    async load(trx, period, _parameters, locale) {
      const labels = labelsFor(locale);
      const bs = await balanceSheet(trx, { date: period.to });
      const rows = statementRows(labels, bs.sections);
      rows.push({
        cells: {
          account: labels('currentResult'),
          amount: bs.currentResult,
          comparativeAmount: bs.comparativeCurrentResult,
        },
      });
      return table(
        'balanceSheet',
        labels,
        locale,
        period,
        true,
        bs.currency,
        [
          column('account', labels('account'), 'text', 0.8),
          column('name', labels('name'), 'text', 2.8),
          column('amount', formatDay(bs.date, locale), 'amount', 1.3),
          column('comparativeAmount', formatDay(bs.comparisonDate, locale), 'amount', 1.3),
        ],
        rows,
        [
          {
            cells: {
              account: labels('totalAssets'),
              amount: bs.totals.assets,
              comparativeAmount: bs.totals.comparativeAssets,
            },
            style: 'total',
          },
          {
            cells: {
              account: labels('totalLiabilitiesAndEquity'),
              amount: bs.totals.liabilitiesAndEquity,
              comparativeAmount: bs.totals.comparativeLiabilitiesAndEquity,
            },
            style: 'total',
          },
        ],
      );
    },
  },
  arAging: {
    readers: FINANCE,
    asAt: true,
    async load(trx, period, _parameters, locale) {
      return agingTable(
        'arAging',
        await agingReport(trx, 'receivable', period.to),
        labelsFor(locale),
        locale,
        period,
      );
    },
  },
  apAging: {
    readers: FINANCE,
    asAt: true,
    async load(trx, period, _parameters, locale) {
      return agingTable(
        'apAging',
        await agingReport(trx, 'payable', period.to),
        labelsFor(locale),
        locale,
        period,
      );
    },
  },
  salesByCustomer: {
    readers: [...FINANCE, 'Sales.Manager'],
    asAt: false,
    async load(trx, period, _parameters, locale) {
      const labels = labelsFor(locale);
      const report = await salesByCustomer(trx, period.from, period.to);
      return table(
        'salesByCustomer',
        labels,
        locale,
        period,
        false,
        report.currency,
        [
          column('month', labels('month'), 'text', 0.8),
          column('customerCode', labels('code'), 'text', 0.8),
          column('customerName', labels('customer'), 'text', 2.2),
          column('invoices', labels('invoices'), 'integer', 0.7),
          column('creditNotes', labels('creditNotes'), 'integer', 0.8),
          column('net', labels('net'), 'amount', 1.2),
          column('tax', labels('tax'), 'amount', 1.1),
          column('gross', labels('gross'), 'amount', 1.2),
        ],
        report.rows.map((r) => ({ cells: { ...r } })),
        [{ cells: { month: labels('total'), ...report.totals }, style: 'total' }],
      );
    },
  },
  stockValuation: {
    readers: STOCK,
    asAt: true,
    async load(trx, period, parameters, locale) {
      const labels = labelsFor(locale);
      const report = await stockValuation(trx, { asOf: period.to, warehouseId: parameters.warehouseId });
      return table(
        'stockValuation',
        labels,
        locale,
        period,
        true,
        report.currency,
        [
          column('sku', labels('sku'), 'text', 1),
          column('itemName', labels('item'), 'text', 2.4),
          column('warehouseCode', labels('warehouse'), 'text', 0.9),
          column('uom', labels('uom'), 'text', 0.6),
          column('quantity', labels('quantity'), 'quantity', 1),
          column('averageCost', labels('averageCost'), 'amount', 1.1),
          column('value', labels('value'), 'amount', 1.3),
        ],
        report.rows.map((r) => ({ cells: { ...r } })),
        [{ cells: { sku: labels('total'), value: report.totals.value }, style: 'total' }],
      );
    },
  },
  vat: {
    readers: FINANCE,
    asAt: false,
    async load(trx, period, _parameters, locale) {
      const labels = labelsFor(locale);
      const report = await vatReport(trx, period.from, period.to);
      const rows: ReportRow[] = [];
      for (const [key, lines] of [
        ['supplies', report.supplies],
        ['purchases', report.purchases],
      ] as const) {
        rows.push({ cells: { taxCode: labels(key) }, style: 'heading' });
        for (const line of lines) rows.push({ cells: { ...line } });
      }
      rows.push({
        cells: {
          taxCode: labels('otherVat'),
          net: report.otherVatPostings.output,
          vat: report.otherVatPostings.input,
        },
      });
      return table(
        'vat',
        labels,
        locale,
        period,
        false,
        report.currency,
        [
          column('taxCode', labels('taxCode'), 'text', 1.4),
          column('kind', labels('type'), 'text', 1.4),
          column('rate', labels('rate'), 'percent', 0.7),
          column('net', labels('net'), 'amount', 1.3),
          column('vat', labels('tax'), 'amount', 1.3),
        ],
        rows,
        [
          { cells: { taxCode: labels('outputVat'), vat: report.ledger.outputVat }, style: 'total' },
          { cells: { taxCode: labels('inputVat'), vat: report.ledger.inputVat }, style: 'total' },
          { cells: { taxCode: labels('netPayable'), vat: report.netPayable }, style: 'total' },
        ],
      );
    },
  },
};
