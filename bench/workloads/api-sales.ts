/**
 * Sales orders through the product, as a client makes them. Entered directly, one order is one
 * `POST /sales/orders` (5 lines, no approval needed): priced, stock reserved and confirmed in its
 * transaction (201). From a quote, it is `POST /sales/quotes` (5 lines) → `POST /quotes/{id}/send`
 * → `POST /quotes/{id}/accept` (202) → the durable quote-to-order flow makes the order in the
 * background. Every POST carries an Idempotency-Key and a bearer token; the server validates,
 * checks roles, and writes the outbox in the same transaction.
 */
import type { Api } from '../lib/api.js';
import type { FlowWatcher } from '../lib/flow-watcher.js';
import { orderLines, randomCustomer, type SalesFixture } from '../lib/sales-fixture.js';
import { now } from '../lib/stats.js';

export interface OrderSteps {
  create: number;
  send: number;
  accept: number;
  /** From the 202 of `accept` to the order committed by the flow. */
  flow: number;
}

/** One order entered directly; answers when it is confirmed. */
export async function apiDirectOrder(
  api: Api,
  fixture: SalesFixture,
): Promise<{ orderId: string; ms: number }> {
  const lines = orderLines(fixture).map((l) => ({
    itemId: l.item.id,
    warehouseId: l.warehouseId,
    quantity: String(l.quantity),
  }));
  // A 202 would mean the order went for approval: not the workload measured.
  const response = await api.call<{ id: string }>(
    'POST',
    '/api/v1/sales/orders',
    { customerId: randomCustomer(fixture).id, lines },
    [201],
  );
  return { orderId: response.body.id, ms: response.ms };
}

export async function apiOrder(
  api: Api,
  fixture: SalesFixture,
  watcher: FlowWatcher,
): Promise<{ orderId: string; instanceId: string; steps: OrderSteps }> {
  const customer = randomCustomer(fixture);
  const quote = await api.post<{ id: string }>('/api/v1/sales/quotes', {
    customerId: customer.id,
    reference: 'Bench order',
    lines: orderLines(fixture).map((l) => ({
      itemId: l.item.id,
      warehouseId: l.warehouseId,
      quantity: String(l.quantity),
    })),
  });
  const sent = await api.post(`/api/v1/sales/quotes/${quote.body.id}/send`);
  const accepted = await api.post<{ instanceId: string }>(`/api/v1/sales/quotes/${quote.body.id}/accept`);
  const answered = now();
  const orderId = await watcher.order(accepted.body.instanceId);
  return {
    orderId,
    instanceId: accepted.body.instanceId,
    steps: { create: quote.ms, send: sent.ms, accept: accepted.ms, flow: now() - answered },
  };
}

export async function apiDeliver(api: Api, orderId: string): Promise<number> {
  return (await api.post(`/api/v1/sales/orders/${orderId}/deliveries`, {})).ms;
}

export async function apiInvoice(api: Api, orderId: string): Promise<number> {
  return (await api.post(`/api/v1/sales/orders/${orderId}/invoices`, {})).ms;
}
