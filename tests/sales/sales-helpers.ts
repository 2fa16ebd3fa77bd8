/** Shared steps of the sales tests: each one a real HTTP call to the devhost. */
import { expect } from 'vitest';
import type { Api, TestDevhost } from '../support/devhost.js';

export interface Catalogue {
  warehouse: { id: string; code: string };
  stockItem: { id: string; sku: string };
  serviceItem: { id: string; sku: string };
}

let counter = 0;
/** A code unique within the test run. */
export const unique = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${++counter}`;

export async function createWarehouse(
  clerk: Api,
  code = unique('WH'),
): Promise<{ id: string; code: string }> {
  const response = await clerk.post('/api/v1/inventory/warehouses', {
    code,
    name: `Yard ${code}`,
    kind: 'yard',
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

export async function createItem(
  clerk: Api,
  options: { sku?: string; kind?: 'stock' | 'service'; price?: string; uom?: string } = {},
): Promise<{ id: string; sku: string }> {
  const sku = options.sku ?? unique('SKU');
  const response = await clerk.post('/api/v1/inventory/items', {
    sku,
    name: `Item ${sku}`,
    uom: options.uom ?? (options.kind === 'service' ? 'day' : 'each'),
    kind: options.kind ?? 'stock',
    salesPrice: { amount: options.price ?? '100.00', currency: 'ZAR' },
    taxCode: 'VAT15',
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

export async function receive(
  clerk: Api,
  warehouse: string,
  sku: string,
  quantity: string,
  unitCost: string,
  date?: string,
): Promise<void> {
  const response = await clerk.post('/api/v1/inventory/receipts', {
    warehouse,
    ...(date ? { date } : {}),
    reference: `GRN for ${sku}`,
    lines: [{ item: sku, quantity, unitCost: { amount: unitCost, currency: 'ZAR' } }],
  });
  expect(response.status, response.text).toBe(201);
}

export async function stockOf(
  api: Api,
  itemId: string,
  warehouseId: string,
): Promise<{ onHand: string; reserved: string; available: string }> {
  const response = await api.get(`/api/v1/inventory/stock?itemId=${itemId}&warehouseId=${warehouseId}`);
  expect(response.status, response.text).toBe(200);
  const row = response.body.items[0] ?? { onHand: '0', reserved: '0', available: '0' };
  return { onHand: row.onHand, reserved: row.reserved, available: row.available };
}

export async function createCustomer(
  finance: Api,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; code: string; currency: string }> {
  const code = unique('CUST');
  const response = await finance.post('/api/v1/accounting/customers', {
    code,
    name: `Customer ${code}`,
    paymentTermsDays: 30,
    ...extra,
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

export async function createQuote(rep: Api, body: Record<string, unknown>): Promise<any> {
  const response = await rep.post('/api/v1/sales/quotes', body);
  expect(response.status, response.text).toBe(201);
  return response.body;
}

/** Accepts a quote; returns the flow's instance id. */
export async function accept(rep: Api, quoteId: string): Promise<string> {
  const response = await rep.post(`/api/v1/sales/quotes/${quoteId}/accept`, undefined);
  expect(response.status, response.text).toBe(202);
  expect(response.headers.get('location')).toBe(`/api/v1/flows/${response.body.instanceId}`);
  return response.body.instanceId;
}

export async function flowOf(api: Api, instanceId: string): Promise<any> {
  const response = await api.get(`/api/v1/flows/${instanceId}`);
  expect(response.status, response.text).toBe(200);
  return response.body;
}

/**
 * What the sales tests share: a rep, a clerk (inventory and finance), an approver and a manager of
 * the demo tenant; a new warehouse holding a million bricks at R 1,20; a hire service; a customer
 * with R 5 000 000 of credit; and a brick line of a quote or order.
 */
export async function salesWorld(devhost: TestDevhost) {
  const clerk = await devhost.as('demo', 'ivan', ['Inventory.Clerk', 'Finance.Clerk']);
  const warehouse = await createWarehouse(clerk);
  const bricks = await createItem(clerk, { price: '2.40', uom: 'brick' });
  const hire = await createItem(clerk, { kind: 'service', price: '850.00' });
  await receive(clerk, warehouse.code, bricks.sku, '1000000', '1.20');
  return {
    rep: await devhost.as('demo', 'rita', ['Sales.Rep']),
    clerk,
    approver: await devhost.as('demo', 'fiona', ['Finance.Approver']),
    manager: await devhost.as('demo', 'mandla', ['Sales.Manager']),
    warehouse,
    bricks,
    hire,
    customer: await createCustomer(clerk, { creditLimit: { amount: '5000000.00', currency: 'ZAR' } }),
    brickLine: (quantity: string, extra: Record<string, unknown> = {}) => ({
      itemId: bricks.id,
      warehouseId: warehouse.id,
      quantity,
      ...extra,
    }),
  };
}
