import { z } from 'zod';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { emit } from '../../platform/events/outbox.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import { Decimal, Money } from '../../platform/money.js';
import { postEntry, type PostingLine } from './ledger.js';
import { ensurePeriod } from './periods.js';
import * as repo from './repository.js';
import type { FiscalYear } from './statements-schemas.js';
import * as statements from './statements-repository.js';
import { yearEndErrors as errors } from './year-end-errors.js';

/** The source of year-end closing entries: one per fiscal year, the year's id as the source id. */
export const YEAR_END_SOURCE = 'accounting.year-end';

function toFiscalYear(row: statements.FiscalYearRow): FiscalYear {
  return {
    id: row.id,
    name: row.name,
    startDate: row.start_date,
    endDate: row.end_date,
    status: row.status,
    closedAt: row.closed_at ? row.closed_at.toISOString() : null,
  };
}

const yearCursor = z.tuple([z.iso.date()]);

/** Fiscal years, oldest first; the current one always exists, so a new tenant sees it. */
export async function listFiscalYears(
  trx: Tx,
  query: { limit: number; cursor?: string; today: string },
): Promise<Page<FiscalYear>> {
  await ensurePeriod(trx, await repo.tenantBooks(trx), query.today);
  const after = decodeCursor(query.cursor, yearCursor);
  const rows = await statements.listFiscalYears(trx, { after: after?.[0], limit: query.limit + 1 });
  return toPage(rows, query.limit, toFiscalYear, (row) => [row.start_date]);
}

/** What must hold before a year closes: it exists and is open, earlier years are closed, so are its periods. */
async function assertClosable(trx: Tx, year: statements.FiscalYearRow | undefined) {
  if (!year) throw errors.fiscalYearNotFound();
  if (year.status === 'closed') throw errors.alreadyClosed(year.name);
  if (year.status === 'closing') throw errors.alreadyClosing(year.name);
  const earlier = await trx
    .selectFrom('fiscal_years')
    .select('name')
    .where('start_date', '<', year.start_date)
    .where('status', '<>', 'closed')
    .orderBy('start_date')
    .executeTakeFirst();
  if (earlier) throw errors.earlierYearOpen(year.name, earlier.name);
  const open = await openPeriodsOf(trx, year.id);
  if (open.length > 0) throw errors.periodsOpen(year.name, open);
  if (!(await retainedEarnings(trx))) throw errors.noRetainedEarnings();
}

/**
 * Accepts a request to close a fiscal year: checks it can close and marks it `closing` at once, so
 * a second request is refused (409) while the flow runs or after it finished.
 */
export async function requestYearEndClose(trx: Tx, actor: AuditActor, yearId: string): Promise<FiscalYear> {
  const year = await statements.fiscalYearById(trx, yearId, true);
  await assertClosable(trx, year);
  const marked = await statements.setFiscalYearStatus(trx, yearId, ['open'], 'closing');
  if (!marked) throw errors.alreadyClosing(year!.name);
  await recordAudit(trx, actor, {
    action: 'fiscal_year.close_requested',
    entityType: 'fiscal_year',
    entityId: yearId,
    details: { name: marked.name },
  });
  return toFiscalYear(marked);
}

/** The periods of a year still open, as 'YYYY-MM' names. */
export async function openPeriodsOf(trx: Tx, yearId: string): Promise<string[]> {
  const periods = await statements.periodsOfYear(trx, yearId);
  return periods.filter((p) => p.status !== 'closed').map((p) => p.start_date.slice(0, 7));
}

async function retainedEarnings(trx: Tx) {
  return trx
    .selectFrom('accounts')
    .select(['id', 'code'])
    .where('role', '=', 'retained_earnings')
    .executeTakeFirst();
}

/**
 * Marks the year `closing`. Idempotent: a year already closing stays so; a closed one is left
 * alone and reported, so a resumed flow finishes without doing anything twice.
 */
export async function markYearClosing(trx: Tx, yearId: string): Promise<FiscalYear['status']> {
  const year = await statements.fiscalYearById(trx, yearId, true);
  if (!year) throw errors.fiscalYearNotFound();
  if (year.status === 'open') await statements.setFiscalYearStatus(trx, yearId, ['open'], 'closing');
  return year.status === 'closed' ? 'closed' : 'closing';
}

export interface YearResult {
  yearId: string;
  endDate: string;
  currency: string;
  /** Revenue less expenses: positive is a profit. */
  netResult: string;
  /** The closing entry's lines: each revenue and expense account zeroed, the difference to retained earnings. */
  lines: PostingLine[];
}

/**
 * The year's result per account: every revenue and expense account with a balance over the year,
 * reversed into the retained earnings account. Earlier years are closed, so the year's movements
 * are the accounts' balances at its end.
 */
export async function computeYearResult(trx: Tx, yearId: string): Promise<YearResult> {
  const year = await statements.fiscalYearById(trx, yearId);
  if (!year) throw errors.fiscalYearNotFound();
  const books = await repo.tenantBooks(trx);
  const retained = await retainedEarnings(trx);
  if (!retained) throw errors.noRetainedEarnings();
  const totals = await statements.accountTotals(trx, books.id, { from: year.start_date, to: year.end_date });
  const lines: PostingLine[] = [];
  let result = new Decimal(0);
  for (const t of totals) {
    if (t.type !== 'revenue' && t.type !== 'expense') continue;
    const balance = new Decimal(t.debit).minus(t.credit);
    if (balance.isZero()) continue;
    result = result.minus(balance);
    lines.push(
      balance.isPositive()
        ? { account: t.code, credit: balance.toFixed(4), memo: 'Closed to retained earnings' }
        : { account: t.code, debit: balance.negated().toFixed(4), memo: 'Closed to retained earnings' },
    );
  }
  if (!result.isZero())
    lines.push(
      result.isPositive()
        ? { account: retained.code, credit: result.toFixed(4), memo: `Result of ${year.name}` }
        : { account: retained.code, debit: result.negated().toFixed(4), memo: `Result of ${year.name}` },
    );
  return {
    yearId,
    endDate: year.end_date,
    currency: books.baseCurrency,
    netResult: Money.of(result, books.baseCurrency).toAmountString(),
    lines,
  };
}

/**
 * Posts the one closing entry of the year, dated its last day, into its closed last period (the
 * ledger allows exactly this entry there). Idempotent by its source: a retried or resumed step
 * gets the entry already posted. A year with no revenue or expense posts nothing.
 */
export async function postClosingEntry(
  trx: Tx,
  actor: AuditActor,
  result: YearResult,
): Promise<{ entryId: string; number: string } | null> {
  const existing = await repo.entryBySource(trx, YEAR_END_SOURCE, result.yearId);
  if (existing) return { entryId: existing.id, number: existing.number };
  if (result.lines.length === 0) return null;
  const year = await statements.fiscalYearById(trx, result.yearId);
  const entry = await postEntry(trx, actor, {
    date: result.endDate,
    memo: `Year-end close of ${year?.name ?? result.endDate}: revenue and expenses to retained earnings`,
    currency: result.currency,
    lines: result.lines,
    source: { type: YEAR_END_SOURCE, id: result.yearId },
    allowControlAccounts: true,
    allowClosedPeriod: 'year-end',
  });
  return { entryId: entry.id, number: entry.number };
}

/** Marks the year closed and announces it. Idempotent: a closed year is left as it is. */
export async function markYearClosed(
  trx: Tx,
  actor: AuditActor,
  yearId: string,
  outcome: { entryId: string | null; netResult: string },
): Promise<FiscalYear> {
  const closed = await statements.setFiscalYearStatus(trx, yearId, ['closing'], 'closed');
  if (!closed) {
    const year = await statements.fiscalYearById(trx, yearId);
    if (!year) throw errors.fiscalYearNotFound();
    if (year.status !== 'closed') throw new Error(`${year.name} is ${year.status}, not closing.`);
    return toFiscalYear(year);
  }
  await emit(trx, actor.tenantId, 'fiscalYearClosed', {
    fiscalYearId: yearId,
    name: closed.name,
    endDate: closed.end_date,
    closingEntryId: outcome.entryId,
    netResult: outcome.netResult,
  });
  await recordAudit(trx, actor, {
    action: 'fiscal_year.closed',
    entityType: 'fiscal_year',
    entityId: yearId,
    details: { name: closed.name, closingEntryId: outcome.entryId, netResult: outcome.netResult },
  });
  return toFiscalYear(closed);
}

/** The compensation of a failed close: the year is open again, for the cause to be fixed. */
export async function abandonYearClose(trx: Tx, actor: AuditActor, yearId: string, reason: string) {
  const reopened = await statements.setFiscalYearStatus(trx, yearId, ['closing'], 'open');
  if (reopened)
    await recordAudit(trx, actor, {
      action: 'fiscal_year.close_failed',
      entityType: 'fiscal_year',
      entityId: yearId,
      details: { reason: reason.slice(0, 500) },
    });
}
