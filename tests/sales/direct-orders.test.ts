import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { Decimal } from '../../shared/platform/money.js';
import { eventPayloads } from '../accounting/trade-helpers.js';
import { startTestDevhost, type Api } from '../support/devhost.js';
import { createCustomer, createItem, flowOf, receive, salesWorld, stockOf } from './sales-helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;

let rep: Api;
let clerk: Api;
let manager: Api;
let warehouse: { id: string; code: string };
let bricks: { id: string; sku: string };
let hire: { id: string; sku: string };
let customer: { id: string };
let brickLine: Awaited<ReturnType<typeof salesWorld>>['brickLine'];
beforeAll(async () => {
  ({ rep, clerk, manager, warehouse, bricks, hire, customer, brickLine } = await salesWorld(devhost));
});

/** Rows of a table over every tenant (the test database's owner is not bound by row-level security). */
const rowCount = async (table: string) =>
  Number(
    (await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)}`.execute(devhost.db))
      .rows[0]!.n,
  );

describe('orders entered directly', () => {
  it('confirms the order at once, priced from the items, its stock reserved, one event', async () => {
    const before = await stockOf(clerk, bricks.id, warehouse.id);
    const response = await rep.post('/api/v1/sales/orders', {
      customerId: customer.id,
      reference: 'PO 4471',
      lines: [brickLine('1000', { discountPercent: '5' }), { itemId: hire.id, quantity: '2' }],
    });
    expect(response.status, response.text).toBe(201);
    const order = response.body;
    expect(response.headers.get('location')).toBe(`/api/v1/sales/orders/${order.id}`);
    expect(response.headers.get('etag')).toBe('"1"');
    // 1 000 × 2.40 less 5 % = 2 280.00; 2 × 850.00 = 1 700.00; VAT 15 % of 3 980.00 = 597.00
    expect(order).toMatchObject({
      status: 'confirmed',
      quote: null,
      flowInstanceId: null,
      approvalId: null,
      reference: 'PO 4471',
      net: { amount: '3980.00', currency: 'ZAR' },
      tax: { amount: '597.00' },
      gross: { amount: '4577.00' },
      createdBy: expect.any(String),
    });
    expect(order.number).toMatch(/^SO-\d{4}-\d{6}$/);
    expect(order.lines.map((l: any) => [l.lineNo, l.stocked, l.toDeliver])).toEqual([
      [1, true, '1000'],
      [2, false, '2'],
    ]);
    const after = await stockOf(clerk, bricks.id, warehouse.id);
    expect(new Decimal(after.reserved).minus(before.reserved).toString()).toBe('1000');
    expect(after.onHand).toBe(before.onHand);
    const confirmed = await eventPayloads(devhost, demo.id, 'sales.SalesOrderConfirmed');
    expect(confirmed.filter((e) => e.orderId === order.id)).toEqual([
      expect.objectContaining({ quoteId: null, flowInstanceId: null, gross: '4577.0000' }),
    ]);
    expect((await rep.get(`/api/v1/sales/orders/${order.id}`)).body).toEqual(order);
  });

  it('counts a retried request once (same Idempotency-Key)', async () => {
    const body = { customerId: customer.id, lines: [brickLine('70')] };
    const key = { 'idempotency-key': randomUUID() };
    const before = await stockOf(clerk, bricks.id, warehouse.id);
    const orders = await rowCount('sales_orders');
    const [first, second] = await Promise.all([
      rep.post('/api/v1/sales/orders', body, key),
      rep.post('/api/v1/sales/orders', body, key),
    ]);
    const third = await rep.post('/api/v1/sales/orders', body, key);
    const created = [first, second, third].filter((r) => r.status === 201);
    expect(
      created.length,
      [first, second, third].map((r) => `${r.status} ${r.text}`).join('\n'),
    ).toBeGreaterThan(0);
    // A retry arriving while the first is still being written waits or is told to retry, never doubles it.
    for (const r of [first, second, third]) expect([201, 409]).toContain(r.status);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect(await rowCount('sales_orders')).toBe(orders + 1);
    const after = await stockOf(clerk, bricks.id, warehouse.id);
    expect(new Decimal(after.reserved).minus(before.reserved).toString()).toBe('70');
  });

  it('refuses all of it with 409 naming the short line when stock is short; nothing is written', async () => {
    const short = await createItem(clerk);
    await receive(clerk, warehouse.code, short.sku, '5', '10.00');
    const bricksBefore = await stockOf(clerk, bricks.id, warehouse.id);
    const orders = await rowCount('sales_orders');
    const response = await rep.post('/api/v1/sales/orders', {
      customerId: customer.id,
      lines: [
        { itemId: hire.id, quantity: '1' },
        brickLine('10'),
        { itemId: short.id, warehouseId: warehouse.id, quantity: '8' },
      ],
    });
    expect(response.status, response.text).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.code).toBe('inventory.insufficient_stock');
    // The order's own line numbers: the service line is not reserved but still counts.
    expect(response.body.errors).toEqual([
      { path: 'lines.2.quantity', message: expect.stringMatching(/Only 5 available/) },
    ]);
    expect(await rowCount('sales_orders')).toBe(orders);
    expect(await stockOf(clerk, bricks.id, warehouse.id)).toEqual(bricksBefore);
    expect((await stockOf(clerk, short.id, warehouse.id)).reserved).toBe('0');
  });

  it('names the field of bad input, refuses readers and unknown customers', async () => {
    const bad = await rep.post('/api/v1/sales/orders', { customerId: customer.id, lines: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path)).toContain('lines');
    const extra = await rep.post('/api/v1/sales/orders', {
      customerId: customer.id,
      status: 'invoiced',
      lines: [brickLine('1')],
    });
    expect(extra.status).toBe(400);
    expect(extra.body.errors.map((e: any) => e.path)).toContain('status');
    const unknown = await rep.post('/api/v1/sales/orders', {
      customerId: randomUUID(),
      lines: [brickLine('1')],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ path: 'customerId', message: expect.any(String) }]);
    const noWarehouse = await rep.post('/api/v1/sales/orders', {
      customerId: customer.id,
      lines: [{ itemId: bricks.id, quantity: '1' }],
    });
    expect(noWarehouse.status).toBe(422);
    expect(noWarehouse.body.errors[0].path).toBe('lines.0.warehouseId');
    const auditor = await devhost.as('demo', 'aud', ['Auditor']);
    expect(
      (await auditor.post('/api/v1/sales/orders', { customerId: customer.id, lines: [brickLine('1')] }))
        .status,
    ).toBe(403);
  });

  it('sends an order over the approval threshold through a quote and its approval flow (202)', async () => {
    const orders = await rowCount('sales_orders');
    const response = await rep.post('/api/v1/sales/orders', {
      customerId: customer.id,
      reference: 'Tower block',
      lines: [brickLine('100000')],
    });
    expect(response.status, response.text).toBe(202);
    expect(response.body).toMatchObject({
      reasons: ['over_threshold'],
      quote: { status: 'accepted', reference: 'Tower block', gross: { amount: '276000.00' } },
    });
    expect(response.headers.get('location')).toBe(`/api/v1/flows/${response.body.instanceId}`);
    expect(await rowCount('sales_orders')).toBe(orders);
    await devhost.settle();
    const flow = await flowOf(rep, response.body.instanceId);
    expect(flow.customStatus).toMatchObject({ step: 'awaiting-approval', reasons: ['over_threshold'] });
  });

  it('sends an order over the customer’s credit limit for approval', async () => {
    const tight = await createCustomer(clerk, { creditLimit: { amount: '1000.00', currency: 'ZAR' } });
    const response = await rep.post('/api/v1/sales/orders', {
      customerId: tight.id,
      lines: [brickLine('500')],
    });
    expect(response.status, response.text).toBe(202);
    expect(response.body.reasons).toEqual(['over_credit_limit']);
    await devhost.settle();
    expect((await flowOf(rep, response.body.instanceId)).customStatus).toMatchObject({
      step: 'awaiting-approval',
      reasons: ['over_credit_limit'],
    });
  });

  it('delivers, invoices and cancels like an order from a quote, from its own reservation', async () => {
    const before = await stockOf(clerk, bricks.id, warehouse.id);
    const placed = await rep.post('/api/v1/sales/orders', {
      customerId: customer.id,
      lines: [brickLine('300')],
    });
    expect(placed.status, placed.text).toBe(201);
    const id = placed.body.id;
    const delivered = await clerk.post(`/api/v1/sales/orders/${id}/deliveries`, {
      lines: [{ lineNo: 1, quantity: '100' }],
    });
    expect(delivered.status, delivered.text).toBe(201);
    const invoiced = await clerk.post(`/api/v1/sales/orders/${id}/invoices`, {});
    expect(invoiced.status, invoiced.text).toBe(201);
    const cancelled = await manager.post(`/api/v1/sales/orders/${id}/cancel`, { reason: 'Site closed' });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body.lines[0]).toMatchObject({ delivered: '100', invoiced: '100', cancelled: '200' });
    const after = await stockOf(clerk, bricks.id, warehouse.id);
    expect(after.reserved).toBe(before.reserved);
    expect(new Decimal(before.onHand).minus(after.onHand).toString()).toBe('100');
  });

  it('is never seen by another tenant', async () => {
    const placed = await rep.post('/api/v1/sales/orders', {
      customerId: customer.id,
      lines: [brickLine('1')],
    });
    expect(placed.status).toBe(201);
    const other = await devhost.as('acme', 'sam', ['Sales.Manager']);
    expect((await other.get(`/api/v1/sales/orders/${placed.body.id}`)).status).toBe(404);
    const list = await other.get('/api/v1/sales/orders?limit=200');
    expect(list.body.items.map((o: any) => o.id)).not.toContain(placed.body.id);
    // Nor can another tenant order against this tenant's customer and items.
    const foreign = await other.post('/api/v1/sales/orders', {
      customerId: customer.id,
      lines: [brickLine('1')],
    });
    expect(foreign.status).toBe(422);
  });
});
