import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import type { Tx } from '../../platform/db/database.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import type { Address, Contact, Party } from './ar-ap-schemas.js';
import type {
  DocumentKind,
  Ledger,
  PartiesTable,
  PartyKind,
  SettlementKind,
  TradeDocumentsTable,
  TradeSettlementsTable,
} from './ar-ap-tables.js';
import type { AccountRole } from './tables.js';

// ---- Parties -------------------------------------------------------------------------------

export type PartyRow = Selectable<PartiesTable>;

export function toParty(row: PartyRow): Party {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    taxNumber: row.tax_number,
    currency: row.currency,
    paymentTermsDays: row.payment_terms_days,
    ...(row.kind === 'customer'
      ? {
          creditLimit:
            row.credit_limit === null
              ? null
              : { amount: trimAmount(row.credit_limit), currency: row.currency },
        }
      : {}),
    email: row.email,
    phone: row.phone,
    billingAddress: (row.billing_address as Address | null) ?? null,
    deliveryAddress: (row.delivery_address as Address | null) ?? null,
    contacts: (row.contacts as Contact[] | null) ?? [],
    active: row.active,
    version: row.version,
  };
}

/** numeric(19,4) text as shown: two places unless the value needs more. */
function trimAmount(value: string): string {
  return value.replace(/(\.\d\d)(\d*?)0+$/, '$1$2');
}

export async function partyById(
  trx: Tx,
  kind: PartyKind,
  id: string,
  lock = false,
): Promise<PartyRow | undefined> {
  let q = trx.selectFrom('parties').selectAll().where('kind', '=', kind).where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

const partyCursor = z.tuple([z.string(), z.uuid()]);

/** `%`, `_` and `\` are literal in a search term. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listParties(
  trx: Tx,
  kind: PartyKind,
  query: { limit: number; cursor?: string; search?: string; active?: 'true' | 'false' },
): Promise<Page<Party>> {
  const after = decodeCursor(query.cursor, partyCursor);
  let q = trx.selectFrom('parties').selectAll().where('kind', '=', kind);
  if (query.active) q = q.where('active', '=', query.active === 'true');
  if (query.search) {
    const pattern = likePattern(query.search);
    q = q.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('code', 'ilike', pattern)]));
  }
  if (after)
    q = q.where((eb) =>
      eb.or([eb('name', '>', after[0]), eb.and([eb('name', '=', after[0]), eb('id', '>', after[1])])]),
    );
  const rows = await q
    .orderBy('name')
    .orderBy('id')
    .limit(query.limit + 1)
    .execute();
  return toPage(rows, query.limit, toParty, (row) => [row.name, row.id]);
}

// ---- Accounts ------------------------------------------------------------------------------

export interface AccountRef {
  id: string;
  code: string;
  type: string;
  active: boolean;
  manual_posting: boolean;
}

export async function accountsByCodes(trx: Tx, codes: string[]): Promise<Map<string, AccountRef>> {
  if (codes.length === 0) return new Map();
  const rows = await trx
    .selectFrom('accounts')
    .select(['id', 'code', 'type', 'active', 'manual_posting'])
    .where('code', 'in', [...new Set(codes)])
    .execute();
  return new Map(rows.map((r) => [r.code, r]));
}

export async function accountCodeById(trx: Tx, id: string): Promise<AccountRef | undefined> {
  return trx
    .selectFrom('accounts')
    .select(['id', 'code', 'type', 'active', 'manual_posting'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The active account with a role; for roles several accounts share (bank), the lowest code. */
export async function accountByRole(trx: Tx, role: AccountRole): Promise<AccountRef | undefined> {
  return trx
    .selectFrom('accounts')
    .select(['id', 'code', 'type', 'active', 'manual_posting'])
    .where('role', '=', role)
    .where('active', '=', true)
    .orderBy('code')
    .limit(1)
    .executeTakeFirst();
}

export async function activeTaxCodes(trx: Tx, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await trx
    .selectFrom('tax_codes')
    .select(['code', 'rate'])
    .where('code', 'in', [...new Set(codes)])
    .where('active', '=', true)
    .execute();
  return new Map(rows.map((r) => [r.code, r.rate]));
}

// ---- Documents -----------------------------------------------------------------------------

export type DocumentRow = Selectable<TradeDocumentsTable>;
export type DocumentWithParty = DocumentRow & { party_code: string | null; party_name: string | null };

export async function documentById(
  trx: Tx,
  id: string,
  kind?: DocumentKind,
  lock = false,
): Promise<DocumentRow | undefined> {
  let q = trx.selectFrom('trade_documents').selectAll().where('id', '=', id);
  if (kind) q = q.where('kind', '=', kind);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/**
 * Locks documents for allocation, in id order so that two transactions settling overlapping
 * documents queue instead of deadlocking.
 */
export async function lockDocuments(trx: Tx, ids: string[]): Promise<Map<string, DocumentRow>> {
  if (ids.length === 0) return new Map();
  const rows = await trx
    .selectFrom('trade_documents')
    .selectAll()
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

function documentsWithParty(trx: Tx) {
  return trx
    .selectFrom('trade_documents as d')
    .leftJoin('parties as p', (join) =>
      join.onRef('p.tenant_id', '=', 'd.tenant_id').onRef('p.id', '=', 'd.party_id'),
    )
    .selectAll('d')
    .select(['p.code as party_code', 'p.name as party_name']);
}

export async function documentWithParty(trx: Tx, id: string): Promise<DocumentWithParty | undefined> {
  return documentsWithParty(trx).where('d.id', '=', id).executeTakeFirst();
}

const documentCursor = z.tuple([z.iso.date(), z.uuid()]);

export async function listDocuments(
  trx: Tx,
  kind: DocumentKind,
  query: {
    limit: number;
    cursor?: string;
    partyId?: string;
    status?: string;
    open?: 'true' | 'false';
    from?: string;
    to?: string;
  },
): Promise<Page<DocumentWithParty>> {
  const after = decodeCursor(query.cursor, documentCursor);
  let q = documentsWithParty(trx).where('d.kind', '=', kind);
  if (query.partyId) q = q.where('d.party_id', '=', query.partyId);
  if (query.status) q = q.where('d.status', '=', query.status as DocumentRow['status']);
  if (query.open === 'true') q = q.where('d.status', '<>', 'draft').where(sql<boolean>`d.settled < d.gross`);
  if (query.open === 'false')
    q = q.where((eb) => eb.or([eb('d.status', '=', 'draft'), sql<boolean>`d.settled = d.gross`]));
  if (query.from) q = q.where('d.issue_date', '>=', query.from);
  if (query.to) q = q.where('d.issue_date', '<=', query.to);
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('d.issue_date', '<', after[0]),
        eb.and([eb('d.issue_date', '=', after[0]), eb('d.id', '<', after[1])]),
      ]),
    );
  const rows = await q
    .orderBy('d.issue_date', 'desc')
    .orderBy('d.id', 'desc')
    .limit(query.limit + 1)
    .execute();
  return toPage(
    rows,
    query.limit,
    (row) => row,
    (row) => [row.issue_date, row.id],
  );
}

export interface DocumentLineRow {
  document_id: string;
  line_no: number;
  description: string;
  account_code: string;
  quantity: string;
  unit_price: string;
  discount_percent: string;
  net: string;
  tax_code: string;
  tax_rate: string;
}

export async function linesOfDocuments(trx: Tx, ids: string[]): Promise<DocumentLineRow[]> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('trade_document_lines as l')
    .innerJoin('accounts as a', (join) =>
      join.onRef('a.tenant_id', '=', 'l.tenant_id').onRef('a.id', '=', 'l.account_id'),
    )
    .select([
      'l.document_id',
      'l.line_no',
      'l.description',
      'a.code as account_code',
      'l.quantity',
      'l.unit_price',
      'l.discount_percent',
      'l.net',
      'l.tax_code',
      'l.tax_rate',
    ])
    .where('l.document_id', 'in', ids)
    .orderBy('l.document_id')
    .orderBy('l.line_no')
    .execute();
}

/** The latest allocation date touching a document, from either side. */
export async function lastAllocationDate(trx: Tx, documentId: string): Promise<string | undefined> {
  const row = await trx
    .selectFrom('trade_allocations')
    .select((eb) => eb.fn.max('allocation_date').as('last'))
    .where((eb) => eb.or([eb('document_id', '=', documentId), eb('credit_document_id', '=', documentId)]))
    .executeTakeFirst();
  return row?.last ?? undefined;
}

/** What customers owe in a currency: open invoices less open credit notes. */
export async function partyExposure(trx: Tx, partyId: string, currency: string): Promise<string> {
  const row = await sql<{ exposure: string | null }>`
    select sum(case kind when 'credit_note' then settled - gross else gross - settled end)::text as exposure
    from trade_documents
    where tenant_id = app_current_tenant() and party_id = ${partyId} and currency = ${currency}
      and status <> 'draft' and open_until = 'infinity'`.execute(trx);
  return row.rows[0]?.exposure ?? '0';
}

// ---- Settlements ---------------------------------------------------------------------------

export type SettlementRow = Selectable<TradeSettlementsTable>;
export type SettlementWithParty = SettlementRow & {
  party_code: string | null;
  party_name: string | null;
  bank_code: string | null;
};

export async function settlementById(
  trx: Tx,
  kind: SettlementKind,
  id: string,
  lock = false,
): Promise<SettlementRow | undefined> {
  let q = trx.selectFrom('trade_settlements').selectAll().where('kind', '=', kind).where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

function settlementsWithParty(trx: Tx) {
  return trx
    .selectFrom('trade_settlements as s')
    .leftJoin('parties as p', (join) =>
      join.onRef('p.tenant_id', '=', 's.tenant_id').onRef('p.id', '=', 's.party_id'),
    )
    .leftJoin('accounts as a', (join) =>
      join.onRef('a.tenant_id', '=', 's.tenant_id').onRef('a.id', '=', 's.bank_account_id'),
    )
    .selectAll('s')
    .select(['p.code as party_code', 'p.name as party_name', 'a.code as bank_code']);
}

export async function settlementWithParty(trx: Tx, id: string): Promise<SettlementWithParty | undefined> {
  return settlementsWithParty(trx).where('s.id', '=', id).executeTakeFirst();
}

export async function listSettlements(
  trx: Tx,
  kind: SettlementKind,
  query: { limit: number; cursor?: string; partyId?: string; status?: string; from?: string; to?: string },
): Promise<Page<SettlementWithParty>> {
  const after = decodeCursor(query.cursor, documentCursor);
  let q = settlementsWithParty(trx).where('s.kind', '=', kind);
  if (query.partyId) q = q.where('s.party_id', '=', query.partyId);
  if (query.status) q = q.where('s.status', '=', query.status as 'draft' | 'posted');
  if (query.from) q = q.where('s.settlement_date', '>=', query.from);
  if (query.to) q = q.where('s.settlement_date', '<=', query.to);
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('s.settlement_date', '<', after[0]),
        eb.and([eb('s.settlement_date', '=', after[0]), eb('s.id', '<', after[1])]),
      ]),
    );
  const rows = await q
    .orderBy('s.settlement_date', 'desc')
    .orderBy('s.id', 'desc')
    .limit(query.limit + 1)
    .execute();
  return toPage(
    rows,
    query.limit,
    (row) => row,
    (row) => [row.settlement_date, row.id],
  );
}

export interface AllocationView {
  settlement_id: string;
  document_id: string;
  document_number: string | null;
  amount: string;
  base_amount: string;
}

export async function allocationsOfSettlements(trx: Tx, ids: string[]): Promise<AllocationView[]> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('trade_allocations as a')
    .innerJoin('trade_documents as d', (join) =>
      join.onRef('d.tenant_id', '=', 'a.tenant_id').onRef('d.id', '=', 'a.document_id'),
    )
    .select([
      'a.settlement_id as settlement_id',
      'a.document_id',
      'd.number as document_number',
      'a.amount',
      'a.base_amount',
    ])
    .where('a.settlement_id', 'in', ids)
    .orderBy('d.number')
    .execute() as Promise<AllocationView[]>;
}

export async function documentNumbers(trx: Tx, ids: string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await trx
    .selectFrom('trade_documents')
    .select(['id', 'number'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r.number]));
}

// ---- Reports -------------------------------------------------------------------------------

export interface AgingRow {
  party_id: string;
  code: string;
  name: string;
  currency: string;
  current: string;
  days_1_30: string;
  days_31_60: string;
  days_61_90: string;
  over_90: string;
  base_current: string;
  base_1_30: string;
  base_31_60: string;
  base_61_90: string;
  base_over_90: string;
}

/**
 * What was outstanding on `asOf`, per party and document currency, in age buckets by days past due.
 *
 * Plan, with hundreds of thousands of documents per tenant: the partial index `trade_documents_open`
 * (tenant_id, ledger, open_until, issue_date) gives a range scan that starts at `asOf` and so reads
 * only documents still open on that date (never settled: 'infinity', or settled later);
 * settled history is skipped without being read. For each of those the settled amounts up to
 * `asOf` come from index-only scans of `trade_allocations_by_document` (invoices, bills) or
 * `_by_credit` (credit notes), (tenant_id, document_id, allocation_date) include (amounts); a
 * document nothing was ever allocated to (`settled = 0`) skips the look-up altogether, as a
 * one-time filter of the lateral subquery. The aggregation is per party and
 * currency, then joined to the parties by primary key.
 */
export async function agingRows(trx: Tx, ledger: Ledger, asOf: string): Promise<AgingRow[]> {
  const result = await sql<AgingRow>`
    with open_documents as (
      select d.party_id, d.currency, (${asOf}::date - d.due_date) as days_past_due,
        case when d.kind = 'credit_note' then -1 else 1 end as sign,
        d.gross - coalesce(debits.amount, 0) - coalesce(credits.amount, 0) as outstanding,
        d.base_gross - coalesce(debits.base_amount, 0) - coalesce(credits.base_amount, 0) as base_outstanding
      from trade_documents d
      left join lateral (
        select sum(a.amount) as amount, sum(a.base_amount) as base_amount from trade_allocations a
        where d.settled > 0 and d.kind <> 'credit_note'
          and a.tenant_id = d.tenant_id and a.document_id = d.id and a.allocation_date <= ${asOf}) debits on true
      left join lateral (
        select sum(a.amount) as amount, sum(a.credit_base_amount) as base_amount from trade_allocations a
        where d.settled > 0 and d.kind = 'credit_note'
          and a.tenant_id = d.tenant_id and a.credit_document_id = d.id and a.allocation_date <= ${asOf}) credits on true
      where d.tenant_id = app_current_tenant() and d.ledger = ${ledger} and d.status <> 'draft'
        and d.open_until > ${asOf}::date and d.issue_date <= ${asOf}::date),
    sums as (
      select party_id, currency,
        sum(sign * outstanding) filter (where days_past_due <= 0) as current,
        sum(sign * outstanding) filter (where days_past_due between 1 and 30) as days_1_30,
        sum(sign * outstanding) filter (where days_past_due between 31 and 60) as days_31_60,
        sum(sign * outstanding) filter (where days_past_due between 61 and 90) as days_61_90,
        sum(sign * outstanding) filter (where days_past_due > 90) as over_90,
        sum(sign * base_outstanding) filter (where days_past_due <= 0) as base_current,
        sum(sign * base_outstanding) filter (where days_past_due between 1 and 30) as base_1_30,
        sum(sign * base_outstanding) filter (where days_past_due between 31 and 60) as base_31_60,
        sum(sign * base_outstanding) filter (where days_past_due between 61 and 90) as base_61_90,
        sum(sign * base_outstanding) filter (where days_past_due > 90) as base_over_90
      from open_documents where outstanding <> 0
      group by party_id, currency)
    select s.party_id, p.code, p.name, s.currency,
      coalesce(s.current, 0)::text as current, coalesce(s.days_1_30, 0)::text as days_1_30,
      coalesce(s.days_31_60, 0)::text as days_31_60, coalesce(s.days_61_90, 0)::text as days_61_90,
      coalesce(s.over_90, 0)::text as over_90,
      coalesce(s.base_current, 0)::text as base_current, coalesce(s.base_1_30, 0)::text as base_1_30,
      coalesce(s.base_31_60, 0)::text as base_31_60, coalesce(s.base_61_90, 0)::text as base_61_90,
      coalesce(s.base_over_90, 0)::text as base_over_90
    from sums s join parties p on p.tenant_id = app_current_tenant() and p.id = s.party_id
    order by p.name, p.id, s.currency`.execute(trx);
  return result.rows;
}

export interface StatementBalanceRow {
  currency: string;
  balance: string;
}

/** A party's balance per currency before `from`: documents by sign less settlements. */
export async function balancesBefore(trx: Tx, partyId: string, from: string): Promise<StatementBalanceRow[]> {
  const result = await sql<StatementBalanceRow>`
    select currency, sum(amount)::text as balance from (
      select currency, case kind when 'credit_note' then -gross else gross end as amount
      from trade_documents
      where tenant_id = app_current_tenant() and party_id = ${partyId} and status <> 'draft' and issue_date < ${from}
      union all
      select currency, -amount from trade_settlements
      where tenant_id = app_current_tenant() and party_id = ${partyId} and status = 'posted' and settlement_date < ${from}
    ) movements group by currency`.execute(trx);
  return result.rows;
}

export interface StatementMovementRow {
  date: string;
  type: 'invoice' | 'credit_note' | 'bill' | 'receipt' | 'payment';
  id: string;
  number: string;
  reference: string | null;
  due_date: string | null;
  currency: string;
  amount: string;
}

/** A party's documents and settlements in a date range, oldest first, documents before settlements on a day. */
export async function movementsBetween(
  trx: Tx,
  partyId: string,
  from: string,
  to: string,
): Promise<StatementMovementRow[]> {
  const result = await sql<StatementMovementRow>`
    select date::text as date, type, id, number, reference, due_date::text as due_date, currency, amount::text as amount
    from (
      select issue_date as date, kind as type, id, number, reference, due_date, currency, gross as amount, 0 as sort
      from trade_documents
      where tenant_id = app_current_tenant() and party_id = ${partyId} and status <> 'draft'
        and issue_date between ${from} and ${to}
      union all
      select settlement_date, kind, id, number, reference, null, currency, amount, 1
      from trade_settlements
      where tenant_id = app_current_tenant() and party_id = ${partyId} and status = 'posted'
        and settlement_date between ${from} and ${to}
    ) movements
    order by date, sort, number`.execute(trx);
  return result.rows;
}

export type { DocumentKind, Ledger, PartyKind, SettlementKind };

/**
 * What a customer owes now, in the base currency at the rates the documents were booked at: open
 * invoices less open credit notes. Sales' credit check adds its open orders to this.
 */
export async function receivableExposure(trx: Tx, customerId: string): Promise<string> {
  const row = await trx
    .selectFrom('trade_documents')
    .select(
      sql<string>`coalesce(sum(case when kind = 'credit_note' then -(base_gross - base_settled)
        else base_gross - base_settled end), 0)::text`.as('outstanding'),
    )
    .where('ledger', '=', 'receivable')
    .where('party_id', '=', customerId)
    .where('status', '<>', 'draft')
    .where('open_until', '=', 'infinity')
    .executeTakeFirstOrThrow();
  return row.outstanding;
}
