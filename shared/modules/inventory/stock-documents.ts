import { randomUUID } from 'node:crypto';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import { todayIn } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import type { FieldError } from '../../platform/errors.js';
import { emit } from '../../platform/events/outbox.js';
import type { Page } from '../../platform/http/pagination.js';
import { Decimal, Money } from '../../platform/money.js';
import { nextDocumentNumber } from '../../platform/numbers.js';
import { tenantBooks } from '../accounting/index.js';
import {
  available,
  averageCost,
  balanceOf,
  dbAmount,
  incomingAtAverage,
  moved,
  outgoingCost,
  quantityString,
  valueAt,
  ZERO,
  type Balance,
  type Dec,
} from './costing.js';
import { inventoryErrors as errors } from './errors.js';
import { postStockEntry } from './postings.js';
import * as repo from './repository.js';
import type { AdjustmentInput, ReceiptInput, StockDocument, TransferInput } from './schemas.js';
import type { StockMoveKind } from './tables.js';

/**
 * Goods receipts, stock adjustments and transfers. Each is posted the moment it is recorded, in
 * one transaction: the balances it touches are locked in a stable order, the moving-average cost
 * is applied line by line, and the document, its lines, the stock ledger moves, the journal entry,
 * the event and the audit record are written together, or nothing is.
 */

type DocumentKind = 'receipt' | 'adjustment' | 'transfer';

const SERIES: Record<DocumentKind, string> = { receipt: 'GRN', adjustment: 'ADJ', transfer: 'TRF' };

/** One line of a document as posted: what moved where, at what cost. */
interface PostedLine {
  item: repo.ItemRow;
  warehouse: repo.WarehouseRow;
  quantity: Dec;
  unitCost: Dec;
  value: Dec;
  /** The ledger moves the line writes (a transfer writes two). */
  moves: { warehouse: repo.WarehouseRow; kind: StockMoveKind; quantity: Dec; value: Dec }[];
}

interface Context {
  tenantId: string;
  currency: string;
  date: string;
}

async function contextOf(trx: Tx, date: string | undefined): Promise<Context> {
  const books = await tenantBooks(trx);
  await repo.ensureMainWarehouse(trx);
  return { tenantId: books.id, currency: books.baseCurrency, date: date ?? todayIn(books.timeZone) };
}

async function warehouseByCode(
  trx: Tx,
  code: string,
  path: string,
  options: { active: boolean },
): Promise<repo.WarehouseRow> {
  const warehouse = (await repo.warehousesByCodes(trx, [code])).get(code);
  if (!warehouse) throw errors.unknownWarehouse(path, code);
  if (options.active && !warehouse.active) throw errors.inactiveWarehouse(path, code);
  return warehouse;
}

/** The stock items of the lines, by SKU; unknown, inactive (when `active`) and service items are refused. */
async function stockItems(
  trx: Tx,
  lines: { item: string }[],
  options: { active: boolean },
): Promise<repo.ItemRow[]> {
  const items = await repo.itemsBySkus(
    trx,
    lines.map((l) => l.item),
  );
  return lines.map((line, i) => {
    const path = `lines.${i}.item`;
    const item = items.get(line.item);
    if (!item) throw errors.unknownItem(path, line.item);
    if (item.kind !== 'stock') throw errors.serviceItem(path, item.sku);
    if (options.active && !item.active) throw errors.inactiveItem(path, item.sku);
    return item;
  });
}

/** Balances of the keys, locked; a working copy the lines update one after another. */
async function lockedBalances(trx: Tx, tenantId: string, keys: repo.StockKey[]) {
  const rows = await repo.lockBalances(trx, tenantId, keys);
  const working = new Map<string, Balance>(
    keys.map((k) => [repo.keyOf(k), balanceOf(rows.get(repo.keyOf(k)))]),
  );
  return {
    get: (key: repo.StockKey) => working.get(repo.keyOf(key)) as Balance,
    set: (key: repo.StockKey, balance: Balance) => working.set(repo.keyOf(key), balance),
    /** Writes the balances back, in lock order. */
    save: async () => {
      for (const key of repo.lockOrder(keys)) {
        const b = working.get(repo.keyOf(key)) as Balance;
        await repo.writeBalance(trx, key, {
          onHand: dbAmount(b.onHand),
          reserved: dbAmount(b.reserved),
          value: dbAmount(b.value),
        });
      }
    },
  };
}

const shortOf = (path: string, balance: Balance, warehouse: repo.WarehouseRow): FieldError => ({
  path,
  message: `Only ${quantityString(available(balance))} available in ${warehouse.code}`,
});

/** The journal entry a document posts, given its number and total value; none for transfers. */
type Posting = (
  number: string,
  total: Dec,
) => Pick<Parameters<typeof postStockEntry>[2], 'memo' | 'amount' | 'debit' | 'credit'>;

/**
 * Numbers the document, posts its journal entry (when it has one) and writes the document, its
 * lines, its stock moves and the audit record. Runs after the balances are written: the number
 * series and the journal are locked last, in every document, so documents never deadlock.
 */
async function record(
  trx: Tx,
  actor: AuditActor,
  ctx: Context,
  document: {
    kind: DocumentKind;
    warehouse: repo.WarehouseRow;
    toWarehouse?: repo.WarehouseRow;
    reference?: string;
    reason?: string;
    posting?: Posting;
  },
  lines: PostedLine[],
): Promise<{ id: string; number: string; total: Dec; entryId: string | null }> {
  const id = randomUUID();
  const number = await nextDocumentNumber(trx, ctx.tenantId, SERIES[document.kind], ctx.date);
  const total = lines.reduce((sum, l) => sum.plus(l.value), ZERO);
  const source = { type: `inventory.${document.kind}`, id };
  const entry = document.posting
    ? await postStockEntry(trx, actor, {
        ...document.posting(number, total),
        date: ctx.date,
        currency: ctx.currency,
        source,
      })
    : null;
  await repo.insertDocument(
    trx,
    {
      tenant_id: ctx.tenantId,
      id,
      kind: document.kind,
      number,
      document_date: ctx.date,
      warehouse_id: document.warehouse.id,
      to_warehouse_id: document.toWarehouse?.id ?? null,
      reference: document.reference ?? null,
      reason: document.reason ?? null,
      total_value: dbAmount(total),
      entry_id: entry?.id ?? null,
      created_by: actor.name,
      request_id: actor.requestId ?? null,
    },
    lines.map((line, i) => ({
      line_no: i + 1,
      item_id: line.item.id,
      warehouse_id: line.warehouse.id,
      reservation_key: null,
      quantity: dbAmount(line.quantity),
      unit_cost: dbAmount(line.unitCost),
      value: dbAmount(line.value),
    })),
  );
  await repo.insertMoves(
    trx,
    lines.flatMap((line) =>
      line.moves.map((move) => ({
        tenant_id: ctx.tenantId,
        id: randomUUID(),
        move_date: ctx.date,
        item_id: line.item.id,
        warehouse_id: move.warehouse.id,
        kind: move.kind,
        quantity: dbAmount(move.quantity),
        unit_cost: dbAmount(line.unitCost),
        value: dbAmount(move.value),
        source_type: source.type,
        source_id: id,
      })),
    ),
  );
  await recordAudit(trx, actor, {
    action: `stock_${document.kind}.posted`,
    entityType: `stock_${document.kind}`,
    entityId: id,
    details: { number, lines: lines.length, totalValue: dbAmount(total) },
  });
  return { id, number, total, entryId: entry?.id ?? null };
}

/** Each line's item, quantity and unit cost, as events carry them. */
const eventLines = (lines: PostedLine[]) =>
  lines.map((l) => ({
    itemId: l.item.id,
    quantity: quantityString(l.quantity),
    unitCost: dbAmount(l.unitCost),
  }));

// ---- Goods receipts ------------------------------------------------------------------------

/** Receives goods at their cost: stock and its value go up, Dr Inventory / Cr Goods received not invoiced. */
export async function postReceipt(trx: Tx, actor: AuditActor, input: ReceiptInput): Promise<StockDocument> {
  const ctx = await contextOf(trx, input.date);
  const warehouse = await warehouseByCode(trx, input.warehouse, 'warehouse', { active: true });
  const items = await stockItems(trx, input.lines, { active: true });
  input.lines.forEach((line, i) => {
    if (line.unitCost.currency !== ctx.currency)
      throw errors.notBaseCurrency(`lines.${i}.unitCost.currency`, ctx.currency);
  });
  const keys = items.map((item) => ({ itemId: item.id, warehouseId: warehouse.id }));
  const balances = await lockedBalances(trx, ctx.tenantId, keys);
  const lines = input.lines.map((line, i): PostedLine => {
    const item = items[i] as repo.ItemRow;
    const quantity = new Decimal(line.quantity);
    const unitCost = new Decimal(line.unitCost.amount);
    const value = valueAt(quantity, unitCost);
    const key = keys[i] as repo.StockKey;
    balances.set(key, moved(balances.get(key), quantity, value));
    return {
      item,
      warehouse,
      quantity,
      unitCost,
      value,
      moves: [{ warehouse, kind: 'receipt', quantity, value }],
    };
  });
  if (lines.every((l) => l.value.isZero())) throw errors.receiptWithoutValue();
  await balances.save();
  const { id, number, total, entryId } = await record(
    trx,
    actor,
    ctx,
    {
      kind: 'receipt',
      warehouse,
      reference: input.reference,
      posting: (number, total) => ({
        memo: `Goods received ${number} into ${warehouse.code}${input.reference ? `: ${input.reference}` : ''}`,
        amount: total,
        debit: 'inventory',
        credit: 'grni',
      }),
    },
    lines,
  );
  await emit(trx, ctx.tenantId, 'goodsReceived', {
    receiptId: id,
    number,
    warehouseId: warehouse.id,
    date: ctx.date,
    supplierReference: input.reference ?? null,
    currency: ctx.currency,
    totalValue: dbAmount(total),
    lines: eventLines(lines),
    entryId: entryId as string,
  });
  return getStockDocument(trx, 'receipt', id);
}

// ---- Adjustments ---------------------------------------------------------------------------

/**
 * Corrects stock on hand (a count, breakage, loss) at the average cost. Stock cannot go below what
 * is reserved; the value difference goes to Stock adjustments against Inventory.
 */
export async function postAdjustment(
  trx: Tx,
  actor: AuditActor,
  input: AdjustmentInput,
): Promise<StockDocument> {
  const ctx = await contextOf(trx, input.date);
  const warehouse = await warehouseByCode(trx, input.warehouse, 'warehouse', { active: false });
  const items = await stockItems(trx, input.lines, { active: false });
  const keys = items.map((item) => ({ itemId: item.id, warehouseId: warehouse.id }));
  const balances = await lockedBalances(trx, ctx.tenantId, keys);
  const short: FieldError[] = [];
  const lines: PostedLine[] = [];
  for (const [i, line] of input.lines.entries()) {
    const item = items[i] as repo.ItemRow;
    const key = keys[i] as repo.StockKey;
    const balance = balances.get(key);
    const quantity = new Decimal(line.quantity);
    let unitCost = averageCost(balance);
    let value: Dec;
    if (quantity.isPositive()) {
      if (balance.onHand.isZero()) unitCost = new Decimal(await repo.lastUnitCost(trx, key));
      value = incomingAtAverage(balance, quantity, unitCost);
    } else {
      if (quantity.negated().greaterThan(available(balance))) {
        short.push(shortOf(`lines.${i}.quantity`, balance, warehouse));
        continue;
      }
      value = outgoingCost(balance, quantity.negated()).negated();
    }
    balances.set(key, moved(balance, quantity, value));
    lines.push({
      item,
      warehouse,
      quantity,
      unitCost,
      value,
      moves: [{ warehouse, kind: 'adjustment', quantity, value }],
    });
  }
  if (short.length > 0) throw errors.insufficientStock(short);
  await balances.save();
  const { id, number, total, entryId } = await record(
    trx,
    actor,
    ctx,
    {
      kind: 'adjustment',
      warehouse,
      reason: input.reason,
      posting: (number, total) => ({
        memo: `Stock adjustment ${number} in ${warehouse.code}: ${input.reason}`.slice(0, 500),
        amount: total.abs(),
        debit: total.isNegative() ? 'stock_adjustment' : 'inventory',
        credit: total.isNegative() ? 'inventory' : 'stock_adjustment',
      }),
    },
    lines,
  );
  await emit(trx, ctx.tenantId, 'stockAdjusted', {
    adjustmentId: id,
    number,
    warehouseId: warehouse.id,
    date: ctx.date,
    reason: input.reason,
    currency: ctx.currency,
    totalValue: dbAmount(total),
    lines: lines.map((l) => ({
      itemId: l.item.id,
      quantity: quantityString(l.quantity),
      value: dbAmount(l.value),
    })),
    entryId,
  });
  await announceLowStock(
    trx,
    ctx.tenantId,
    lines.map((l) => ({ itemId: l.item.id, change: l.quantity })),
  );
  return getStockDocument(trx, 'adjustment', id);
}

// ---- Transfers -----------------------------------------------------------------------------

/** Moves stock between warehouses at the source's average cost; the value moves with it, the ledger is untouched. */
export async function postTransfer(trx: Tx, actor: AuditActor, input: TransferInput): Promise<StockDocument> {
  if (input.from === input.to) throw errors.sameWarehouse();
  const ctx = await contextOf(trx, input.date);
  const from = await warehouseByCode(trx, input.from, 'from', { active: false });
  const to = await warehouseByCode(trx, input.to, 'to', { active: true });
  const items = await stockItems(trx, input.lines, { active: false });
  const keys = items.flatMap((item) => [
    { itemId: item.id, warehouseId: from.id },
    { itemId: item.id, warehouseId: to.id },
  ]);
  const balances = await lockedBalances(trx, ctx.tenantId, keys);
  const short: FieldError[] = [];
  const lines: PostedLine[] = [];
  for (const [i, line] of input.lines.entries()) {
    const item = items[i] as repo.ItemRow;
    const source = { itemId: item.id, warehouseId: from.id };
    const destination = { itemId: item.id, warehouseId: to.id };
    const balance = balances.get(source);
    const quantity = new Decimal(line.quantity);
    if (quantity.greaterThan(available(balance))) {
      short.push(shortOf(`lines.${i}.quantity`, balance, from));
      continue;
    }
    const unitCost = averageCost(balance);
    const value = outgoingCost(balance, quantity);
    balances.set(source, moved(balance, quantity.negated(), value.negated()));
    balances.set(destination, moved(balances.get(destination), quantity, value));
    lines.push({
      item,
      warehouse: from,
      quantity,
      unitCost,
      value,
      moves: [
        { warehouse: from, kind: 'transfer_out', quantity: quantity.negated(), value: value.negated() },
        { warehouse: to, kind: 'transfer_in', quantity, value },
      ],
    });
  }
  if (short.length > 0) throw errors.insufficientStock(short);
  await balances.save();
  const { id, number, total } = await record(
    trx,
    actor,
    ctx,
    { kind: 'transfer', warehouse: from, toWarehouse: to, reference: input.reference },
    lines,
  );
  await emit(trx, ctx.tenantId, 'stockTransferred', {
    transferId: id,
    number,
    fromWarehouseId: from.id,
    toWarehouseId: to.id,
    date: ctx.date,
    currency: ctx.currency,
    totalValue: dbAmount(total),
    lines: eventLines(lines),
  });
  return getStockDocument(trx, 'transfer', id);
}

// ---- Low stock -----------------------------------------------------------------------------

/**
 * Announces `inventory.StockLow` for each item whose stock available across warehouses was above
 * its reorder level before the given changes of available stock and is at or below it after them.
 */
export async function announceLowStock(
  trx: Tx,
  tenantId: string,
  changes: { itemId: string; change: Dec }[],
): Promise<void> {
  const falling = [...netChanges(changes)].filter(([, change]) => change.isNegative()).map(([id]) => id);
  await announceCrossings(trx, tenantId, changes, await repo.stockLevels(trx, falling), 'after');
}

function netChanges(changes: { itemId: string; change: Dec }[]): Map<string, Dec> {
  const byItem = new Map<string, Dec>();
  for (const c of changes) byItem.set(c.itemId, (byItem.get(c.itemId) ?? ZERO).plus(c.change));
  return byItem;
}

/**
 * `announceLowStock` for a caller that read the levels itself, before (`'before'`) or after
 * (`'after'`) the changes.
 */
export async function announceCrossings(
  trx: Tx,
  tenantId: string,
  changes: { itemId: string; change: Dec }[],
  levels: repo.StockLevel[],
  when: 'before' | 'after',
): Promise<void> {
  const byItem = netChanges(changes);
  for (const level of levels) {
    const change = byItem.get(level.id) ?? ZERO;
    if (!change.isNegative()) continue;
    const read = new Decimal(level.available);
    const after = when === 'after' ? read : read.plus(change);
    const before = after.minus(change);
    const reorder = new Decimal(level.reorder_level);
    if (before.greaterThan(reorder) && after.lessThanOrEqualTo(reorder))
      await emit(trx, tenantId, 'stockLow', {
        itemId: level.id,
        sku: level.sku,
        uom: level.uom,
        available: quantityString(after),
        reorderLevel: quantityString(reorder),
      });
  }
}

// ---- Reading -------------------------------------------------------------------------------

async function describeDocuments(trx: Tx, rows: repo.DocumentRow[]): Promise<StockDocument[]> {
  if (rows.length === 0) return [];
  const currency = (await tenantBooks(trx)).baseCurrency;
  const lines = await repo.linesOf(
    trx,
    rows.map((r) => r.id),
  );
  const warehouses = new Map(
    (
      await repo.warehousesByIds(
        trx,
        rows.flatMap((r) => [r.warehouse_id, r.to_warehouse_id].filter((id): id is string => id !== null)),
      )
    ).map((w) => [w.id, { id: w.id, code: w.code, name: w.name }]),
  );
  const money = (value: string) => Money.of(value, currency).toJSON();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind as DocumentKind,
    number: row.number as string,
    date: row.document_date,
    warehouse: warehouses.get(row.warehouse_id as string) as { id: string; code: string; name: string },
    toWarehouse: row.to_warehouse_id ? (warehouses.get(row.to_warehouse_id) ?? null) : null,
    reference: row.reference,
    reason: row.reason,
    lines: lines
      .filter((l) => l.document_id === row.id)
      .map((l) => ({
        lineNo: l.line_no,
        itemId: l.item_id,
        sku: l.sku,
        itemName: l.item_name,
        uom: l.uom,
        quantity: quantityString(l.quantity),
        unitCost: money(l.unit_cost),
        value: money(l.value),
      })),
    totalValue: money(row.total_value),
    entryId: row.entry_id,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  }));
}

export async function getStockDocument(trx: Tx, kind: DocumentKind, id: string): Promise<StockDocument> {
  const row = await repo.documentById(trx, kind, id);
  if (!row) throw errors.documentNotFound(kind);
  return (await describeDocuments(trx, [row]))[0] as StockDocument;
}

export async function listStockDocuments(
  trx: Tx,
  kind: DocumentKind,
  query: Parameters<typeof repo.listDocuments>[2],
): Promise<Page<StockDocument>> {
  if (query.from && query.to && query.to < query.from) throw errors.dateRange();
  const page = await repo.listDocuments(trx, kind, query);
  return { items: await describeDocuments(trx, page.items), nextCursor: page.nextCursor };
}
