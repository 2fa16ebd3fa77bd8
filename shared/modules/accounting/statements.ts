import { z } from 'zod';
import type { Tx } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { toCsv } from '../../platform/http/csv.js';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.js';
import { Decimal, Money } from '../../platform/money.js';
import { accountingErrors as errors } from './errors.js';
import * as repo from './repository.js';
import type { BalanceSheet, GeneralLedger, ProfitAndLoss } from './statements-schemas.js';
import {
  accountTotals,
  addDays,
  closingEntryTotals,
  ledgerLines,
  type AccountTotal,
} from './statements-repository.js';
import type { AccountType } from './tables.js';

/**
 * Financial statements from the journal, in the base currency. Every figure is an exact decimal:
 * sums come from the database as `numeric` text and are only ever added as `Decimal`s, so the JSON
 * and the CSV of a report carry the same digits.
 */

type Dec = InstanceType<typeof Decimal>;
const ZERO = new Decimal(0);

/** How many lines a general ledger CSV may hold; a larger one must be asked for by a narrower range. */
export const LEDGER_CSV_LINES_MAX = 100_000;

export const reportErrors = {
  tooLarge: (lines: number) =>
    new AppError(
      'business_rule',
      'accounting.report_too_large',
      `The report would have more than ${lines} lines; ask for a shorter date range.`,
      { errors: [{ path: 'query.from', message: 'Range too long' }] },
    ),
};

const shown = (value: Dec, currency: string) => Money.of(value, currency).toAmountString();

function checkRange(from: string, to: string, path = 'query.to') {
  if (to < from)
    throw new AppError('validation', 'accounting.date_range', 'The range ends before it starts.', {
      errors: [{ path, message: 'Before the start' }],
    });
}

/** Debit-positive balance of a total. */
const balanceOf = (t: { debit: string; credit: string }) => new Decimal(t.debit).minus(t.credit);

// ---- Trial balance -------------------------------------------------------------------------

export interface TrialBalance {
  from: string;
  to: string;
  currency: string;
  rows: { account: string; name: string; type: string; debit: string; credit: string; balance: string }[];
  totals: { debit: string; credit: string };
}

export function trialBalanceCsv(tb: TrialBalance): string {
  return toCsv(
    ['account', 'name', 'type', 'debit', 'credit', 'balance'],
    [
      ...tb.rows.map((r) => [r.account, r.name, r.type, r.debit, r.credit, r.balance]),
      ['', 'Total', '', tb.totals.debit, tb.totals.credit, ''],
    ],
  );
}

// ---- General ledger ------------------------------------------------------------------------

const ledgerCursor = z.tuple([z.iso.date(), z.uuid(), z.number().int(), z.string().regex(/^-?\d+(\.\d+)?$/)]);

/**
 * One account's journal lines over a date range with a running balance, cursor-paged. The cursor
 * carries the position and the balance after the page's last line, so each page continues the
 * running balance exactly without summing what came before it.
 */
export async function generalLedger(
  trx: Tx,
  query: { account: string; from: string; to: string; limit: number; cursor?: string },
): Promise<GeneralLedger> {
  checkRange(query.from, query.to);
  const books = await repo.tenantBooks(trx);
  const currency = books.baseCurrency;
  const account = await repo.accountByCode(trx, query.account);
  if (!account) throw errors.unknownAccount('query.account', query.account);
  const after = decodeCursor(query.cursor, ledgerCursor);

  const [before, within] = await Promise.all([
    accountTotals(trx, books.id, { from: null, to: addDays(query.from, -1) }, { accountIds: [account.id] }),
    accountTotals(trx, books.id, { from: query.from, to: query.to }, { accountIds: [account.id] }),
  ]);
  const opening = before[0] ? balanceOf(before[0]) : ZERO;
  const debit = new Decimal(within[0]?.debit ?? 0);
  const credit = new Decimal(within[0]?.credit ?? 0);

  const rows = await ledgerLines(trx, {
    accountId: account.id,
    from: query.from,
    to: query.to,
    after: after ? [after[0], after[1], after[2]] : undefined,
    limit: query.limit + 1,
  });
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const pageOpening = after ? new Decimal(after[3]) : opening;
  let running = pageOpening;
  const items = page.map((row) => {
    const d = new Decimal(row.base_debit);
    const c = new Decimal(row.base_credit);
    running = running.plus(d).minus(c);
    return {
      date: row.entry_date,
      entryId: row.entry_id,
      entryNumber: row.number,
      lineNo: row.line_no,
      memo: row.line_memo ?? row.entry_memo,
      debit: d.isZero() ? null : shown(d, currency),
      credit: c.isZero() ? null : shown(c, currency),
      balance: shown(running, currency),
    };
  });
  const last = page[page.length - 1];
  return {
    account: { code: account.code, name: account.name, type: account.type },
    from: query.from,
    to: query.to,
    currency,
    openingBalance: shown(opening, currency),
    pageOpeningBalance: shown(pageOpening, currency),
    totals: { debit: shown(debit, currency), credit: shown(credit, currency) },
    closingBalance: shown(opening.plus(debit).minus(credit), currency),
    items,
    nextCursor:
      more && last ? encodeCursor([last.entry_date, last.entry_id, last.line_no, running.toFixed()]) : null,
  };
}

/** The whole ledger of an account for a range as CSV: opening row, every line, closing row. */
export async function generalLedgerCsv(
  trx: Tx,
  query: { account: string; from: string; to: string },
): Promise<string> {
  const batch = 200;
  let cursor: string | undefined;
  let first: GeneralLedger | undefined;
  const lines: GeneralLedger['items'] = [];
  do {
    const page = await generalLedger(trx, { ...query, limit: batch, cursor });
    first ??= page;
    lines.push(...page.items);
    if (lines.length > LEDGER_CSV_LINES_MAX) throw reportErrors.tooLarge(LEDGER_CSV_LINES_MAX);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const gl = first as GeneralLedger;
  return toCsv(
    ['date', 'entry', 'line', 'memo', 'debit', 'credit', 'balance'],
    [
      [gl.from, '', '', 'Opening balance', '', '', gl.openingBalance],
      ...lines.map((l) => [l.date, l.entryNumber, l.lineNo, l.memo, l.debit, l.credit, l.balance]),
      [gl.to, '', '', 'Closing balance', gl.totals.debit, gl.totals.credit, gl.closingBalance],
    ],
  );
}

// ---- Profit and loss -----------------------------------------------------------------------

const isMonthStart = (date: string) => date.endsWith('-01');
const isMonthEnd = (date: string) => addDays(date, 1).endsWith('-01');

function addMonths(date: string, months: number): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7)) - 1 + months;
  const d = new Date(Date.UTC(year, month, 1));
  return d.toISOString().slice(0, 10);
}

/**
 * The period of the same length just before [from, to]: the same number of whole months when the
 * range is whole months (March compares with February, not with 29 January to 28 February),
 * otherwise the same number of days.
 */
export function priorPeriod(from: string, to: string): { from: string; to: string } {
  if (isMonthStart(from) && isMonthEnd(to)) {
    const months =
      (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 +
      (Number(to.slice(5, 7)) - Number(from.slice(5, 7))) +
      1;
    return { from: addMonths(from, -months), to: addDays(from, -1) };
  }
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
  const priorTo = addDays(from, -1);
  return { from: addDays(priorTo, -days), to: priorTo };
}

interface Column {
  byAccount: Map<string, AccountTotal>;
}

function column(
  totals: AccountTotal[],
  exclude = new Map<string, { debit: string; credit: string }>(),
): Column {
  const byAccount = new Map<string, AccountTotal>();
  for (const t of totals) {
    const excluded = exclude.get(t.accountId);
    byAccount.set(
      t.accountId,
      excluded
        ? {
            ...t,
            debit: new Decimal(t.debit).minus(excluded.debit).toFixed(),
            credit: new Decimal(t.credit).minus(excluded.credit).toFixed(),
          }
        : t,
    );
  }
  return { byAccount };
}

/**
 * A statement section: the accounts of `type` with a figure in either column, signed so that the
 * section's natural balance is positive (debit for assets and expenses, credit for the rest).
 */
function buildSection<T extends AccountType>(
  type: T,
  title: string,
  current: Column,
  comparative: Column,
  currency: string,
) {
  const sign = type === 'asset' || type === 'expense' ? 1 : -1;
  const accounts = new Map<string, AccountTotal>();
  for (const col of [comparative, current])
    for (const t of col.byAccount.values()) if (t.type === type) accounts.set(t.accountId, t);
  const amountOf = (col: Column, id: string) => {
    const t = col.byAccount.get(id);
    return t ? balanceOf(t).times(sign) : ZERO;
  };
  let total = ZERO;
  let comparativeTotal = ZERO;
  const lines = [...accounts.values()]
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((account) => {
      const amount = amountOf(current, account.accountId);
      const comparativeAmount = amountOf(comparative, account.accountId);
      total = total.plus(amount);
      comparativeTotal = comparativeTotal.plus(comparativeAmount);
      return { account: account.code, name: account.name, amount, comparativeAmount };
    })
    .filter((l) => !l.amount.isZero() || !l.comparativeAmount.isZero());
  return {
    raw: { total, comparativeTotal },
    json: {
      type,
      title,
      lines: lines.map((l) => ({
        account: l.account,
        name: l.name,
        amount: shown(l.amount, currency),
        comparativeAmount: shown(l.comparativeAmount, currency),
      })),
      total: shown(total, currency),
      comparativeTotal: shown(comparativeTotal, currency),
    },
  };
}

/**
 * Revenue and expenses over [from, to] beside a comparison period, and the net result. Year-end
 * closing entries are left out: they move the result to retained earnings, they are not part of it.
 */
export async function profitAndLoss(
  trx: Tx,
  query: { from: string; to: string; compareFrom?: string; compareTo?: string },
): Promise<ProfitAndLoss> {
  checkRange(query.from, query.to);
  if ((query.compareFrom === undefined) !== (query.compareTo === undefined))
    throw new AppError(
      'validation',
      'accounting.comparison_range',
      'Give both ends of the comparison period.',
      {
        errors: [{ path: query.compareFrom ? 'query.compareTo' : 'query.compareFrom', message: 'Required' }],
      },
    );
  const comparison =
    query.compareFrom && query.compareTo
      ? { from: query.compareFrom, to: query.compareTo }
      : priorPeriod(query.from, query.to);
  checkRange(comparison.from, comparison.to, 'query.compareTo');
  const books = await repo.tenantBooks(trx);
  const currency = books.baseCurrency;
  const [current, currentClosing, prior, priorClosing] = await Promise.all([
    accountTotals(trx, books.id, query),
    closingEntryTotals(trx, books.id, query),
    accountTotals(trx, books.id, comparison),
    closingEntryTotals(trx, books.id, comparison),
  ]);
  const now = column(current, currentClosing);
  const then = column(prior, priorClosing);
  const revenue = buildSection('revenue', 'Revenue', now, then, currency);
  const expense = buildSection('expense', 'Expenses', now, then, currency);
  return {
    from: query.from,
    to: query.to,
    comparison,
    currency,
    sections: [revenue.json, expense.json],
    netResult: shown(revenue.raw.total.minus(expense.raw.total), currency),
    comparativeNetResult: shown(revenue.raw.comparativeTotal.minus(expense.raw.comparativeTotal), currency),
  };
}

// ---- Balance sheet -------------------------------------------------------------------------

/** Per-account sums of two sets of totals. */
function addTotals(a: AccountTotal[], b: AccountTotal[]): AccountTotal[] {
  const sums = new Map(a.map((t) => [t.accountId, { ...t }]));
  for (const t of b) {
    const sum = sums.get(t.accountId);
    if (!sum) sums.set(t.accountId, { ...t });
    else {
      sum.debit = new Decimal(sum.debit).plus(t.debit).toFixed();
      sum.credit = new Decimal(sum.credit).plus(t.credit).toFixed();
    }
  }
  return [...sums.values()];
}

/** The same day a year earlier (28 February for 29 February). */
function yearEarlier(date: string): string {
  const year = String(Number(date.slice(0, 4)) - 1).padStart(4, '0');
  return date.slice(5) === '02-29' ? `${year}-02-28` : `${year}${date.slice(4)}`;
}

/**
 * Assets, liabilities and equity as of a date beside a comparison date, with the result not yet
 * closed to retained earnings. Because every entry balances, assets = liabilities + equity +
 * current result holds to the last digit; the statement shows both sides rather than forcing it.
 */
export async function balanceSheet(
  trx: Tx,
  query: { date: string; compareTo?: string },
): Promise<BalanceSheet> {
  const comparisonDate = query.compareTo ?? yearEarlier(query.date);
  const books = await repo.tenantBooks(trx);
  const currency = books.baseCurrency;
  // History up to the earlier date, plus the movements between the two dates: together one pass
  // over the journal instead of two overlapping ones.
  const [early, late] = [query.date, comparisonDate].sort();
  const upToEarly = await accountTotals(trx, books.id, { from: null, to: early! });
  const between =
    early! < late! ? await accountTotals(trx, books.id, { from: addDays(early!, 1), to: late! }) : [];
  const upToLate = addTotals(upToEarly, between);
  const [current, prior] = query.date === early ? [upToEarly, upToLate] : [upToLate, upToEarly];
  const now = column(current);
  const then = column(prior);
  const assets = buildSection('asset', 'Assets', now, then, currency);
  const liabilities = buildSection('liability', 'Liabilities', now, then, currency);
  const equity = buildSection('equity', 'Equity', now, then, currency);
  const result = (col: Column) =>
    [...col.byAccount.values()]
      .filter((t) => t.type === 'revenue' || t.type === 'expense')
      .reduce((sum, t) => sum.minus(balanceOf(t)), ZERO);
  const currentResult = result(now);
  const comparativeResult = result(then);
  return {
    date: query.date,
    comparisonDate,
    currency,
    sections: [assets.json, liabilities.json, equity.json],
    currentResult: shown(currentResult, currency),
    comparativeCurrentResult: shown(comparativeResult, currency),
    totals: {
      assets: assets.json.total,
      comparativeAssets: assets.json.comparativeTotal,
      liabilitiesAndEquity: shown(liabilities.raw.total.plus(equity.raw.total).plus(currentResult), currency),
      comparativeLiabilitiesAndEquity: shown(
        liabilities.raw.comparativeTotal.plus(equity.raw.comparativeTotal).plus(comparativeResult),
        currency,
      ),
    },
  };
}

// ---- CSV -----------------------------------------------------------------------------------

type Section = ProfitAndLoss['sections'][number] | BalanceSheet['sections'][number];

function sectionRows(section: Section) {
  return [
    ...section.lines.map((l) => [section.type, l.account, l.name, l.amount, l.comparativeAmount]),
    [section.type, '', `Total ${section.title.toLowerCase()}`, section.total, section.comparativeTotal],
  ];
}

const STATEMENT_HEADER = ['section', 'account', 'name', 'amount', 'comparative_amount'];

export function profitAndLossCsv(pl: ProfitAndLoss): string {
  return toCsv(STATEMENT_HEADER, [
    ...pl.sections.flatMap(sectionRows),
    ['result', '', 'Net result', pl.netResult, pl.comparativeNetResult],
  ]);
}

export function balanceSheetCsv(bs: BalanceSheet): string {
  return toCsv(STATEMENT_HEADER, [
    ...bs.sections.flatMap(sectionRows),
    ['result', '', 'Current result', bs.currentResult, bs.comparativeCurrentResult],
    ['total', '', 'Total assets', bs.totals.assets, bs.totals.comparativeAssets],
    [
      'total',
      '',
      'Total liabilities, equity and current result',
      bs.totals.liabilitiesAndEquity,
      bs.totals.comparativeLiabilitiesAndEquity,
    ],
  ]);
}
