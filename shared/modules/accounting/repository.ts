import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import type { Tx } from '../../platform/db/database.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import type { Account, Period } from './schemas.js';
import type {
  AccountsTable,
  AccountType,
  JournalEntriesTable,
  JournalLinesTable,
  PeriodsTable,
} from './tables.js';
import { memoInTransaction, TENANT_BOOKS } from '../../platform/db/transaction-memo.js';
import { prefetchInTenantTransactions, takePrefetched } from '../../platform/db/tenant.js';

export function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    type: row.type,
    role: row.role,
    manualPosting: row.manual_posting,
    active: row.active,
    version: row.version,
  };
}

export interface TenantBooks {
  id: string;
  baseCurrency: string;
  fiscalYearStartMonth: number;
  timeZone: string;
  /** Orders worth more than this in the base currency need a finance approval. */
  approvalThreshold: string;
}

interface TenantBooksRow {
  id: string;
  base_currency: string;
  fiscal_year_start_month: number;
  time_zone: string;
  approval_threshold: string;
}

const TENANT_BOOKS_SQL =
  'select id, base_currency, fiscal_year_start_month, time_zone, approval_threshold from tenants';
// Most units of work read the books: they travel with the transaction's first statement.
prefetchInTenantTransactions(TENANT_BOOKS, TENANT_BOOKS_SQL);

/** The tenant's books, read once per transaction (the tenant's settings change through `updateTenant`, which forgets them). */
export function tenantBooks(trx: Tx): Promise<TenantBooks> {
  return memoInTransaction(trx, TENANT_BOOKS, async () => {
    const row =
      takePrefetched<TenantBooksRow>(trx, TENANT_BOOKS)?.[0] ??
      (await sql.raw<TenantBooksRow>(TENANT_BOOKS_SQL).execute(trx)).rows[0];
    if (!row) throw new Error('The tenant of this transaction does not exist.');
    return {
      id: row.id,
      baseCurrency: row.base_currency,
      fiscalYearStartMonth: row.fiscal_year_start_month,
      timeZone: row.time_zone,
      approvalThreshold: String(row.approval_threshold),
    };
  });
}

// ---- Accounts ------------------------------------------------------------------------------

/**
 * What a posting checks before it writes, in one statement: the accounts named by `codes` (by
 * code) and the period containing `date`, if there is one.
 */
export async function accountsAndPeriod(
  trx: Tx,
  codes: string[],
  date: string,
): Promise<{
  accounts: Map<string, Selectable<AccountsTable>>;
  period: Selectable<PeriodsTable> | undefined;
}> {
  const rows = await trx
    .selectFrom(sql<{ one: number }>`(select 1 as one)`.as('x'))
    .leftJoin('periods as p', (join) => join.on('p.start_date', '<=', date).on('p.end_date', '>=', date))
    .leftJoin('accounts as a', (join) => join.on(sql<boolean>`a.code = any(${[...new Set(codes)]}::text[])`))
    .select([
      'p.tenant_id as p_tenant_id',
      'p.id as p_id',
      'p.fiscal_year_id as p_fiscal_year_id',
      'p.number as p_number',
      'p.start_date as p_start_date',
      'p.end_date as p_end_date',
      'p.status as p_status',
      'p.closed_at as p_closed_at',
      'p.closed_by as p_closed_by',
      'p.version as p_version',
      'a.tenant_id',
      'a.id',
      'a.code',
      'a.name',
      'a.type',
      'a.role',
      'a.manual_posting',
      'a.active',
      'a.version',
      'a.created_at',
      'a.updated_at',
    ])
    .execute();
  const first = rows[0];
  const period: Selectable<PeriodsTable> | undefined =
    first?.p_id != null
      ? {
          tenant_id: first.p_tenant_id!,
          id: first.p_id,
          fiscal_year_id: first.p_fiscal_year_id!,
          number: first.p_number!,
          start_date: first.p_start_date!,
          end_date: first.p_end_date!,
          status: first.p_status!,
          closed_at: first.p_closed_at,
          closed_by: first.p_closed_by,
          version: first.p_version!,
        }
      : undefined;
  const accounts = new Map<string, Selectable<AccountsTable>>();
  for (const r of rows)
    if (r.id != null)
      accounts.set(r.code!, {
        tenant_id: r.tenant_id!,
        id: r.id,
        code: r.code!,
        name: r.name!,
        type: r.type!,
        role: r.role,
        manual_posting: r.manual_posting!,
        active: r.active!,
        version: r.version!,
        created_at: r.created_at!,
        updated_at: r.updated_at!,
      });
  return { accounts, period };
}

export async function accountByCode(trx: Tx, code: string): Promise<Selectable<AccountsTable> | undefined> {
  return trx.selectFrom('accounts').selectAll().where('code', '=', code).executeTakeFirst();
}

const codeCursor = z.tuple([z.string()]);

export async function listAccounts(
  trx: Tx,
  query: { limit: number; cursor?: string; type?: AccountType; active?: 'true' | 'false' },
): Promise<Page<Account>> {
  const after = decodeCursor(query.cursor, codeCursor);
  let q = trx.selectFrom('accounts').selectAll();
  if (query.type) q = q.where('type', '=', query.type);
  if (query.active) q = q.where('active', '=', query.active === 'true');
  if (after) q = q.where('code', '>', after[0]);
  const rows = await q
    .orderBy('code')
    .limit(query.limit + 1)
    .execute();
  return toPage(rows, query.limit, toAccount, (row) => [row.code]);
}

export async function accountHasPostings(trx: Tx, accountId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('journal_lines')
    .select('entry_id')
    .where('account_id', '=', accountId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

// ---- Periods -------------------------------------------------------------------------------

export async function periodContaining(trx: Tx, date: string) {
  return trx
    .selectFrom('periods')
    .selectAll()
    .where('start_date', '<=', date)
    .where('end_date', '>=', date)
    .executeTakeFirst();
}

export function toPeriod(
  row: {
    id: string;
    number: number;
    start_date: string;
    end_date: string;
    status: 'open' | 'closed';
    version: number;
  },
  fiscalYear: string,
): Period {
  return {
    id: row.id,
    fiscalYear,
    number: row.number,
    startDate: row.start_date,
    endDate: row.end_date,
    status: row.status,
    version: row.version,
  };
}

const periodCursor = z.tuple([z.iso.date()]);

export async function listPeriods(
  trx: Tx,
  query: { limit: number; cursor?: string; year?: string },
): Promise<Page<Period>> {
  const after = decodeCursor(query.cursor, periodCursor);
  let q = trx
    .selectFrom('periods as p')
    .innerJoin('fiscal_years as y', (join) =>
      join.onRef('y.tenant_id', '=', 'p.tenant_id').onRef('y.id', '=', 'p.fiscal_year_id'),
    )
    .select([
      'p.id',
      'p.number',
      'p.start_date',
      'p.end_date',
      'p.status',
      'p.version',
      'y.name as fiscal_year',
    ]);
  if (query.year) q = q.where('y.name', '=', `FY${query.year}`);
  if (after) q = q.where('p.start_date', '>', after[0]);
  const rows = await q
    .orderBy('p.start_date')
    .limit(query.limit + 1)
    .execute();
  return toPage(
    rows,
    query.limit,
    (row) => toPeriod(row, row.fiscal_year),
    (row) => [row.start_date],
  );
}

// ---- Exchange rates ------------------------------------------------------------------------

/** The rate in force on `date`: the latest one on or before it. */
export async function rateOn(trx: Tx, currency: string, date: string): Promise<string | undefined> {
  const row = await trx
    .selectFrom('exchange_rates')
    .select('rate')
    .where('currency', '=', currency)
    .where('rate_date', '<=', date)
    .orderBy('rate_date', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.rate;
}

// ---- Journal -------------------------------------------------------------------------------

export type EntryRow = Selectable<JournalEntriesTable>;
export type LineRow = Selectable<JournalLinesTable> & { account_code: string; account_name: string };

export async function entryById(trx: Tx, id: string): Promise<EntryRow | undefined> {
  return trx.selectFrom('journal_entries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function entryBySource(trx: Tx, type: string, id: string): Promise<EntryRow | undefined> {
  return trx
    .selectFrom('journal_entries')
    .selectAll()
    .where('source_type', '=', type)
    .where('source_id', '=', id)
    .executeTakeFirst();
}

export async function reversalOf(trx: Tx, id: string): Promise<string | undefined> {
  const row = await trx
    .selectFrom('journal_entries')
    .select('id')
    .where('reverses_entry_id', '=', id)
    .executeTakeFirst();
  return row?.id;
}

export async function linesOf(trx: Tx, entryIds: string[]): Promise<LineRow[]> {
  if (entryIds.length === 0) return [];
  return trx
    .selectFrom('journal_lines as l')
    .innerJoin('accounts as a', (join) =>
      join.onRef('a.tenant_id', '=', 'l.tenant_id').onRef('a.id', '=', 'l.account_id'),
    )
    .selectAll('l')
    .select(['a.code as account_code', 'a.name as account_name'])
    .where('l.entry_id', 'in', entryIds)
    .orderBy('l.entry_id')
    .orderBy('l.line_no')
    .execute();
}

const entryCursor = z.tuple([z.iso.date(), z.uuid()]);

export async function listEntries(
  trx: Tx,
  query: { limit: number; cursor?: string; from?: string; to?: string; accountId?: string },
): Promise<{ rows: EntryRow[]; nextCursor: string | null }> {
  const after = decodeCursor(query.cursor, entryCursor);
  let q = trx.selectFrom('journal_entries as e').selectAll('e');
  if (query.from) q = q.where('e.entry_date', '>=', query.from);
  if (query.to) q = q.where('e.entry_date', '<=', query.to);
  if (query.accountId) {
    const accountId = query.accountId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('journal_lines as l')
          .select('l.line_no')
          .whereRef('l.tenant_id', '=', 'e.tenant_id')
          .whereRef('l.entry_id', '=', 'e.id')
          .where('l.account_id', '=', accountId),
      ),
    );
  }
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('e.entry_date', '<', after[0]),
        eb.and([eb('e.entry_date', '=', after[0]), eb('e.id', '<', after[1])]),
      ]),
    );
  const rows = await q
    .orderBy('e.entry_date', 'desc')
    .orderBy('e.id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = toPage(
    rows,
    query.limit,
    (row) => row,
    (row) => [row.entry_date, row.id],
  );
  return { rows: page.items, nextCursor: page.nextCursor };
}
