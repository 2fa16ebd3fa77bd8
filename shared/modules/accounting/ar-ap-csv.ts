import { toCsv } from '../../platform/http/csv.js';
import type { AgingReport, Statement } from './ar-ap-schemas.js';

const BUCKETS = ['current', 'days1To30', 'days31To60', 'days61To90', 'over90', 'total'] as const;

/** Aged balances as CSV: a row per party and currency, then the base-currency and grand totals. */
export function agingCsv(report: AgingReport): string {
  const rows = report.parties.flatMap((p) => [
    ...p.byCurrency.map((c) => [p.code, p.name, c.currency, ...BUCKETS.map((b) => c[b])]),
    [p.code, p.name, `${report.baseCurrency} (base)`, ...BUCKETS.map((b) => p.base[b])],
  ]);
  rows.push(...report.totals.byCurrency.map((c) => ['TOTAL', '', c.currency, ...BUCKETS.map((b) => c[b])]));
  rows.push(['TOTAL', '', `${report.baseCurrency} (base)`, ...BUCKETS.map((b) => report.totals.base[b])]);
  return toCsv(['code', 'name', 'currency', 'current', '1-30', '31-60', '61-90', '90+', 'total'], rows);
}

/** A statement of account as CSV: per currency, the balance brought forward, each line, the closing balance. */
export function statementCsv(statement: Statement): string {
  const rows = statement.accounts.flatMap((a) => [
    [a.currency, statement.from, 'brought forward', '', '', '', '', '', a.openingBalance],
    ...a.lines.map((l) => [
      a.currency,
      l.date,
      l.type,
      l.number,
      l.reference,
      l.dueDate,
      l.debit,
      l.credit,
      l.balance,
    ]),
    [a.currency, statement.to, 'closing balance', '', '', '', '', '', a.closingBalance],
  ]);
  return toCsv(
    ['currency', 'date', 'type', 'number', 'reference', 'due date', 'debit', 'credit', 'balance'],
    rows,
  );
}
