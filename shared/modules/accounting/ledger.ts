import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { auditRow, insertNumberedAuditSql, recordAudit, type AuditActor } from '../../platform/audit.js';
import { todayIn } from '../../platform/clock.js';
import { explainCommitRefusal } from '../../platform/db/commit-errors.js';
import type { Tx } from '../../platform/db/database.js';
import { staleVersion } from '../../platform/errors.js';
import { emit, insertNumberedOutboxSql, outboxRow } from '../../platform/events/outbox.js';
import { Decimal, Money } from '../../platform/money.js';
import { assertNumberSeries, takeNumberSql } from '../../platform/numbers.js';
import { accountingErrors as errors } from './errors.js';
import { ensurePeriod } from './periods.js';
import * as repo from './repository.js';
import type { JournalEntry } from './schemas.js';
import { accountTotals, fiscalYearEndingOn, snapshotPeriod } from './statements-repository.js';
import { yearEndErrors } from './year-end-errors.js';

// A period closed by another transaction while an entry was being posted into it: the database
// refuses the entry at COMMIT (the deferred `journal_entry_in_open_period` check), and the poster
// is told the period is closed, as if it had been closed before they began.
explainCommitRefusal('journal_entry_in_open_period', ({ message }) =>
  errors.periodClosed(/dated (\d{4}-\d{2}-\d{2})/.exec(message)?.[1] ?? 'the entry'),
);

type Dec = InstanceType<typeof Decimal>;
const SCALE = 4;
const ZERO = new Decimal(0);

export interface PostingLine {
  account: string;
  debit?: string;
  credit?: string;
  memo?: string;
}

export interface PostingRequest {
  date: string;
  memo: string;
  currency: string;
  lines: PostingLine[];
  /** The document the entry records (an invoice, a payment): posting is idempotent by it. */
  source?: { type: string; id: string };
  /** Sub-ledgers post to their control accounts; people posting by hand cannot. */
  allowControlAccounts?: boolean;
  reversesEntryId?: string;
  /**
   * Only the year-end closing entry may go into a closed period: dated the last day of a fiscal
   * year that is being closed, with that year as its source. It may also zero deactivated accounts.
   */
  allowClosedPeriod?: 'year-end';
}

/** Whether `request` is the closing entry of the fiscal year that `period` ends. */
async function isYearEndClosingEntry(
  trx: Tx,
  request: PostingRequest,
  fiscalYearId: string,
): Promise<boolean> {
  if (request.allowClosedPeriod !== 'year-end' || request.source?.type !== 'accounting.year-end')
    return false;
  const year = await fiscalYearEndingOn(trx, request.date);
  return year?.id === fiscalYearId && year.id === request.source.id && year.status === 'closing';
}

/**
 * Base-currency amounts for each line at `rate`, rounded to 4 places, with the rounding difference
 * put on the largest line of the lighter side so that the base amounts balance exactly as the
 * transaction amounts do.
 */
export function toBase(lines: { debit: Dec; credit: Dec }[], rate: Dec): { debit: Dec; credit: Dec }[] {
  const base = lines.map((l) => ({
    debit: l.debit.times(rate).toDecimalPlaces(SCALE, Decimal.ROUND_HALF_EVEN),
    credit: l.credit.times(rate).toDecimalPlaces(SCALE, Decimal.ROUND_HALF_EVEN),
  }));
  const debit = base.reduce((sum, l) => sum.plus(l.debit), ZERO);
  const credit = base.reduce((sum, l) => sum.plus(l.credit), ZERO);
  const difference = debit.minus(credit);
  if (!difference.isZero()) {
    const side: 'debit' | 'credit' = difference.isNegative() ? 'debit' : 'credit';
    const largest = base.reduce(
      (best, l, i) => (l[side].greaterThan(base[best]![side]) ? i : best),
      base.findIndex((l) => l[side].greaterThan(0)),
    );
    const line = base[largest]!;
    line[side] = line[side].plus(difference.abs());
  }
  return base;
}

/**
 * Posts a journal entry: the one way anything reaches the ledger, for people and for other
 * modules. Validates accounts, period and rate, computes base amounts, numbers the entry, writes
 * it with its lines, announces it and audits it, all in the caller's transaction. With a source
 * document it is idempotent: the entry already posted for that document is returned.
 */
export async function postEntry(trx: Tx, actor: AuditActor, request: PostingRequest): Promise<JournalEntry> {
  if (request.source) {
    const existing = await repo.entryBySource(trx, request.source.type, request.source.id);
    if (existing) return getEntry(trx, existing.id);
  }
  const books = await repo.tenantBooks(trx);

  const found = await repo.accountsAndPeriod(
    trx,
    request.lines.map((l) => l.account),
    request.date,
  );
  const accounts = found.accounts;
  const amounts = request.lines.map((line, i) => {
    const path = `lines.${i}.account`;
    const account = accounts.get(line.account);
    if (!account) throw errors.unknownAccount(path, line.account);
    if (!account.active && request.allowClosedPeriod !== 'year-end')
      throw errors.inactiveAccount(path, line.account);
    if (!account.manual_posting && !request.allowControlAccounts)
      throw errors.controlAccount(path, line.account);
    return {
      account,
      debit: new Decimal(line.debit ?? 0),
      credit: new Decimal(line.credit ?? 0),
      memo: line.memo ?? null,
    };
  });
  const debit = amounts.reduce((sum, l) => sum.plus(l.debit), ZERO);
  const credit = amounts.reduce((sum, l) => sum.plus(l.credit), ZERO);
  if (!debit.equals(credit)) throw errors.unbalanced(debit.toFixed(2), credit.toFixed(2), request.currency);

  const period = found.period ?? (await ensurePeriod(trx, books, request.date));
  if (period.status !== 'open' && !(await isYearEndClosingEntry(trx, request, period.fiscal_year_id)))
    throw errors.periodClosed(request.date);

  let rate = new Decimal(1);
  if (request.currency !== books.baseCurrency) {
    const found = await repo.rateOn(trx, request.currency, request.date);
    if (!found) throw errors.noExchangeRate(request.currency, request.date);
    rate = new Decimal(found);
  }
  const base = toBase(amounts, rate);

  const id = randomUUID();
  const source = request.source ?? null;
  const payload = outboxRow(books.id, 'journalEntryPosted', {
    entryId: id,
    number: '',
    date: request.date,
    currency: request.currency,
    source,
    reversesEntryId: request.reversesEntryId ?? null,
  });
  const audit = auditRow(actor, {
    action: 'journal.posted',
    entityType: 'journal_entry',
    entityId: id,
    details: { number: '', source },
  });
  const exchangeRate = rate.toFixed(8);
  const lines = amounts.map((line, i) => ({
    line_no: i + 1,
    account_id: line.account.id,
    debit: line.debit.toFixed(SCALE),
    credit: line.credit.toFixed(SCALE),
    base_debit: base[i]!.debit.toFixed(SCALE),
    base_credit: base[i]!.credit.toFixed(SCALE),
    memo: line.memo,
  }));
  // Everything is checked and computed: the number is taken last, and the entry, its lines, the
  // event and the audit record are written by that same statement, so the tenant's counter row
  // stays locked only from here to commit.
  const written = await sql<{ number: string; entry_date: string; posted_at: Date }>`
    with n as (${takeNumberSql(books.id, 'JE', request.date)}),
    h as (
      insert into journal_entries (tenant_id, id, number, entry_date, period_id, memo, currency, exchange_rate,
                                   source_type, source_id, reverses_entry_id, posted_by, request_id)
      select ${books.id}::uuid, ${id}::uuid, n.number, ${request.date}::date, ${period.id}::uuid, ${request.memo},
             ${request.currency}, ${exchangeRate}::numeric, ${source?.type ?? null}, ${source?.id ?? null},
             ${request.reversesEntryId ?? null}::uuid, ${actor.name}, ${actor.requestId ?? null}
        from n
      on conflict (tenant_id, source_type, source_id) where source_type is not null do nothing
      returning id, number, entry_date, posted_at),
    l as (
      insert into journal_lines (tenant_id, entry_id, line_no, account_id, entry_date, debit, credit,
                                 base_debit, base_credit, memo)
      select ${books.id}::uuid, h.id, v.line_no, v.account_id, h.entry_date, v.debit, v.credit, v.base_debit,
             v.base_credit, v.memo
        from h cross join (values ${sql.join(
          lines.map(
            (l) =>
              sql`(${l.line_no}::smallint, ${l.account_id}::uuid, ${l.debit}::numeric, ${l.credit}::numeric,
                   ${l.base_debit}::numeric, ${l.base_credit}::numeric, ${l.memo}::text)`,
          ),
        )}) as v (line_no, account_id, debit, credit, base_debit, base_credit, memo)),
    o as (${insertNumberedOutboxSql(payload, 'h')}),
    a as (${insertNumberedAuditSql(audit, 'h')})
    select number, entry_date, posted_at from h`.execute(trx);
  const header = written.rows[0];
  if (!header) {
    // A concurrent posting of the same document won: answer with its entry.
    const winner = request.source && (await repo.entryBySource(trx, request.source.type, request.source.id));
    if (winner) return getEntry(trx, winner.id);
    await assertNumberSeries(trx, 'JE');
    throw new Error('A journal entry was neither written nor found by its source.');
  }
  // The closed period's totals must include the closing entry that was just allowed into it.
  if (period.status !== 'open') await snapshotPeriod(trx, period);
  // The answer, from what was written: the same as getEntry would read back.
  return {
    id,
    number: header.number,
    date: header.entry_date,
    memo: request.memo,
    currency: request.currency,
    baseCurrency: books.baseCurrency,
    exchangeRate: new Decimal(exchangeRate).toString(),
    source: source?.type && source.id ? { type: source.type, id: source.id } : null,
    reversesEntryId: request.reversesEntryId ?? null,
    reversedByEntryId: null,
    postedBy: actor.name,
    postedAt: header.posted_at.toISOString(),
    lines: lines.map((l, i) => ({
      lineNo: l.line_no,
      account: amounts[i]!.account.code,
      accountName: amounts[i]!.account.name,
      debit: amount(l.debit, request.currency),
      credit: amount(l.credit, request.currency),
      baseDebit: amount(l.base_debit, books.baseCurrency),
      baseCredit: amount(l.base_credit, books.baseCurrency),
      memo: l.memo,
    })),
  } as JournalEntry;
}

/**
 * Posts the mirror image of an entry. Dated like the original while its period is open; when that
 * period is closed, today (the tenant's day) unless a date is given.
 */
export async function reverseEntry(
  trx: Tx,
  actor: AuditActor,
  id: string,
  options: { date?: string; memo?: string },
): Promise<JournalEntry> {
  const original = await repo.entryById(trx, id);
  if (!original) throw errors.entryNotFound();
  if (original.reverses_entry_id) throw errors.reversalOfReversal();
  if (await repo.reversalOf(trx, id)) throw errors.alreadyReversed();
  const books = await repo.tenantBooks(trx);
  let date = options.date;
  if (!date) {
    const period = await repo.periodContaining(trx, original.entry_date);
    date = period?.status === 'open' ? original.entry_date : todayIn(books.timeZone);
  }
  const lines = await repo.linesOf(trx, [id]);
  return postEntry(trx, actor, {
    date,
    memo: options.memo ?? `Reversal of ${original.number}: ${original.memo}`.slice(0, 500),
    currency: original.currency,
    lines: lines.map((l) => ({
      account: l.account_code,
      ...(Number(l.debit) > 0 ? { credit: l.debit } : { debit: l.credit }),
      memo: l.memo ?? undefined,
    })),
    source: { type: 'reversal', id },
    allowControlAccounts: true,
    reversesEntryId: id,
  });
}

/** A line side as money, or null for the side the line does not use. */
function amount(value: string, currency: string) {
  return new Decimal(value).isZero() ? null : Money.of(value, currency).toJSON();
}

const shown = (value: Dec, currency: string) => Money.of(value, currency).toAmountString();

export async function getEntry(trx: Tx, id: string): Promise<JournalEntry> {
  const entry = await repo.entryById(trx, id);
  if (!entry) throw errors.entryNotFound();
  const [entries] = await describeEntries(trx, [entry]);
  return entries as JournalEntry;
}

export async function describeEntries(trx: Tx, entries: repo.EntryRow[]): Promise<JournalEntry[]> {
  if (entries.length === 0) return [];
  const books = await repo.tenantBooks(trx);
  const lines = await repo.linesOf(
    trx,
    entries.map((e) => e.id),
  );
  const reversals = await trx
    .selectFrom('journal_entries')
    .select(['id', 'reverses_entry_id'])
    .where(
      'reverses_entry_id',
      'in',
      entries.map((e) => e.id),
    )
    .execute();
  return entries.map((entry) => ({
    id: entry.id,
    number: entry.number,
    date: entry.entry_date,
    memo: entry.memo,
    currency: entry.currency,
    baseCurrency: books.baseCurrency,
    exchangeRate: new Decimal(entry.exchange_rate).toString(),
    source: entry.source_type && entry.source_id ? { type: entry.source_type, id: entry.source_id } : null,
    reversesEntryId: entry.reverses_entry_id,
    reversedByEntryId: reversals.find((r) => r.reverses_entry_id === entry.id)?.id ?? null,
    postedBy: entry.posted_by,
    postedAt: entry.posted_at.toISOString(),
    lines: lines
      .filter((l) => l.entry_id === entry.id)
      .map((l) => ({
        lineNo: l.line_no,
        account: l.account_code,
        accountName: l.account_name,
        debit: amount(l.debit, entry.currency),
        credit: amount(l.credit, entry.currency),
        baseDebit: amount(l.base_debit, books.baseCurrency),
        baseCredit: amount(l.base_credit, books.baseCurrency),
        memo: l.memo,
      })),
  }));
}

// ---- Periods -------------------------------------------------------------------------------

/** Closes a period for posting. Periods close in date order, so no earlier one is left open. */
export async function closePeriod(trx: Tx, actor: AuditActor, id: string, version: number) {
  // FOR UPDATE waits for postings in flight into the period (their foreign key check holds a key
  // share lock on it), so the totals taken below include them; later ones are refused at commit.
  const period = await trx
    .selectFrom('periods')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!period) throw errors.periodNotFound();
  const earlierOpen = await trx
    .selectFrom('periods')
    .select('id')
    .where('start_date', '<', period.start_date)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (earlierOpen) throw errors.periodOrder();
  const updated = await trx
    .updateTable('periods')
    .set({
      status: 'closed',
      closed_at: new Date(),
      closed_by: actor.name,
      version: sql<number>`version + 1`,
    })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw staleVersion('period');
  await snapshotPeriod(trx, updated);
  await emit(trx, actor.tenantId, 'periodClosed', {
    periodId: id,
    startDate: updated.start_date,
    endDate: updated.end_date,
  });
  await recordAudit(trx, actor, {
    action: 'period.closed',
    entityType: 'period',
    entityId: id,
    details: { startDate: updated.start_date },
  });
  return updated;
}

/** Reopens a closed period; later closed periods must be reopened first. */
export async function reopenPeriod(trx: Tx, actor: AuditActor, id: string, version: number) {
  const period = await trx.selectFrom('periods').selectAll().where('id', '=', id).executeTakeFirst();
  if (!period) throw errors.periodNotFound();
  const laterClosed = await trx
    .selectFrom('periods')
    .select('id')
    .where('start_date', '>', period.start_date)
    .where('status', '=', 'closed')
    .executeTakeFirst();
  if (laterClosed) throw errors.periodOrder();
  const year = await trx
    .selectFrom('fiscal_years')
    .select('status')
    .where('id', '=', period.fiscal_year_id)
    .executeTakeFirst();
  // A closed year's result is in retained earnings; a change to it would not be.
  if (year && year.status !== 'open') throw yearEndErrors.yearClosed();
  const updated = await trx
    .updateTable('periods')
    .set({ status: 'open', closed_at: null, closed_by: null, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw staleVersion('period');
  await recordAudit(trx, actor, {
    action: 'period.reopened',
    entityType: 'period',
    entityId: id,
    details: { startDate: updated.start_date },
  });
  return updated;
}

// ---- Reports -------------------------------------------------------------------------------

export async function trialBalance(trx: Tx, from: string, to: string) {
  if (to < from) throw errors.dateRange();
  const books = await repo.tenantBooks(trx);
  const rows = await accountTotals(trx, books.id, { from, to });
  let debit = ZERO;
  let credit = ZERO;
  const out = rows.map((row) => {
    const d = new Decimal(row.debit);
    const c = new Decimal(row.credit);
    debit = debit.plus(d);
    credit = credit.plus(c);
    const currency = books.baseCurrency;
    return {
      account: row.code,
      name: row.name,
      type: row.type,
      debit: shown(d, currency),
      credit: shown(c, currency),
      balance: shown(d.minus(c), currency),
    };
  });
  return {
    from,
    to,
    currency: books.baseCurrency,
    rows: out,
    totals: { debit: shown(debit, books.baseCurrency), credit: shown(credit, books.baseCurrency) },
  };
}
