import { getParty, taxSummary } from '../accounting/index.js';
import { getItemsByIds, getWarehousesByIds } from '../inventory/index.js';
import type { Tx } from '../../platform/db/database.js';
import { Decimal, minorUnits } from '../../platform/money.js';

type Dec = InstanceType<typeof Decimal>;

/** Net, VAT per tax code (on the summed nets, as invoices compute it) and gross of priced lines. */
export function totalsOf(lines: { net: Dec | string; taxCode: string; taxRate: string }[], currency: string) {
  const net = lines.reduce((sum, l) => sum.plus(l.net), new Decimal(0));
  const taxes = taxSummary(lines, currency);
  const tax = taxes.reduce((sum, t) => sum.plus(t.tax), new Decimal(0));
  return { net, tax, gross: net.plus(tax), taxes };
}

/** Money as the API shows it: the amount rounded to the currency's minor units. */
export const money = (value: string | Dec, currency: string) => ({
  amount: new Decimal(value).toFixed(minorUnits(currency)),
  currency,
});

/** The columns quote and order lines share. */
export interface PricedLineRow {
  line_no: number;
  item_id: string;
  warehouse_id: string | null;
  description: string;
  quantity: string;
  unit_price: string;
  discount_percent: string;
  tax_code: string;
  tax_rate: string;
  net: string;
}

/**
 * What the API shows of quotes' and orders' lines and customers besides their own columns: items
 * (SKU, unit), warehouse codes and customer names, each fetched once for a whole page.
 */
export async function lineContext(trx: Tx, lines: PricedLineRow[], customerIds: string[]) {
  const items = new Map(
    (await getItemsByIds(trx, [...new Set(lines.map((l) => l.item_id))])).map((i) => [i.id, i]),
  );
  const warehouseIds = [...new Set(lines.flatMap((l) => (l.warehouse_id ? [l.warehouse_id] : [])))];
  const warehouses = new Map((await getWarehousesByIds(trx, warehouseIds)).map((w) => [w.id, w]));
  const customers = new Map<string, { id: string; code: string; name: string }>();
  for (const customerId of new Set(customerIds)) {
    const party = await getParty(trx, 'customer', customerId);
    customers.set(customerId, { id: party.id, code: party.code, name: party.name });
  }
  const line = (l: PricedLineRow, currency: string) =>
    lineView(
      l,
      currency,
      items.get(l.item_id),
      l.warehouse_id ? (warehouses.get(l.warehouse_id)?.code ?? null) : null,
    );
  return { customer: (id: string) => customers.get(id)!, line };
}

/** A quote's or order's line as the API shows it. */
export function lineView(
  l: PricedLineRow,
  currency: string,
  item: { sku: string; uom: string } | undefined,
  warehouseCode: string | null,
) {
  return {
    lineNo: l.line_no,
    itemId: l.item_id,
    sku: item?.sku ?? '',
    uom: item?.uom ?? '',
    warehouseId: l.warehouse_id,
    warehouseCode,
    description: l.description,
    quantity: new Decimal(l.quantity).toString(),
    unitPrice: money(l.unit_price, currency),
    discountPercent: new Decimal(l.discount_percent).toString(),
    taxCode: l.tax_code,
    taxRate: new Decimal(l.tax_rate).toString(),
    net: money(l.net, currency),
  };
}

/** VAT per tax code of a document's lines, as the API shows it. */
export function taxesOf(lines: PricedLineRow[], currency: string) {
  return totalsOf(
    lines.map((l) => ({ net: l.net, taxCode: l.tax_code, taxRate: l.tax_rate })),
    currency,
  ).taxes.map((t) => ({
    taxCode: t.taxCode,
    rate: new Decimal(t.rate).toString(),
    net: money(t.net, currency),
    tax: money(t.tax, currency),
  }));
}
