/** Shared steps of the inventory tests: master data and stock documents through the API, and ledger checks. */
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { AuditActor } from '../../shared/platform/audit.js';
import type { Db } from '../../shared/platform/db/database.js';
import type { Api } from '../support/devhost.js';

export const ZAR = (amount: string) => ({ amount, currency: 'ZAR' });

export const systemActor = (tenantId: string): AuditActor => ({
  tenantId,
  objectId: 'system:test',
  name: 'Test',
});

export async function createWarehouse(
  api: Api,
  code: string,
  kind: 'warehouse' | 'yard' | 'site' = 'yard',
): Promise<{ id: string; code: string; version: number }> {
  const response = await api.post('/api/v1/inventory/warehouses', { code, name: `${code} yard`, kind });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

export async function createItem(
  api: Api,
  sku: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; sku: string; version: number }> {
  const response = await api.post('/api/v1/inventory/items', {
    sku,
    name: `${sku} item`,
    uom: 'each',
    kind: 'stock',
    salesPrice: ZAR('10.00'),
    taxCode: 'VAT15',
    ...extra,
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

/** Posts a stock document and expects it to be accepted. */
export async function post(api: Api, plural: 'receipts' | 'adjustments' | 'transfers', body: unknown) {
  const response = await api.post(`/api/v1/inventory/${plural}`, body);
  expect(response.status, response.text).toBe(201);
  return response.body;
}

export const receive = (api: Api, warehouse: string, date: string, lines: [string, string, string][]) =>
  post(api, 'receipts', {
    warehouse,
    date,
    lines: lines.map(([item, quantity, unitCost]) => ({ item, quantity, unitCost: ZAR(unitCost) })),
  });

/** The stock row of an item in a warehouse, as the API shows it. */
export async function stockOf(api: Api, itemId: string, warehouseId: string) {
  const response = await api.get(`/api/v1/inventory/stock?itemId=${itemId}&warehouseId=${warehouseId}`);
  expect(response.status, response.text).toBe(200);
  return response.body.items[0];
}

/**
 * The ledger invariants, read as the owner for every tenant: the moves of each item and warehouse
 * add up to its balance (quantity and value), and what is reserved is what active reservations hold.
 */
export async function ledgerMismatches(db: Db): Promise<unknown[]> {
  const moves = await sql`
    select b.tenant_id, b.item_id, b.warehouse_id, b.on_hand, b.value, m.quantity, m.value as moved
    from stock_balances b
    left join (select tenant_id, item_id, warehouse_id, sum(quantity) as quantity, sum(value) as value
               from stock_moves group by 1, 2, 3) m
      using (tenant_id, item_id, warehouse_id)
    where b.on_hand <> coalesce(m.quantity, 0) or b.value <> coalesce(m.value, 0)`.execute(db);
  const reservations = await sql`
    select b.tenant_id, b.item_id, b.warehouse_id, b.reserved, r.held
    from stock_balances b
    left join (select tenant_id, item_id, warehouse_id, sum(quantity - issued - released) as held
               from stock_reservations where status = 'active' group by 1, 2, 3) r
      using (tenant_id, item_id, warehouse_id)
    where b.reserved <> coalesce(r.held, 0)`.execute(db);
  return [...moves.rows, ...reservations.rows];
}

/** Row counts of a tenant's inventory tables and the ledger (read as the owner). */
export async function inventoryCounts(db: Db, tenantId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of [
    'warehouses',
    'items',
    'stock_balances',
    'stock_documents',
    'stock_document_lines',
    'stock_moves',
    'stock_reservations',
    'journal_entries',
    'outbox',
    'audit_log',
  ]) {
    out[table] = (
      await sql<{
        n: string;
      }>`select count(*)::text as n from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(db)
    ).rows[0]!.n;
  }
  const balances = await sql<{ v: string }>`
    select coalesce(string_agg(on_hand || '/' || reserved || '/' || value, ',' order by item_id, warehouse_id), '') as v
    from stock_balances where tenant_id = ${tenantId}`.execute(db);
  out.balances = balances.rows[0]!.v;
  return out;
}
