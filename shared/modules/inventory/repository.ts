import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Selectable } from 'kysely';
import { z } from 'zod';
import { insertAuditSql, type auditRow } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import { Money } from '../../platform/money.js';
import type { Address } from '../accounting/index.js';
import { quantityString } from './costing.js';
import type { Item, Warehouse } from './schemas.js';
import type {
  ItemKind,
  ItemsTable,
  StockDocumentKind,
  StockDocumentLinesTable,
  StockDocumentsTable,
  StockMovesTable,
  StockReservationsTable,
  WarehouseKind,
  WarehousesTable,
} from './tables.js';

export type WarehouseRow = Selectable<WarehousesTable>;
export type ItemRow = Selectable<ItemsTable>;
export type DocumentRow = Selectable<StockDocumentsTable>;
export type DocumentLineRow = Selectable<StockDocumentLinesTable>;
export type ReservationRow = Selectable<StockReservationsTable>;

/** Where stock is: an item in a warehouse. */
export interface StockKey {
  itemId: string;
  warehouseId: string;
}

export const keyOf = (k: StockKey): string => `${k.itemId}:${k.warehouseId}`;

/** Stock keys without repeats, in the one order every writer locks balances in. */
export function lockOrder(keys: StockKey[]): StockKey[] {
  const unique = new Map(keys.map((k) => [keyOf(k), k]));
  return [...unique.values()].sort((a, b) =>
    a.itemId === b.itemId ? a.warehouseId.localeCompare(b.warehouseId) : a.itemId.localeCompare(b.itemId),
  );
}

// ---- Warehouses ----------------------------------------------------------------------------

export const MAIN_WAREHOUSE = { code: 'MAIN', name: 'Main warehouse', kind: 'warehouse' as const };

export function toWarehouse(row: WarehouseRow): Warehouse {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    kind: row.kind,
    address: (typeof row.address === 'string' ? JSON.parse(row.address) : row.address) as Address | null,
    active: row.active,
    version: row.version,
  };
}

/** Every tenant has a main warehouse from its first use of inventory on. */
export async function ensureMainWarehouse(trx: Tx): Promise<void> {
  await trx
    .insertInto('warehouses')
    .values({
      tenant_id: sql<string>`app_current_tenant()`,
      id: randomUUID(),
      ...MAIN_WAREHOUSE,
      address: null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'code']).doNothing())
    .execute();
}

export async function warehouseById(trx: Tx, id: string): Promise<WarehouseRow | undefined> {
  return trx.selectFrom('warehouses').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function warehousesByIds(trx: Tx, ids: string[]): Promise<WarehouseRow[]> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('warehouses')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .orderBy('code')
    .execute();
}

export async function warehousesByCodes(trx: Tx, codes: string[]): Promise<Map<string, WarehouseRow>> {
  if (codes.length === 0) return new Map();
  const rows = await trx
    .selectFrom('warehouses')
    .selectAll()
    .where('code', 'in', [...new Set(codes)])
    .execute();
  return new Map(rows.map((row) => [row.code, row]));
}

const codeCursor = z.tuple([z.string()]);

export async function listWarehouses(
  trx: Tx,
  query: { limit: number; cursor?: string; kind?: WarehouseKind; active?: 'true' | 'false' },
): Promise<Page<Warehouse>> {
  const after = decodeCursor(query.cursor, codeCursor);
  let q = trx.selectFrom('warehouses').selectAll();
  if (query.kind) q = q.where('kind', '=', query.kind);
  if (query.active) q = q.where('active', '=', query.active === 'true');
  if (after) q = q.where('code', '>', after[0]);
  const rows = await q
    .orderBy('code')
    .limit(query.limit + 1)
    .execute();
  return toPage(rows, query.limit, toWarehouse, (row) => [row.code]);
}

/** Whether anything refers to the warehouse: stock, its history, documents or reservations. */
export async function warehouseUsed(trx: Tx, id: string): Promise<boolean> {
  const row = await sql<{ used: boolean }>`
    select exists (select 1 from stock_balances where warehouse_id = ${id})
        or exists (select 1 from stock_document_lines where warehouse_id = ${id})
        or exists (select 1 from stock_documents where to_warehouse_id = ${id})
        or exists (select 1 from stock_reservations where warehouse_id = ${id}) as used`.execute(trx);
  return row.rows[0]?.used === true;
}

export async function warehouseHoldsStock(trx: Tx, id: string): Promise<boolean> {
  const row = await trx
    .selectFrom('stock_balances')
    .select('item_id')
    .where('warehouse_id', '=', id)
    .where('on_hand', '>', '0')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

// ---- Items ---------------------------------------------------------------------------------

export function toItem(row: ItemRow, currency: string): Item {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    uom: row.uom,
    kind: row.kind,
    salesPrice: Money.of(row.sales_price, currency).toJSON(),
    taxCode: row.tax_code,
    reorderLevel: row.reorder_level === null ? null : quantityString(row.reorder_level),
    active: row.active,
    version: row.version,
  };
}

export async function itemById(trx: Tx, id: string): Promise<ItemRow | undefined> {
  return trx.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function itemsByIds(trx: Tx, ids: string[]): Promise<ItemRow[]> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('items')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .orderBy('sku')
    .execute();
}

export async function itemsBySkus(trx: Tx, skus: string[]): Promise<Map<string, ItemRow>> {
  if (skus.length === 0) return new Map();
  const rows = await trx
    .selectFrom('items')
    .selectAll()
    .where('sku', 'in', [...new Set(skus)])
    .execute();
  return new Map(rows.map((row) => [row.sku, row]));
}

export async function listItems(
  trx: Tx,
  currency: string,
  query: { limit: number; cursor?: string; search?: string; kind?: ItemKind; active?: 'true' | 'false' },
): Promise<Page<Item>> {
  const after = decodeCursor(query.cursor, codeCursor);
  let q = trx.selectFrom('items').selectAll();
  if (query.search) {
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('sku', 'ilike', pattern), eb('name', 'ilike', pattern)]));
  }
  if (query.kind) q = q.where('kind', '=', query.kind);
  if (query.active) q = q.where('active', '=', query.active === 'true');
  if (after) q = q.where('sku', '>', after[0]);
  const rows = await q
    .orderBy('sku')
    .limit(query.limit + 1)
    .execute();
  return toPage(
    rows,
    query.limit,
    (row) => toItem(row, currency),
    (row) => [row.sku],
  );
}

export async function itemHasMoves(trx: Tx, id: string): Promise<boolean> {
  const row = await trx
    .selectFrom('stock_moves')
    .select('id')
    .where('item_id', '=', id)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

// ---- Balances ------------------------------------------------------------------------------

export interface BalanceRow extends StockKey {
  on_hand: string;
  reserved: string;
  value: string;
}

/**
 * Locks the balances of `keys` for the rest of the transaction, creating the missing ones, in the
 * stable lock order, so two documents touching the same stock queue instead of deadlocking.
 */
export async function lockBalances(
  trx: Tx,
  tenantId: string,
  keys: StockKey[],
): Promise<Map<string, BalanceRow>> {
  const ordered = lockOrder(keys);
  if (ordered.length === 0) return new Map();
  await trx
    .insertInto('stock_balances')
    .values(ordered.map((k) => ({ tenant_id: tenantId, item_id: k.itemId, warehouse_id: k.warehouseId })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  const rows = await trx
    .selectFrom('stock_balances')
    .select(['item_id as itemId', 'warehouse_id as warehouseId', 'on_hand', 'reserved', 'value'])
    .where((eb) =>
      eb(
        eb.refTuple('item_id', 'warehouse_id'),
        'in',
        ordered.map((k) => eb.tuple(k.itemId, k.warehouseId)),
      ),
    )
    .orderBy('item_id')
    .orderBy('warehouse_id')
    .forUpdate()
    .execute();
  return new Map(rows.map((row) => [keyOf(row), row]));
}

export async function writeBalance(
  trx: Tx,
  key: StockKey,
  balance: { onHand: string; reserved: string; value: string },
): Promise<void> {
  await trx
    .updateTable('stock_balances')
    .set({
      on_hand: balance.onHand,
      reserved: balance.reserved,
      value: balance.value,
      updated_at: sql`now()`,
    })
    .where('item_id', '=', key.itemId)
    .where('warehouse_id', '=', key.warehouseId)
    .execute();
}

/** A reservation as `reserveAll` writes it (issued and released start at zero). */
export interface NewReservation {
  id: string;
  key: string;
  itemId: string;
  warehouseId: string;
  quantity: string;
}

/** An item with a reorder level and its available stock (`on_hand - reserved`) across warehouses. */
export interface StockLevel {
  id: string;
  sku: string;
  uom: string;
  reorder_level: string;
  available: string;
}

/**
 * Reserves every quantity or none, in one statement: the balances are locked in the stable lock
 * order (item, then warehouse, as `lockOrder`), and only if each has `on_hand - reserved` for its
 * quantity are they all updated and the reservation rows and the audit row written. Returns
 * whether it reserved, what each key had available when locked (absent: no balance), and, for the
 * wanted items that have a reorder level, their available stock across warehouses before this
 * reservation (the locked balances as locked, the others as the statement found them).
 */
export async function reserveAll(
  trx: Tx,
  input: {
    wanted: { key: StockKey; quantity: string }[];
    reference: { tenantId: string; type: string; id: string };
    rows: NewReservation[];
    audit: ReturnType<typeof auditRow>;
  },
): Promise<{ reserved: boolean; available: Map<string, string>; levels: StockLevel[] }> {
  const { wanted, reference, rows, audit } = input;
  const result = await sql<{
    level: boolean;
    item_id: string;
    warehouse_id: string | null;
    available: string;
    reserved: boolean | null;
    sku: string | null;
    uom: string | null;
    reorder_level: string | null;
  }>`
    with wanted as (
      select * from unnest(${wanted.map((w) => w.key.itemId)}::uuid[], ${wanted.map((w) => w.key.warehouseId)}::uuid[],
        ${wanted.map((w) => w.quantity)}::numeric[]) as w(item_id, warehouse_id, quantity)
    ), locked as (
      select b.item_id, b.warehouse_id, b.on_hand - b.reserved as available, w.quantity
      from stock_balances b join wanted w on w.item_id = b.item_id and w.warehouse_id = b.warehouse_id
      order by b.item_id, b.warehouse_id
      for update of b
    ), enough as (
      select count(*) = (select count(*) from wanted) and coalesce(bool_and(available >= quantity), false) as ok
      from locked
    ), updated as (
      update stock_balances b set reserved = b.reserved + l.quantity, updated_at = now()
      from locked l, enough
      where enough.ok and b.item_id = l.item_id and b.warehouse_id = l.warehouse_id
    ), written as (
      insert into stock_reservations (tenant_id, id, reference_type, reference_id, key, item_id, warehouse_id, quantity)
      select ${reference.tenantId}::uuid, r.id, ${reference.type}, ${reference.id}, r.key, r.item_id, r.warehouse_id, r.quantity
      from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.key)}::text[],
        ${rows.map((r) => r.itemId)}::uuid[], ${rows.map((r) => r.warehouseId)}::uuid[],
        ${rows.map((r) => r.quantity)}::numeric[]) as r(id, key, item_id, warehouse_id, quantity), enough
      where enough.ok
    ), audited as (${insertAuditSql(audit, sql`from enough where enough.ok`)}
    ), levels as (
      select i.id, i.sku, i.uom, i.reorder_level, coalesce(sum(coalesce(l.available, b.on_hand - b.reserved)), 0) as available
      from items i
      left join stock_balances b on b.tenant_id = i.tenant_id and b.item_id = i.id
      left join locked l on l.item_id = b.item_id and l.warehouse_id = b.warehouse_id
      where i.id in (select item_id from wanted) and i.kind = 'stock' and i.reorder_level is not null
      group by i.id, i.sku, i.uom, i.reorder_level
    )
    select false as level, l.item_id, l.warehouse_id, l.available::text as available, (select ok from enough) as reserved,
           null as sku, null as uom, null as reorder_level
      from locked l
    union all
    select true, v.id, null, v.available::text, null, v.sku, v.uom, v.reorder_level::text
      from levels v`.execute(trx);
  const balances = result.rows.filter((row) => !row.level);
  return {
    // `ok` covers every key: all had a balance with enough, and so all were updated.
    reserved: balances[0]?.reserved ?? false,
    available: new Map(
      balances.map((row) => [keyOf({ itemId: row.item_id, warehouseId: row.warehouse_id! }), row.available]),
    ),
    levels: result.rows
      .filter((row) => row.level)
      .map((row) => ({
        id: row.item_id,
        sku: row.sku!,
        uom: row.uom!,
        reorder_level: row.reorder_level!,
        available: row.available,
      })),
  };
}

export async function unreserve(trx: Tx, key: StockKey, quantity: string): Promise<void> {
  await trx
    .updateTable('stock_balances')
    .set({ reserved: sql`reserved - ${quantity}::numeric`, updated_at: sql`now()` })
    .where('item_id', '=', key.itemId)
    .where('warehouse_id', '=', key.warehouseId)
    .execute();
}

/** Stock items with a reorder level, with their available stock across warehouses. */
export async function stockLevels(trx: Tx, itemIds: string[]): Promise<StockLevel[]> {
  if (itemIds.length === 0) return [];
  return trx
    .selectFrom('items as i')
    .leftJoin('stock_balances as b', (join) =>
      join.onRef('b.tenant_id', '=', 'i.tenant_id').onRef('b.item_id', '=', 'i.id'),
    )
    .select([
      'i.id',
      'i.sku',
      'i.uom',
      sql<string>`i.reorder_level`.as('reorder_level'),
      sql<string>`coalesce(sum(b.on_hand - b.reserved), 0)`.as('available'),
    ])
    .where('i.id', 'in', [...new Set(itemIds)])
    .where('i.kind', '=', 'stock')
    .where('i.reorder_level', 'is not', null)
    .groupBy(['i.id', 'i.sku', 'i.uom', 'i.reorder_level'])
    .execute();
}

// ---- Moves ---------------------------------------------------------------------------------

export async function insertMoves(trx: Tx, moves: Insertable<StockMovesTable>[]): Promise<void> {
  if (moves.length > 0) await trx.insertInto('stock_moves').values(moves).execute();
}

/** The unit cost of the item's latest move in the warehouse, or anywhere; zero when it never moved. */
export async function lastUnitCost(trx: Tx, key: StockKey): Promise<string> {
  const row = await trx
    .selectFrom('stock_moves')
    .select('unit_cost')
    .where('item_id', '=', key.itemId)
    .orderBy(sql`warehouse_id = ${key.warehouseId}`, 'desc')
    .orderBy('move_date', 'desc')
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.unit_cost ?? '0';
}

// ---- Documents -----------------------------------------------------------------------------

export async function insertDocument(
  trx: Tx,
  document: Insertable<StockDocumentsTable>,
  lines: Omit<Insertable<StockDocumentLinesTable>, 'tenant_id' | 'document_id'>[],
): Promise<void> {
  await trx.insertInto('stock_documents').values(document).execute();
  await trx
    .insertInto('stock_document_lines')
    .values(lines.map((line) => ({ ...line, tenant_id: document.tenant_id, document_id: document.id })))
    .execute();
}

export async function documentById(
  trx: Tx,
  kind: StockDocumentKind,
  id: string,
): Promise<DocumentRow | undefined> {
  return trx
    .selectFrom('stock_documents')
    .selectAll()
    .where('id', '=', id)
    .where('kind', '=', kind)
    .executeTakeFirst();
}

export async function issueBySource(
  trx: Tx,
  source: { type: string; id: string },
): Promise<DocumentRow | undefined> {
  return trx
    .selectFrom('stock_documents')
    .selectAll()
    .where('kind', '=', 'issue')
    .where('source_type', '=', source.type)
    .where('source_id', '=', source.id)
    .executeTakeFirst();
}

export type LineView = DocumentLineRow & { sku: string; item_name: string; uom: string };

export async function linesOf(trx: Tx, documentIds: string[]): Promise<LineView[]> {
  if (documentIds.length === 0) return [];
  return trx
    .selectFrom('stock_document_lines as l')
    .innerJoin('items as i', (join) =>
      join.onRef('i.tenant_id', '=', 'l.tenant_id').onRef('i.id', '=', 'l.item_id'),
    )
    .selectAll('l')
    .select(['i.sku', 'i.name as item_name', 'i.uom'])
    .where('l.document_id', 'in', documentIds)
    .orderBy('l.document_id')
    .orderBy('l.line_no')
    .execute();
}

const documentCursor = z.tuple([z.iso.date(), z.uuid()]);

export async function listDocuments(
  trx: Tx,
  kind: StockDocumentKind,
  query: { limit: number; cursor?: string; from?: string; to?: string; warehouseId?: string },
): Promise<Page<DocumentRow>> {
  const after = decodeCursor(query.cursor, documentCursor);
  let q = trx.selectFrom('stock_documents').selectAll().where('kind', '=', kind);
  if (query.from) q = q.where('document_date', '>=', query.from);
  if (query.to) q = q.where('document_date', '<=', query.to);
  if (query.warehouseId) {
    const id = query.warehouseId;
    q = q.where((eb) => eb.or([eb('warehouse_id', '=', id), eb('to_warehouse_id', '=', id)]));
  }
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('document_date', '<', after[0]),
        eb.and([eb('document_date', '=', after[0]), eb('id', '<', after[1])]),
      ]),
    );
  const rows = await q
    .orderBy('document_date', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  return toPage(
    rows,
    query.limit,
    (row) => row,
    (row) => [row.document_date, row.id],
  );
}

// ---- Reservations --------------------------------------------------------------------------

/** The reservations of a reference that still count: active, or issued in full. */
export async function liveReservations(
  trx: Tx,
  referenceType: string,
  referenceId: string,
): Promise<ReservationRow[]> {
  return trx
    .selectFrom('stock_reservations')
    .selectAll()
    .where('reference_type', '=', referenceType)
    .where('reference_id', '=', referenceId)
    .where('status', '<>', 'released')
    .orderBy('created_at')
    .orderBy('key')
    .execute();
}

export async function insertReservations(
  trx: Tx,
  rows: Insertable<StockReservationsTable>[],
): Promise<ReservationRow[]> {
  return trx.insertInto('stock_reservations').values(rows).returningAll().execute();
}

export async function updateReservation(
  trx: Tx,
  id: string,
  change: { issued?: string; released?: string; status: 'active' | 'issued' | 'released' },
): Promise<void> {
  await trx
    .updateTable('stock_reservations')
    .set({ ...change, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/**
 * Serialises the work on one reference (a sales order, say) for the rest of the transaction, so a
 * retried call waits for the first and then finds what it did.
 */
export async function lockReference(trx: Tx, tenantId: string, referenceType: string, referenceId: string) {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`inventory:${tenantId}:${referenceType}:${referenceId}`}, 0))`.execute(
    trx,
  );
}

// ---- Reports -------------------------------------------------------------------------------

const stockCursor = z.tuple([z.string(), z.string()]);

export interface StockRow {
  item_id: string;
  sku: string;
  item_name: string;
  uom: string;
  warehouse_id: string;
  warehouse_code: string;
  on_hand: string;
  reserved: string;
  value: string;
}

export async function stockPage(
  trx: Tx,
  query: { limit: number; cursor?: string; itemId?: string; warehouseId?: string },
): Promise<Page<StockRow>> {
  const after = decodeCursor(query.cursor, stockCursor);
  let q = trx
    .selectFrom('stock_balances as b')
    .innerJoin('items as i', (join) =>
      join.onRef('i.tenant_id', '=', 'b.tenant_id').onRef('i.id', '=', 'b.item_id'),
    )
    .innerJoin('warehouses as w', (join) =>
      join.onRef('w.tenant_id', '=', 'b.tenant_id').onRef('w.id', '=', 'b.warehouse_id'),
    )
    .select([
      'b.item_id',
      'i.sku',
      'i.name as item_name',
      'i.uom',
      'b.warehouse_id',
      'w.code as warehouse_code',
      'b.on_hand',
      'b.reserved',
      'b.value',
    ]);
  if (query.itemId) q = q.where('b.item_id', '=', query.itemId);
  if (query.warehouseId) q = q.where('b.warehouse_id', '=', query.warehouseId);
  if (after)
    q = q.where((eb) =>
      eb.or([eb('i.sku', '>', after[0]), eb.and([eb('i.sku', '=', after[0]), eb('w.code', '>', after[1])])]),
    );
  const rows = await q
    .orderBy('i.sku')
    .orderBy('w.code')
    .limit(query.limit + 1)
    .execute();
  return toPage(
    rows,
    query.limit,
    (row) => row,
    (row) => [row.sku, row.warehouse_code],
  );
}

/**
 * Quantity and value per item and warehouse at the end of `asOf`: today's balances less what moved
 * after that date, read from the stock ledger's date index, so the cost follows the moves since
 * `asOf`, not the length of the history.
 */
export async function valuationRows(
  trx: Tx,
  tenantId: string,
  asOf: string,
  warehouseId: string | undefined,
): Promise<Omit<StockRow, 'reserved'>[]> {
  const inWarehouse = (column: string) =>
    warehouseId ? sql`and ${sql.ref(column)} = ${warehouseId}::uuid` : sql``;
  const result = await sql<Omit<StockRow, 'reserved'>>`
    with later as (
      select item_id, warehouse_id, sum(quantity) as quantity, sum(value) as value
      from stock_moves
      where tenant_id = ${tenantId}::uuid and move_date > ${asOf}::date ${inWarehouse('warehouse_id')}
      group by item_id, warehouse_id
    ), at_date as (
      select b.item_id, b.warehouse_id,
        b.on_hand - coalesce(l.quantity, 0) as on_hand, b.value - coalesce(l.value, 0) as value
      from stock_balances b
      left join later l on l.item_id = b.item_id and l.warehouse_id = b.warehouse_id
      where b.tenant_id = ${tenantId}::uuid ${inWarehouse('b.warehouse_id')}
    )
    select d.item_id, i.sku, i.name as item_name, i.uom, d.warehouse_id, w.code as warehouse_code,
      d.on_hand::text as on_hand, d.value::text as value
    from at_date d
    join items i on i.tenant_id = ${tenantId}::uuid and i.id = d.item_id
    join warehouses w on w.tenant_id = ${tenantId}::uuid and w.id = d.warehouse_id
    where d.on_hand <> 0 or d.value <> 0
    order by i.sku, w.code`.execute(trx);
  return result.rows;
}

/** Active stock items with a reorder level whose stock available across warehouses is at or below it. */
export async function lowStockRows(trx: Tx, tenantId: string) {
  const result = await sql<{
    item_id: string;
    sku: string;
    item_name: string;
    uom: string;
    on_hand: string;
    reserved: string;
    reorder_level: string;
  }>`
    select i.id as item_id, i.sku, i.name as item_name, i.uom, i.reorder_level::text as reorder_level,
      coalesce(sum(b.on_hand), 0)::text as on_hand, coalesce(sum(b.reserved), 0)::text as reserved
    from items i
    left join stock_balances b on b.tenant_id = i.tenant_id and b.item_id = i.id
    where i.tenant_id = ${tenantId}::uuid and i.kind = 'stock' and i.active and i.reorder_level is not null
    group by i.id, i.sku, i.name, i.uom, i.reorder_level
    having coalesce(sum(b.on_hand - b.reserved), 0) <= i.reorder_level
    order by i.sku`.execute(trx);
  return result.rows;
}
