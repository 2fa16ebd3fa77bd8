/**
 * Sales orders through the product, as a client makes them. The API has no direct
 * `POST /api/v1/sales/orders`: an order comes only from an accepted quote, through the durable
 * quote-to-order flow (validate, credit check, stock reservation, order). So one order is:
 * `POST /sales/quotes` (5 lines) → `POST /quotes/{id}/send` → `POST /quotes/{id}/accept` (202)
 * → the flow makes the order in the background. Every POST carries an Idempotency-Key and a
 * bearer token; the server validates, checks roles, and writes the outbox in the same transaction.
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
