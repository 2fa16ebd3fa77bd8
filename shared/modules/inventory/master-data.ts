import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { staleVersion } from '../../platform/errors.js';
import type { Page } from '../../platform/http/pagination.js';
import { listTaxCodes, tenantBooks } from '../accounting/index.js';
import { inventoryErrors as errors } from './errors.js';
import * as repo from './repository.js';
import type {
  Item,
  ItemCreateInput,
  ItemPatchInput,
  Warehouse,
  WarehouseCreateInput,
  WarehousePatchInput,
} from './schemas.js';

/**
 * Warehouses (also yards and construction sites) and items: the master data stock documents and
 * other modules refer to. Other modules read them through `getItemsByIds` / `getWarehousesByIds`.
 */

// ---- Warehouses ----------------------------------------------------------------------------

export async function listWarehouses(
  trx: Tx,
  query: Parameters<typeof repo.listWarehouses>[1],
): Promise<Page<Warehouse>> {
  await repo.ensureMainWarehouse(trx);
  return repo.listWarehouses(trx, query);
}

export async function getWarehouse(trx: Tx, id: string): Promise<Warehouse> {
  const row = await repo.warehouseById(trx, id);
  if (!row) throw errors.warehouseNotFound();
  return repo.toWarehouse(row);
}

export async function getWarehousesByIds(trx: Tx, ids: string[]): Promise<Warehouse[]> {
  return (await repo.warehousesByIds(trx, ids)).map(repo.toWarehouse);
}

export async function createWarehouse(
  trx: Tx,
  actor: AuditActor,
  input: WarehouseCreateInput,
): Promise<Warehouse> {
  await repo.ensureMainWarehouse(trx);
  const row = await trx
    .insertInto('warehouses')
    .values({
      tenant_id: actor.tenantId,
      id: randomUUID(),
      code: input.code,
      name: input.name,
      kind: input.kind,
      address: input.address ? JSON.stringify(input.address) : null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'code']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw errors.warehouseExists();
  await recordAudit(trx, actor, {
    action: 'warehouse.created',
    entityType: 'warehouse',
    entityId: row.id,
    details: { code: row.code, name: row.name, kind: row.kind },
  });
  return repo.toWarehouse(row);
}

export async function changeWarehouse(
  trx: Tx,
  actor: AuditActor,
  id: string,
  version: number,
  patch: WarehousePatchInput,
): Promise<Warehouse> {
  const current = await getWarehouse(trx, id);
  if (patch.active === false && current.active && (await repo.warehouseHoldsStock(trx, id)))
    throw errors.warehouseHasStock(current.code);
  const row = await trx
    .updateTable('warehouses')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.kind !== undefined && { kind: patch.kind }),
      ...(patch.address !== undefined && { address: patch.address ? JSON.stringify(patch.address) : null }),
      ...(patch.active !== undefined && { active: patch.active }),
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw staleVersion('warehouse');
  await recordAudit(trx, actor, {
    action: 'warehouse.changed',
    entityType: 'warehouse',
    entityId: id,
    details: { code: current.code, patch },
  });
  return repo.toWarehouse(row);
}

/** Deletes a warehouse nothing ever referred to; the main warehouse and used ones stay (deactivate them). */
export async function deleteWarehouse(
  trx: Tx,
  actor: AuditActor,
  id: string,
  version: number,
): Promise<void> {
  const warehouse = await getWarehouse(trx, id);
  if (warehouse.version !== version) throw staleVersion('warehouse');
  if (warehouse.code === repo.MAIN_WAREHOUSE.code) throw errors.mainWarehouse();
  if (await repo.warehouseUsed(trx, id)) throw errors.warehouseInUse();
  await trx.deleteFrom('warehouses').where('id', '=', id).execute();
  await recordAudit(trx, actor, {
    action: 'warehouse.deleted',
    entityType: 'warehouse',
    entityId: id,
    details: { code: warehouse.code, name: warehouse.name },
  });
}

// ---- Items ---------------------------------------------------------------------------------

async function checkTaxCode(trx: Tx, code: string): Promise<void> {
  const known = (await listTaxCodes(trx)).find((t) => t.code === code && t.active);
  if (!known) throw errors.unknownTaxCode('taxCode', code);
}

export async function listItems(trx: Tx, query: Parameters<typeof repo.listItems>[2]): Promise<Page<Item>> {
  const books = await tenantBooks(trx);
  return repo.listItems(trx, books.baseCurrency, query);
}

export async function getItem(trx: Tx, id: string): Promise<Item> {
  const row = await repo.itemById(trx, id);
  if (!row) throw errors.itemNotFound();
  return repo.toItem(row, (await tenantBooks(trx)).baseCurrency);
}

export async function getItemsByIds(trx: Tx, ids: string[]): Promise<Item[]> {
  const rows = await repo.itemsByIds(trx, ids);
  if (rows.length === 0) return [];
  const currency = (await tenantBooks(trx)).baseCurrency;
  return rows.map((row) => repo.toItem(row, currency));
}

export async function createItem(trx: Tx, actor: AuditActor, input: ItemCreateInput): Promise<Item> {
  const books = await tenantBooks(trx);
  if (input.salesPrice.currency !== books.baseCurrency)
    throw errors.notBaseCurrency('salesPrice.currency', books.baseCurrency);
  if (input.kind === 'service' && input.reorderLevel !== undefined) throw errors.serviceReorderLevel();
  await checkTaxCode(trx, input.taxCode);
  const row = await trx
    .insertInto('items')
    .values({
      tenant_id: books.id,
      id: randomUUID(),
      sku: input.sku,
      name: input.name,
      description: input.description ?? null,
      uom: input.uom,
      kind: input.kind,
      sales_price: input.salesPrice.amount,
      tax_code: input.taxCode,
      reorder_level: input.reorderLevel ?? null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'sku']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw errors.skuExists();
  await recordAudit(trx, actor, {
    action: 'item.created',
    entityType: 'item',
    entityId: row.id,
    details: { sku: row.sku, name: row.name, kind: row.kind },
  });
  return repo.toItem(row, books.baseCurrency);
}

export async function changeItem(
  trx: Tx,
  actor: AuditActor,
  id: string,
  version: number,
  patch: ItemPatchInput,
): Promise<Item> {
  const current = await repo.itemById(trx, id);
  if (!current) throw errors.itemNotFound();
  const books = await tenantBooks(trx);
  if (patch.salesPrice && patch.salesPrice.currency !== books.baseCurrency)
    throw errors.notBaseCurrency('salesPrice.currency', books.baseCurrency);
  if (current.kind === 'service' && patch.reorderLevel) throw errors.serviceReorderLevel();
  if (patch.taxCode !== undefined) await checkTaxCode(trx, patch.taxCode);
  if (patch.uom !== undefined && patch.uom !== current.uom && (await repo.itemHasMoves(trx, id)))
    throw errors.uomInUse();
  const row = await trx
    .updateTable('items')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.uom !== undefined && { uom: patch.uom }),
      ...(patch.salesPrice !== undefined && { sales_price: patch.salesPrice.amount }),
      ...(patch.taxCode !== undefined && { tax_code: patch.taxCode }),
      ...(patch.reorderLevel !== undefined && { reorder_level: patch.reorderLevel }),
      ...(patch.active !== undefined && { active: patch.active }),
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw staleVersion('item');
  await recordAudit(trx, actor, {
    action: 'item.changed',
    entityType: 'item',
    entityId: id,
    details: { sku: current.sku, patch },
  });
  return repo.toItem(row, books.baseCurrency);
}
