import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { Decimal } from '../../shared/platform/money.js';
import { entryLines, eventPayloads } from '../accounting/trade-helpers.js';
import { startTestDevhost, type Api } from '../support/devhost.js';
import {
  accept,
  createCustomer,
  createItem,
  createQuote,
  flowOf,
  receive,
  salesWorld,
  stockOf,
} from './sales-helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;
const HOUR = 3_600_000;

let rep: Api;
let clerk: Api;
let approver: Api;
let manager: Api;
let warehouse: { id: string; code: string };
let bricks: { id: string; sku: string };
let hire: { id: string; sku: string };
let customer: { id: string };
let brickLine: Awaited<ReturnType<typeof salesWorld>>['brickLine'];
beforeAll(async () => {
  ({ rep, clerk, approver, manager, warehouse, bricks, hire, customer, brickLine } =
    await salesWorld(devhost));
});

describe('quotes', () => {
  it('price lines from the items, compute VAT and totals, and change only while draft', async () => {
    const quote = await createQuote(rep, {
      customerId: customer.id,
      lines: [brickLine('10000', { discountPercent: '5' }), { itemId: hire.id, quantity: '3' }],
    });
    expect(quote.number).toMatch(/^QT-\d{4}-\d{6}$/);
    expect(quote.status).toBe('draft');
    const audited = await sql<{ details: { number: string } }>`
      select details from audit_log where entity_id = ${quote.id} and action = 'quote.created'`.execute(
      devhost.db,
    );
    expect(audited.rows.map((r) => r.details.number)).toEqual([quote.number]);
    // 10 000 × 2.40 less 5 % = 22 800.00; 3 × 850.00 = 2 550.00; VAT 15 % of 25 350.00 = 3 802.50
    expect(quote.lines.map((l: any) => l.net.amount)).toEqual(['22800.00', '2550.00']);
    expect(quote).toMatchObject({
      net: { amount: '25350.00', currency: 'ZAR' },
      tax: { amount: '3802.50' },
      gross: { amount: '29152.50' },
    });
    expect(quote.lines[1]).toMatchObject({
      warehouseId: null,
      taxCode: 'VAT15',
      description: `Item ${hire.sku}`,
    });

    const stale = await rep.patch(`/api/v1/sales/quotes/${quote.id}`, { notes: 'x' }, { 'if-match': '"99"' });
    expect(stale.status).toBe(412);
    const changed = await rep.patch(
      `/api/v1/sales/quotes/${quote.id}`,
      { lines: [brickLine('1000', { unitPrice: '2.50' })] },
      { 'if-match': `"${quote.version}"` },
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, gross: { amount: '2875.00' } });

    const sent = await rep.post(`/api/v1/sales/quotes/${quote.id}/send`, undefined);
    expect(sent.status, sent.text).toBe(200);
    expect(sent.body.status).toBe('sent');
    const late = await rep.patch(`/api/v1/sales/quotes/${quote.id}`, { notes: 'x' }, { 'if-match': '"3"' });
    expect(late.status).toBe(409);
  });

  it('refuse a stock item without a warehouse, a service with one, and unknown items, naming the field', async () => {
    const noWarehouse = await rep.post('/api/v1/sales/quotes', {
      customerId: customer.id,
      lines: [{ itemId: bricks.id, quantity: '1' }],
    });
    expect(noWarehouse.status).toBe(422);
    expect(noWarehouse.body.errors[0].path).toBe('lines.0.warehouseId');
    const serviceFromWarehouse = await rep.post('/api/v1/sales/quotes', {
      customerId: customer.id,
      lines: [{ itemId: hire.id, warehouseId: warehouse.id, quantity: '1' }],
    });
    expect(serviceFromWarehouse.body.errors[0].path).toBe('lines.0.warehouseId');
    const unknown = await rep.post('/api/v1/sales/quotes', {
      customerId: customer.id,
      lines: [brickLine('1'), { itemId: customer.id, quantity: '1' }],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].path).toBe('lines.1.itemId');
    const badQuantity = await rep.post('/api/v1/sales/quotes', {
      customerId: customer.id,
      lines: [brickLine('-3')],
    });
    expect(badQuantity.status).toBe(400);
    expect(badQuantity.body.errors[0].path).toBe('lines.0.quantity');
  });
});

describe('quote to order', () => {
  it('turns an accepted quote into a confirmed order with its stock reserved', async () => {
    const before = await stockOf(clerk, bricks.id, warehouse.id);
    const quote = await createQuote(rep, { customerId: customer.id, lines: [brickLine('500')] });
    const instanceId = await accept(rep, quote.id);
    await devhost.settle();
    const flow = await flowOf(rep, instanceId);
    expect(flow.runtimeStatus).toBe('Completed');
    expect(flow.customStatus.step).toBe('completed');
    expect(flow.output).toMatchObject({ outcome: 'ordered', approvalId: null });
    const order = await rep.get(`/api/v1/sales/orders/${flow.output.orderId}`);
    expect(order.body).toMatchObject({
      number: flow.output.orderNumber,
      status: 'confirmed',
      quote: { id: quote.id },
      gross: quote.gross,
    });
    expect((await rep.get(`/api/v1/sales/quotes/${quote.id}`)).body).toMatchObject({
      status: 'ordered',
      orderId: order.body.id,
    });
    const after = await stockOf(clerk, bricks.id, warehouse.id);
    expect(new Decimal(after.reserved).minus(before.reserved).toString()).toBe('500');
    expect(after.onHand).toBe(before.onHand);
    const confirmed = await eventPayloads(devhost, demo.id, 'sales.SalesOrderConfirmed');
    expect(confirmed.filter((e) => e.orderId === order.body.id)).toHaveLength(1);
    // Accepting again is refused: the quote is ordered.
    expect((await rep.post(`/api/v1/sales/quotes/${quote.id}/accept`, undefined)).status).toBe(409);
  });

  it('ends with a clear reason and nothing reserved when stock is short; the quote can be accepted again', async () => {
    const short = await createItem(clerk);
    await receive(clerk, warehouse.code, short.sku, '5', '10.00');
    const quote = await createQuote(rep, {
      customerId: customer.id,
      lines: [brickLine('10'), { itemId: short.id, warehouseId: warehouse.id, quantity: '8' }],
    });
    const bricksBefore = await stockOf(clerk, bricks.id, warehouse.id);
    const instanceId = await accept(rep, quote.id);
    await devhost.settle();
    const flow = await flowOf(rep, instanceId);
    expect(flow.runtimeStatus).toBe('Completed');
    expect(flow.output.outcome).toBe('stock_short');
    expect(flow.output.reason).toMatch(/line 2: Only 5 available/);
    expect(await stockOf(clerk, bricks.id, warehouse.id)).toEqual(bricksBefore);
    expect((await stockOf(clerk, short.id, warehouse.id)).reserved).toBe('0');
    const back = await rep.get(`/api/v1/sales/quotes/${quote.id}`);
    expect(back.body).toMatchObject({ status: 'sent', outcome: flow.output.reason });
    // Once stock arrives the same quote becomes an order.
    await receive(clerk, warehouse.code, short.sku, '10', '10.00');
    const retry = await accept(rep, quote.id);
    await devhost.settle();
    expect((await flowOf(rep, retry)).output.outcome).toBe('ordered');
  });
});

describe('approval of large orders', () => {
  /** A quote over the demo tenant's R 250 000 threshold, accepted; waits for the approval request. */
  async function largeAcceptedQuote(): Promise<{ quote: any; instanceId: string; approvalId: string }> {
    const quote = await createQuote(rep, { customerId: customer.id, lines: [brickLine('100000')] });
    const instanceId = await accept(rep, quote.id);
    await devhost.settle();
    const flow = await flowOf(rep, instanceId);
    expect(flow.runtimeStatus).toBe('Running');
    expect(flow.customStatus).toMatchObject({ step: 'awaiting-approval', reasons: ['over_threshold'] });
    return { quote, instanceId, approvalId: flow.customStatus.approvalId };
  }

  it('makes the order once finance approves', async () => {
    const { quote, instanceId, approvalId } = await largeAcceptedQuote();
    const inbox = await approver.get('/api/v1/approvals?status=pending&limit=200');
    const request = inbox.body.items.find((a: any) => a.id === approvalId);
    expect(request).toMatchObject({
      subject: { type: 'sales.quote', id: quote.id, number: quote.number },
      amount: quote.gross,
      reasons: ['over_threshold'],
      canDecide: true,
    });
    // The rep who accepted it may not approve it, even with the role.
    const repAsApprover = await devhost.as('demo', 'rita', ['Sales.Rep', 'Finance.Approver']);
    expect(
      (await repAsApprover.post(`/api/v1/approvals/${approvalId}/decision`, { decision: 'approve' })).status,
    ).toBe(403);
    const decided = await approver.post(`/api/v1/approvals/${approvalId}/decision`, { decision: 'approve' });
    expect(decided.status, decided.text).toBe(200);
    await devhost.settle();
    const flow = await flowOf(rep, instanceId);
    expect(flow.runtimeStatus).toBe('Completed');
    expect(flow.output).toMatchObject({ outcome: 'ordered', approvalId });
    const order = await rep.get(`/api/v1/sales/orders/${flow.output.orderId}`);
    expect(order.body.approvalId).toBe(approvalId);
  });

  it('makes no order and releases the stock when finance rejects', async () => {
    const before = await stockOf(clerk, bricks.id, warehouse.id);
    const { quote, instanceId, approvalId } = await largeAcceptedQuote();
    expect(
      new Decimal((await stockOf(clerk, bricks.id, warehouse.id)).reserved).minus(before.reserved).toString(),
    ).toBe('100000');
    await approver.post(`/api/v1/approvals/${approvalId}/decision`, {
      decision: 'reject',
      comment: 'Customer is disputing the last invoice',
    });
    await devhost.settle();
    const flow = await flowOf(rep, instanceId);
    expect(flow.output).toMatchObject({ outcome: 'rejected', orderId: null });
    expect(flow.output.reason).toContain('Customer is disputing the last invoice');
    expect(await stockOf(clerk, bricks.id, warehouse.id)).toEqual(before);
    expect((await rep.get(`/api/v1/sales/quotes/${quote.id}`)).body.status).toBe('rejected');
    expect(
      (await rep.get(`/api/v1/sales/orders?limit=200`)).body.items.map((o: any) => o.quote.id),
    ).not.toContain(quote.id);
  });

  it('reminds after 24 hours and expires after 72, releasing the stock; a late decision changes nothing', async () => {
    const before = await stockOf(clerk, bricks.id, warehouse.id);
    const { quote, instanceId, approvalId } = await largeAcceptedQuote();
    await devhost.durable.fastForward(25 * HOUR);
    await devhost.settle();
    const reminded = await flowOf(rep, instanceId);
    expect(reminded.customStatus).toMatchObject({ step: 'awaiting-approval', escalated: true });
    const escalations = await eventPayloads(devhost, demo.id, 'approvals.ApprovalEscalated');
    expect(escalations.filter((e) => e.approvalId === approvalId)).toHaveLength(1);

    await devhost.durable.fastForward(48 * HOUR);
    await devhost.settle();
    const flow = await flowOf(rep, instanceId);
    expect(flow.runtimeStatus).toBe('Completed');
    expect(flow.output).toMatchObject({ outcome: 'expired', orderId: null });
    expect(await stockOf(clerk, bricks.id, warehouse.id)).toEqual(before);
    const approval = await approver.get(`/api/v1/approvals/${approvalId}`);
    expect(approval.body).toMatchObject({ status: 'expired', canDecide: false });
    const late = await approver.post(`/api/v1/approvals/${approvalId}/decision`, { decision: 'approve' });
    expect(late.status).toBe(409);
    await devhost.settle();
    expect((await rep.get(`/api/v1/sales/quotes/${quote.id}`)).body).toMatchObject({
      status: 'sent',
      orderId: null,
    });
  });

  it('asks for approval when the order takes the customer over the credit limit', async () => {
    const tight = await createCustomer(clerk, { creditLimit: { amount: '1000.00', currency: 'ZAR' } });
    const quote = await createQuote(rep, { customerId: tight.id, lines: [brickLine('1000')] });
    const instanceId = await accept(rep, quote.id);
    await devhost.settle();
    const flow = await flowOf(rep, instanceId);
    expect(flow.customStatus, JSON.stringify(flow)).toMatchObject({
      step: 'awaiting-approval',
      reasons: ['over_credit_limit'],
    });
    const approval = await approver.get(`/api/v1/approvals/${flow.customStatus.approvalId}`);
    expect(approval.body.details.credit).toMatchObject({
      withinLimit: false,
      limit: '1000.00',
      thisOrder: '2760.00',
    });
    // Once finance approves, the goods go out and are invoiced whatever the limit says.
    await approver.post(`/api/v1/approvals/${approval.body.id}/decision`, { decision: 'approve' });
    await devhost.settle();
    const orderId = (await flowOf(rep, instanceId)).output.orderId;
    expect((await clerk.post(`/api/v1/sales/orders/${orderId}/deliveries`, {})).status).toBe(201);
    const invoiced = await clerk.post(`/api/v1/sales/orders/${orderId}/invoices`, {});
    expect(invoiced.status, invoiced.text).toBe(201);
    expect(invoiced.body.status).toBe('invoiced');
  });
});

describe('fulfilment', () => {
  async function confirmedOrder(customerId: string, lines: unknown[]): Promise<any> {
    const quote = await createQuote(rep, { customerId, lines });
    const instanceId = await accept(rep, quote.id);
    await devhost.settle();
    const flow = await flowOf(rep, instanceId);
    expect(flow.output?.outcome, JSON.stringify(flow)).toBe('ordered');
    return (await rep.get(`/api/v1/sales/orders/${flow.output.orderId}`)).body;
  }

  it('delivers in parts at moving-average cost and invoices what was delivered, posting what an accountant expects', async () => {
    const cement = await createItem(clerk, { price: '120.00', uom: 'bag' });
    await receive(clerk, warehouse.code, cement.sku, '100', '80.00');
    await receive(clerk, warehouse.code, cement.sku, '100', '90.00');
    const order = await confirmedOrder(customer.id, [
      { itemId: cement.id, warehouseId: warehouse.id, quantity: '60', discountPercent: '10' },
      { itemId: hire.id, quantity: '2' },
    ]);
    const first = await clerk.post(`/api/v1/sales/orders/${order.id}/deliveries`, {
      lines: [{ lineNo: 1, quantity: '40' }],
    });
    expect(first.status, first.text).toBe(201);
    // Average cost (100 × 80 + 100 × 90) / 200 = 85.00; 40 bags cost 3 400.00.
    expect(first.body.cost).toEqual({ amount: '3400.00', currency: 'ZAR' });
    // Its number is on the delivery, in its event and in the order's audit record.
    expect(first.body.number).toMatch(/^DN-\d{4}-\d{6}$/);
    expect(
      (await eventPayloads(devhost, demo.id, 'sales.DeliveryPosted')).filter(
        (e) => e.deliveryId === first.body.id,
      ),
    ).toEqual([expect.objectContaining({ number: first.body.number, orderId: order.id, cost: '3400.0000' })]);
    const audited = await sql<{ details: { delivery: string; lines: number } }>`
      select details from audit_log where entity_id = ${order.id} and action = 'sales_order.delivered'`.execute(
      devhost.db,
    );
    expect(audited.rows.map((r) => r.details)).toEqual([{ delivery: first.body.number, lines: 1 }]);
    expect((await entryLines(clerk, first.body.entryId)).lines).toEqual([
      ['5000', 'debit', '3400.00', '3400.00'],
      ['1200', 'credit', '3400.00', '3400.00'],
    ]);
    const partly = await rep.get(`/api/v1/sales/orders/${order.id}`);
    expect(partly.body.status).toBe('partially_delivered');
    const over = await clerk.post(`/api/v1/sales/orders/${order.id}/deliveries`, {
      lines: [{ lineNo: 1, quantity: '21' }],
    });
    expect(over.status).toBe(409);
    expect(over.body.errors[0].path).toBe('lines.0.quantity');

    const invoiced = await clerk.post(`/api/v1/sales/orders/${order.id}/invoices`, {});
    expect(invoiced.status, invoiced.text).toBe(201);
    const invoice = (await clerk.get(invoiced.headers.get('location')!)).body;
    // 40 × 120.00 less 10 % = 4 320.00 on 4000 Sales; VAT 648.00; nothing for the undelivered hire yet.
    expect(invoice).toMatchObject({
      status: 'issued',
      net: { amount: '4320.00' },
      tax: { amount: '648.00' },
    });
    expect((await entryLines(clerk, invoice.entryId)).lines).toEqual([
      ['1100', 'debit', '4968.00', '4968.00'],
      ['4000', 'credit', '4320.00', '4320.00'],
      ['2100', 'credit', '648.00', '648.00'],
    ]);

    const rest = await clerk.post(`/api/v1/sales/orders/${order.id}/deliveries`, {});
    expect(rest.status, rest.text).toBe(201);
    expect(rest.body.lines).toEqual([
      { lineNo: 1, quantity: '20', cost: { amount: '1700.00', currency: 'ZAR' } },
      { lineNo: 2, quantity: '2', cost: { amount: '0.00', currency: 'ZAR' } },
    ]);
    expect((await rep.get(`/api/v1/sales/orders/${order.id}`)).body.status).toBe('delivered');
    const final = await clerk.post(`/api/v1/sales/orders/${order.id}/invoices`, {});
    expect(final.status).toBe(201);
    expect(final.body.status).toBe('invoiced');
    expect(final.body.invoices).toHaveLength(2);
    expect((await clerk.post(`/api/v1/sales/orders/${order.id}/invoices`, {})).status).toBe(409);
    const stock = await stockOf(clerk, cement.id, warehouse.id);
    expect(stock).toEqual({ onHand: '140', reserved: '0', available: '140' });
  });

  it('invoices a foreign-currency customer in its currency with base amounts at the day’s rate', async () => {
    const admin = await devhost.as('demo', 'ada', ['Admin', 'Finance.Clerk']);
    const today = new Date().toISOString().slice(0, 10);
    const rate = await admin.post('/api/v1/accounting/exchange-rates', {
      currency: 'USD',
      date: '2020-01-01',
      rate: '18.00',
    });
    expect(rate.status, rate.text).toBe(201);
    const usd = await createCustomer(clerk, { currency: 'USD' });
    const steel = await createItem(clerk, { price: '900.00' });
    await receive(clerk, warehouse.code, steel.sku, '10', '500.00');
    // R 900.00 at 18.00 = USD 50.00 a unit.
    const order = await confirmedOrder(usd.id, [
      { itemId: steel.id, warehouseId: warehouse.id, quantity: '4' },
    ]);
    expect(order).toMatchObject({ currency: 'USD', net: { amount: '200.00', currency: 'USD' } });
    const delivery = await clerk.post(`/api/v1/sales/orders/${order.id}/deliveries`, { date: today });
    expect(delivery.status, delivery.text).toBe(201);
    expect((await entryLines(clerk, delivery.body.entryId)).lines).toEqual([
      ['5000', 'debit', '2000.00', '2000.00'],
      ['1200', 'credit', '2000.00', '2000.00'],
    ]);
    const invoiced = await clerk.post(`/api/v1/sales/orders/${order.id}/invoices`, { date: today });
    expect(invoiced.status, invoiced.text).toBe(201);
    const invoice = (await clerk.get(invoiced.headers.get('location')!)).body;
    const entry = await entryLines(clerk, invoice.entryId);
    expect(entry.currency).toBe('USD');
    expect(entry.lines).toEqual([
      ['1100', 'debit', '230.00', '4140.00'],
      ['4000', 'credit', '200.00', '3600.00'],
      ['2100', 'credit', '30.00', '540.00'],
    ]);
  });

  it('cancelling an order releases what is still reserved', async () => {
    const before = await stockOf(clerk, bricks.id, warehouse.id);
    const order = await confirmedOrder(customer.id, [brickLine('300')]);
    await clerk.post(`/api/v1/sales/orders/${order.id}/deliveries`, {
      lines: [{ lineNo: 1, quantity: '100' }],
    });
    expect((await rep.post(`/api/v1/sales/orders/${order.id}/cancel`, { reason: 'No' })).status).toBe(403);
    const cancelled = await manager.post(`/api/v1/sales/orders/${order.id}/cancel`, {
      reason: 'Site closed',
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'Site closed' });
    expect(cancelled.body.lines[0]).toMatchObject({ delivered: '100', cancelled: '200', toDeliver: '0' });
    const after = await stockOf(clerk, bricks.id, warehouse.id);
    expect(after.reserved).toBe(before.reserved);
    expect(new Decimal(before.onHand).minus(after.onHand).toString()).toBe('100');
    expect((await clerk.post(`/api/v1/sales/orders/${order.id}/deliveries`, {})).status).toBe(409);
  });
});
