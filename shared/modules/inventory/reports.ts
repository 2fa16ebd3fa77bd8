import { todayIn } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import { toCsv } from '../../platform/http/csv.js';
import type { Page } from '../../platform/http/pagination.js';
import { Decimal, minorUnits, Money } from '../../platform/money.js';
import {
  divideHalfEven,
  parseScaled,
  scaledAmountString,
  scaledQuantityString,
} from '../../platform/scaled.js';
import { tenantBooks } from '../accounting/index.js';
import { averageCost, balanceOf, quantityString } from './costing.js';
import * as repo from './repository.js';
import type { LowStock, StockBalance, Valuation } from './schemas.js';

/** Stock per item and warehouse now: on hand, reserved, available, average cost and value. */
export async function listStock(
  trx: Tx,
  query: Parameters<typeof repo.stockPage>[1],
): Promise<Page<StockBalance>> {
  const currency = (await tenantBooks(trx)).baseCurrency;
  const page = await repo.stockPage(trx, query);
  return {
    items: page.items.map((row) => {
      const balance = balanceOf(row);
      return {
        itemId: row.item_id,
        sku: row.sku,
        itemName: row.item_name,
        uom: row.uom,
        warehouseId: row.warehouse_id,
        warehouseCode: row.warehouse_code,
        onHand: quantityString(balance.onHand),
        reserved: quantityString(balance.reserved),
        available: quantityString(balance.onHand.minus(balance.reserved)),
        averageCost: Money.of(averageCost(balance), currency).toJSON(),
        value: Money.of(balance.value, currency).toJSON(),
      };
    }),
    nextCursor: page.nextCursor,
  };
}

/**
 * Stock valuation at the end of a day, per item and warehouse, with the total: quantity, moving
 * average cost and value as the stock ledger stood then. Today by default.
 */
export async function stockValuation(
  trx: Tx,
  query: { asOf?: string; warehouseId?: string },
): Promise<Valuation> {
  const books = await tenantBooks(trx);
  const asOf = query.asOf ?? todayIn(books.timeZone);
  const rows = await repo.valuationRows(trx, books.id, asOf, query.warehouseId);
  // Thousands of rows: exact integer arithmetic on ten-thousandths rather than a Decimal per value.
  const places = minorUnits(books.baseCurrency);
  let total = 0n;
  return {
    asOf,
    currency: books.baseCurrency,
    warehouseId: query.warehouseId ?? null,
    rows: rows.map((row) => {
      const quantity = parseScaled(row.on_hand);
      const value = parseScaled(row.value);
      total += value;
      return {
        itemId: row.item_id,
        sku: row.sku,
        itemName: row.item_name,
        uom: row.uom,
        warehouseId: row.warehouse_id,
        warehouseCode: row.warehouse_code,
        quantity: scaledQuantityString(quantity),
        averageCost: scaledAmountString(divideHalfEven(value, quantity), places),
        value: scaledAmountString(value, places),
      };
    }),
    totals: { value: scaledAmountString(total, places) },
  };
}

export function valuationCsv(report: Valuation): string {
  return toCsv(
    [
      'sku',
      'item',
      'uom',
      'warehouse',
      'quantity',
      `average cost (${report.currency})`,
      `value (${report.currency})`,
    ],
    [
      ...report.rows.map((r) => [
        r.sku,
        r.itemName,
        r.uom,
        r.warehouseCode,
        r.quantity,
        r.averageCost,
        r.value,
      ]),
      ['TOTAL', '', '', '', '', '', report.totals.value],
    ],
  );
}

/** Active stock items whose stock available across all warehouses is at or below their reorder level. */
export async function lowStock(trx: Tx): Promise<LowStock> {
  const books = await tenantBooks(trx);
  const rows = await repo.lowStockRows(trx, books.id);
  return {
    rows: rows.map((row) => {
      const available = new Decimal(row.on_hand).minus(row.reserved);
      return {
        itemId: row.item_id,
        sku: row.sku,
        itemName: row.item_name,
        uom: row.uom,
        onHand: quantityString(row.on_hand),
        reserved: quantityString(row.reserved),
        available: quantityString(available),
        reorderLevel: quantityString(row.reorder_level),
        shortfall: quantityString(new Decimal(row.reorder_level).minus(available)),
      };
    }),
  };
}

export function lowStockCsv(report: LowStock): string {
  return toCsv(
    ['sku', 'item', 'uom', 'on hand', 'reserved', 'available', 'reorder level', 'shortfall'],
    report.rows.map((r) => [
      r.sku,
      r.itemName,
      r.uom,
      r.onHand,
      r.reserved,
      r.available,
      r.reorderLevel,
      r.shortfall,
    ]),
  );
}
