/**
 * Inventory: warehouses and items (master data), stock on hand, goods receipts, adjustments and
 * transfers, and the stock reports.
 *
 * Function names group master data (`inventory-master-*`) ahead of the stock documents
 * (`inventory-stock-*`) that name it: listed by name, as the portal and the generated route suite
 * list them, items and warehouses come first.
 */
import { z } from 'zod';
import {
  adjustmentInputSchema,
  changeItem,
  changeWarehouse,
  createItem,
  createWarehouse,
  deleteWarehouse,
  documentListQuerySchema,
  getItem,
  getStockDocument,
  getWarehouse,
  idParamsSchema,
  itemCreateSchema,
  itemListQuerySchema,
  itemPatchSchema,
  itemSchema,
  listItems,
  listStock,
  listStockDocuments,
  listWarehouses,
  lowStock,
  lowStockCsv,
  lowStockQuerySchema,
  lowStockSchema,
  postAdjustment,
  postReceipt,
  postTransfer,
  receiptInputSchema,
  stockBalanceSchema,
  stockDocumentSchema,
  stockQuerySchema,
  stockValuation,
  transferInputSchema,
  valuationCsv,
  valuationQuerySchema,
  valuationSchema,
  warehouseCreateSchema,
  warehouseListQuerySchema,
  warehousePatchSchema,
  warehouseSchema,
  type AdjustmentInput,
  type ReceiptInput,
  type StockDocument,
  type TransferInput,
} from '../shared/modules/inventory/index.js';
import type { AuditActor } from '../shared/platform/audit.js';
import type { HttpRequest } from '@azure/functions';
import { csvReply } from '../shared/platform/http/csv.js';
import { defineRoute, type Actor } from '../shared/platform/http/route.js';

const WRITERS = ['Admin', 'Inventory.Clerk'] as const;
const READERS = [
  'Admin',
  'Inventory.Clerk',
  'Sales.Rep',
  'Sales.Manager',
  'Finance.Clerk',
  'Finance.Approver',
  'Auditor',
  'SiteManager',
] as const;

const pageOf = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const auditActor = (actor: Actor): AuditActor => ({
  tenantId: actor.tenantId,
  objectId: actor.objectId,
  name: actor.name,
  requestId: actor.requestId,
});
/** A report downloads as CSV with `?format=csv` or `Accept: text/csv`. */
const wantsCsv = (format: string, request: HttpRequest) =>
  format === 'csv' || /\btext\/csv\b/i.test(request.headers.get('accept') ?? '');

// ---- Warehouses ----------------------------------------------------------------------------

defineRoute({
  name: 'inventory-master-warehouses-list',
  method: 'GET',
  route: 'v1/inventory/warehouses',
  summary: 'Warehouses, yards and sites, by code; the main warehouse MAIN always exists',
  tags: ['inventory'],
  roles: READERS,
  query: warehouseListQuerySchema,
  response: pageOf(warehouseSchema),
  handler: async ({ trx, query }) => ({ body: await listWarehouses(trx, query) }),
});

defineRoute({
  name: 'inventory-master-warehouses-create',
  method: 'POST',
  route: 'v1/inventory/warehouses',
  summary: 'Add a warehouse, yard or construction site that holds stock',
  tags: ['inventory'],
  roles: WRITERS,
  body: warehouseCreateSchema,
  response: warehouseSchema,
  status: 201,
  example: {
    code: 'CPT-YARD',
    name: 'Cape Town yard',
    kind: 'yard',
    address: { line1: '14 Marine Drive', city: 'Cape Town', postalCode: '7441', country: 'ZA' },
  },
  handler: async ({ trx, actor, body }) => {
    const warehouse = await createWarehouse(trx, auditActor(actor), body);
    return {
      body: warehouse,
      etag: warehouse.version,
      location: `/api/v1/inventory/warehouses/${warehouse.id}`,
    };
  },
});

defineRoute({
  name: 'inventory-master-warehouses-get',
  method: 'GET',
  route: 'v1/inventory/warehouses/{id:guid}',
  summary: 'One warehouse',
  tags: ['inventory'],
  roles: READERS,
  params: idParamsSchema,
  response: warehouseSchema,
  handler: async ({ trx, params }) => {
    const warehouse = await getWarehouse(trx, params.id);
    return { body: warehouse, etag: warehouse.version };
  },
});

defineRoute({
  name: 'inventory-master-warehouses-update',
  method: 'PATCH',
  route: 'v1/inventory/warehouses/{id:guid}',
  summary: 'Rename, re-classify or (de)activate a warehouse (If-Match required); its code never changes',
  tags: ['inventory'],
  roles: WRITERS,
  params: idParamsSchema,
  body: warehousePatchSchema,
  response: warehouseSchema,
  example: { name: 'Cape Town yard (Montague Gardens)' },
  handler: async ({ trx, actor, params, body, ifMatch }) => {
    const warehouse = await changeWarehouse(trx, auditActor(actor), params.id, ifMatch(), body);
    return { body: warehouse, etag: warehouse.version };
  },
});

defineRoute({
  name: 'inventory-master-warehouses-delete',
  method: 'DELETE',
  route: 'v1/inventory/warehouses/{id:guid}',
  summary: 'Delete a warehouse that never held stock (If-Match required); others are deactivated',
  tags: ['inventory'],
  roles: WRITERS,
  params: idParamsSchema,
  status: 204,
  handler: async ({ trx, actor, params, ifMatch }) => {
    await deleteWarehouse(trx, auditActor(actor), params.id, ifMatch());
    return {};
  },
});

// ---- Items ---------------------------------------------------------------------------------

defineRoute({
  name: 'inventory-master-items-list',
  method: 'GET',
  route: 'v1/inventory/items',
  summary: 'Items by SKU, with a search on SKU or name and filters on kind and active',
  tags: ['inventory'],
  roles: READERS,
  query: itemListQuerySchema,
  response: pageOf(itemSchema),
  handler: async ({ trx, query }) => ({ body: await listItems(trx, query) }),
});

defineRoute({
  name: 'inventory-master-items-create',
  method: 'POST',
  route: 'v1/inventory/items',
  summary: 'Add a stock or service item',
  tags: ['inventory'],
  roles: WRITERS,
  body: itemCreateSchema,
  response: itemSchema,
  status: 201,
  example: {
    sku: 'CEM-425-50',
    name: 'Cement CEM II 42.5N, 50 kg bag',
    uom: 'bag',
    kind: 'stock',
    salesPrice: { amount: '119.00', currency: 'ZAR' },
    taxCode: 'VAT15',
    reorderLevel: '200',
  },
  handler: async ({ trx, actor, body }) => {
    const item = await createItem(trx, auditActor(actor), body);
    return { body: item, etag: item.version, location: `/api/v1/inventory/items/${item.id}` };
  },
});

defineRoute({
  name: 'inventory-master-items-get',
  method: 'GET',
  route: 'v1/inventory/items/{id:guid}',
  summary: 'One item',
  tags: ['inventory'],
  roles: READERS,
  params: idParamsSchema,
  response: itemSchema,
  handler: async ({ trx, params }) => {
    const item = await getItem(trx, params.id);
    return { body: item, etag: item.version };
  },
});

defineRoute({
  name: 'inventory-master-items-update',
  method: 'PATCH',
  route: 'v1/inventory/items/{id:guid}',
  summary:
    'Change an item: name, price, tax code, reorder level, active (If-Match required); SKU and kind stay',
  tags: ['inventory'],
  roles: WRITERS,
  params: idParamsSchema,
  body: itemPatchSchema,
  response: itemSchema,
  example: { salesPrice: { amount: '124.50', currency: 'ZAR' } },
  handler: async ({ trx, actor, params, body, ifMatch }) => {
    const item = await changeItem(trx, auditActor(actor), params.id, ifMatch(), body);
    return { body: item, etag: item.version };
  },
});

// ---- Stock ---------------------------------------------------------------------------------

defineRoute({
  name: 'inventory-stock-list',
  method: 'GET',
  route: 'v1/inventory/stock',
  summary: 'Stock per item and warehouse: on hand, reserved, available, moving-average cost and value',
  tags: ['inventory'],
  roles: READERS,
  query: stockQuerySchema,
  response: pageOf(stockBalanceSchema),
  handler: async ({ trx, query }) => ({ body: await listStock(trx, query) }),
});

/** List, post and get of one kind of stock document. */
function stockDocumentRoutes<B>(options: {
  kind: 'receipt' | 'adjustment' | 'transfer';
  plural: string;
  summary: string;
  body: z.ZodType<B>;
  example: B;
  post: (trx: Parameters<typeof postReceipt>[0], actor: AuditActor, body: B) => Promise<StockDocument>;
}): void {
  const { kind, plural } = options;
  const base = `v1/inventory/${plural}`;
  defineRoute({
    name: `inventory-stock-${plural}-list`,
    method: 'GET',
    route: base,
    summary: `Stock ${plural}, newest first, by date range and warehouse`,
    tags: ['inventory'],
    roles: READERS,
    query: documentListQuerySchema,
    response: pageOf(stockDocumentSchema),
    handler: async ({ trx, query }) => ({ body: await listStockDocuments(trx, kind, query) }),
  });
  defineRoute({
    name: `inventory-stock-${plural}-create`,
    method: 'POST',
    route: base,
    summary: options.summary,
    tags: ['inventory'],
    roles: WRITERS,
    body: options.body,
    response: stockDocumentSchema,
    status: 201,
    example: options.example,
    handler: async ({ trx, actor, body }) => {
      const document = await options.post(trx, auditActor(actor), body);
      return { body: document, location: `/api/${base}/${document.id}` };
    },
  });
  defineRoute({
    name: `inventory-stock-${plural}-get`,
    method: 'GET',
    route: `${base}/{id:guid}`,
    summary: `One stock ${kind} with its lines`,
    tags: ['inventory'],
    roles: READERS,
    params: idParamsSchema,
    response: stockDocumentSchema,
    handler: async ({ trx, params }) => ({ body: await getStockDocument(trx, kind, params.id) }),
  });
}

stockDocumentRoutes<ReceiptInput>({
  kind: 'receipt',
  plural: 'receipts',
  summary:
    'Receive goods into a warehouse at their cost (GRN): stock and moving-average cost go up; Dr Inventory, Cr Goods received not invoiced',
  body: receiptInputSchema,
  example: {
    warehouse: 'MAIN',
    date: '2026-11-02',
    reference: 'PPC delivery note 88123',
    lines: [{ item: 'CEM-425-50', quantity: '400', unitCost: { amount: '92.50', currency: 'ZAR' } }],
  },
  post: postReceipt,
});

stockDocumentRoutes<AdjustmentInput>({
  kind: 'adjustment',
  plural: 'adjustments',
  summary:
    'Correct stock on hand (count, breakage, loss) at the average cost (ADJ); refused below what is reserved; against Stock adjustments',
  body: adjustmentInputSchema,
  example: {
    warehouse: 'MAIN',
    date: '2026-11-03',
    reason: 'Stock count: 2 bags more than recorded',
    lines: [{ item: 'CEM-425-50', quantity: '2' }],
  },
  post: postAdjustment,
});

stockDocumentRoutes<TransferInput>({
  kind: 'transfer',
  plural: 'transfers',
  summary:
    'Move stock between warehouses, yards and sites at the source’s average cost (TRF); refused when not enough is available',
  body: transferInputSchema,
  example: {
    from: 'MAIN',
    to: 'CPT-YARD',
    date: '2026-11-04',
    reference: 'Truck CA 123-456',
    lines: [{ item: 'CEM-425-50', quantity: '40' }],
  },
  post: postTransfer,
});

// ---- Reports -------------------------------------------------------------------------------

defineRoute({
  name: 'inventory-reports-valuation',
  method: 'GET',
  route: 'v1/inventory/reports/valuation',
  summary:
    'Stock valuation at the end of a day per item and warehouse, with the total: quantity, average cost, value (?format=csv to download)',
  tags: ['inventory'],
  roles: READERS,
  query: valuationQuerySchema,
  response: valuationSchema,
  database: 'replica',
  handler: async ({ trx, query, request }) => {
    const report = await stockValuation(trx, query);
    return wantsCsv(query.format, request)
      ? csvReply(`stock-valuation-${report.asOf}.csv`, valuationCsv(report))
      : { body: report };
  },
});

defineRoute({
  name: 'inventory-reports-low-stock',
  method: 'GET',
  route: 'v1/inventory/reports/low-stock',
  summary:
    'Stock items whose stock available across warehouses is at or below their reorder level (?format=csv to download)',
  tags: ['inventory'],
  roles: READERS,
  query: lowStockQuerySchema,
  response: lowStockSchema,
  database: 'replica',
  handler: async ({ trx, query, request }) => {
    const report = await lowStock(trx);
    return wantsCsv(query.format, request)
      ? csvReply('low-stock.csv', lowStockCsv(report))
      : { body: report };
  },
});
