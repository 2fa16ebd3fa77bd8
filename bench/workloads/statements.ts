/**
 * The other financial statements over the same books as the trial balance (what the former
 * bench/accounting-reports.ts measured): the balance sheet at a date beside the year before, profit
 * and loss for a month beside the month before, and the first page of 100 lines of a general ledger
 * with its opening and closing balances. Each through the API, the service in process and the
 * best plain SQL, with every period open (running totals per month) and again with the months
 * closed (the totals stored at close).
 */
import type pg from 'pg';
import { balanceSheet, generalLedger, profitAndLoss } from '../../shared/modules/accounting/index.js';
import type { Tx } from '../../shared/platform/db/database.js';
import type { Api } from '../lib/api.js';
import type { BenchContext } from '../lib/context.js';
import { timeReport, type ReportTimings } from '../lib/report-timing.js';

const DATE = '2026-01-31';
const COMPARE = '2025-01-31';
const MONTH = { from: '2025-12-01', to: '2025-12-31', priorFrom: '2025-11-01' };

/**
 * The stored totals per (period, account) the product reads for whole months: those taken at
 * close once the months are closed; with them open, the rollups and the deltas not folded yet.
 */
const totals = (closed: boolean) =>
  closed
    ? 'period_account_totals'
    : `(select tenant_id, period_id, account_id, base_debit, base_credit from period_account_rollups
        union all
        select tenant_id, period_id, account_id, base_debit, base_credit from period_account_deltas)`;

const statements = (closed: boolean) => [
  {
    name: 'balance sheet, with the year before',
    path: `/api/v1/accounting/reports/balance-sheet?date=${DATE}&compareTo=${COMPARE}`,
    service: (trx: Tx) => balanceSheet(trx, { date: DATE, compareTo: COMPARE }),
    values: (t: string) => [t, DATE, COMPARE],
    sql: `with s as (
           select t.account_id, sum(t.base_debit - t.base_credit) as balance,
                  sum(t.base_debit - t.base_credit) filter (where p.end_date <= $3) as comparative
             from ${totals(closed)} t join periods p on p.tenant_id = t.tenant_id and p.id = t.period_id
            where t.tenant_id = $1 and p.end_date <= $2 group by t.account_id)
         select a.code, a.type, s.balance::text, s.comparative::text
           from s join accounts a on a.tenant_id = $1 and a.id = s.account_id order by a.code`,
  },
  {
    name: 'profit and loss, a month and the one before',
    path: `/api/v1/accounting/reports/profit-and-loss?from=${MONTH.from}&to=${MONTH.to}`,
    service: (trx: Tx) => profitAndLoss(trx, { from: MONTH.from, to: MONTH.to }),
    values: (t: string) => [t, MONTH.from, MONTH.to, MONTH.priorFrom],
    sql: `select a.code, sum(t.base_credit - t.base_debit) filter (where p.start_date >= $2)::text as amount,
                sum(t.base_credit - t.base_debit) filter (where p.start_date < $2)::text as comparative
           from ${totals(closed)} t join periods p on p.tenant_id = t.tenant_id and p.id = t.period_id
           join accounts a on a.tenant_id = t.tenant_id and a.id = t.account_id
          where t.tenant_id = $1 and a.type in ('revenue', 'expense') and p.start_date between $4 and $2 and p.end_date <= $3
          group by a.code order by a.code`,
  },
  {
    name: 'general ledger, first page of 100',
    path: `/api/v1/accounting/reports/general-ledger?account=1000&from=${MONTH.from}&to=${MONTH.to}&limit=100`,
    service: (trx: Tx) => generalLedger(trx, { account: '1000', from: MONTH.from, to: MONTH.to, limit: 100 }),
    values: (t: string) => [t, MONTH.from, MONTH.to],
    // The page, and the opening balance and the month's totals from the stored totals.
    sql: `with acct as (select id from accounts where tenant_id = $1 and code = '1000'),
          page as (
            select l.entry_date, e.number, l.line_no, l.base_debit, l.base_credit
              from journal_lines l join journal_entries e on e.tenant_id = l.tenant_id and e.id = l.entry_id
             where l.tenant_id = $1 and l.account_id = (select id from acct) and l.entry_date between $2 and $3
             order by l.entry_date, l.entry_id, l.line_no limit 101),
          sums as (
            select sum(t.base_debit - t.base_credit) filter (where p.end_date < $2) as opening,
                   sum(t.base_debit) filter (where p.start_date >= $2) as debit,
                   sum(t.base_credit) filter (where p.start_date >= $2) as credit
              from ${totals(closed)} t join periods p on p.tenant_id = t.tenant_id and p.id = t.period_id
             where t.tenant_id = $1 and t.account_id = (select id from acct) and p.end_date <= $3)
          select page.*, sums.* from page cross join sums`,
  },
];

export async function timeStatements(
  ctx: BenchContext,
  api: Api,
  client: pg.Client,
  tenantId: string,
  closed: boolean,
): Promise<Record<string, ReportTimings>> {
  const out: Record<string, ReportTimings> = {};
  for (const s of statements(closed)) {
    ctx.log(`  ${s.name} (${closed ? 'months closed' : 'periods open'})`);
    out[s.name] = await timeReport(
      {
        api,
        path: s.path,
        db: ctx.database.db,
        client,
        tenantId,
        service: s.service,
        sql: s.sql,
        values: s.values(tenantId),
      },
      ctx.options.reportRuns,
    );
  }
  return out;
}
