/**
 * The oversell race: 40 quotes accepted at once, each needing 3 of an item with 30 in stock. On
 * PostgreSQL the flows' reservations really run concurrently (the devhost runs ten activities at a
 * time, each in its own pooled connection); on PGlite they queue on its one connection, which
 * checks the outcome but not the race.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Decimal } from '../../shared/platform/money.js';
import { startTestDevhost, type Api } from '../support/devhost.js';
import {
  accept,
  createCustomer,
  createItem,
  createQuote,
  createWarehouse,
  flowOf,
  receive,
  stockOf,
} from './sales-helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());

let rep: Api;
let clerk: Api;
beforeAll(async () => {
  rep = await devhost.as('demo', 'rita', ['Sales.Rep']);
  clerk = await devhost.as('demo', 'ivan', [
    'Inventory.Clerk',
    'Finance.Clerk',
    'Finance.Approver',
    'Auditor',
  ]);
});

it('40 accepts at once of 3 units each against 30 in stock make exactly 10 orders', async () => {
  if (!process.env.DATABASE_URL)
    console.info(
      'oversell race: on PGlite the reservations queue on one connection; the race itself runs on PostgreSQL',
    );
  const warehouse = await createWarehouse(clerk);
  const item = await createItem(clerk, { price: '310.00', uom: 'bag' });
  await receive(clerk, warehouse.code, item.sku, '30', '200.00');
  const customer = await createCustomer(clerk);
  const quotes = [];
  for (let i = 0; i < 40; i++)
    quotes.push(
      await createQuote(rep, {
        customerId: customer.id,
        lines: [{ itemId: item.id, warehouseId: warehouse.id, quantity: '3' }],
      }),
    );

  const instanceIds = await Promise.all(quotes.map((q) => accept(rep, q.id)));
  await devhost.settle(120_000);

  const outcomes = await Promise.all(instanceIds.map(async (id) => (await flowOf(rep, id)).output?.outcome));
  expect(outcomes.filter((o) => o === 'ordered')).toHaveLength(10);
  expect(outcomes.filter((o) => o === 'stock_short')).toHaveLength(30);

  const stock = await stockOf(clerk, item.id, warehouse.id);
  expect(stock).toEqual({ onHand: '30', reserved: '30', available: '0' });
  const orders = await rep.get(`/api/v1/sales/orders?customerId=${customer.id}&limit=200`);
  expect(orders.body.items).toHaveLength(10);

  // Every order delivers; stock, its ledger and the general ledger agree.
  for (const order of orders.body.items) {
    const delivered = await clerk.post(`/api/v1/sales/orders/${order.id}/deliveries`, {});
    expect(delivered.status, delivered.text).toBe(201);
    expect(delivered.body.cost.amount).toBe('600.00');
  }
  expect(await stockOf(clerk, item.id, warehouse.id)).toEqual({ onHand: '0', reserved: '0', available: '0' });
  const today = new Date().toISOString().slice(0, 10);
  const ledger = await clerk.get(`/api/v1/accounting/reports/trial-balance?from=2000-01-01&to=${today}`);
  const inventoryAccount = ledger.body.rows.find((r: { account: string }) => r.account === '1200');
  const stockValue = await clerk.get('/api/v1/inventory/reports/valuation');
  expect(stockValue.status, stockValue.text).toBe(200);
  expect(new Decimal(inventoryAccount?.balance ?? 0).toFixed(2)).toBe(
    new Decimal(stockValue.body.totals.value).toFixed(2),
  );
  const moves = await devhost.db
    .selectFrom('stock_moves')
    .select((eb) => eb.fn.sum<string>('quantity').as('quantity'))
    .where('item_id', '=', item.id)
    .executeTakeFirstOrThrow();
  expect(new Decimal(moves.quantity).toString()).toBe('0');
}, 240_000);
