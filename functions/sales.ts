/** Sales: quotes, quote-to-order, sales orders, deliveries and invoicing. */
import { app } from '@azure/functions';
import { z } from 'zod';
import { idParamsSchema } from '../shared/modules/accounting/index.js';
import {
  acceptQuote,
  cancelOrder,
  changeQuote,
  createQuote,
  deliverOrder,
  deliveryCreateSchema,
  deliverySchema,
  expireQuotes,
  getDelivery,
  getOrder,
  getQuote,
  invoiceOrder,
  listOrders,
  listQuotes,
  orderCancelSchema,
  orderCreateSchema,
  orderInvoiceCreateSchema,
  orderListQuerySchema,
  orderSentForApprovalSchema,
  orderSchema,
  placeOrder,
  quoteCreateSchema,
  quoteListQuerySchema,
  quotePatchSchema,
  quoteRejectSchema,
  quoteSchema,
  rejectQuote,
  sendQuote,
} from '../shared/modules/sales/index.js';
import type { Role } from '../shared/platform/auth/roles.js';
import { primaryDb } from '../shared/platform/db/database.js';
import { withSystem, withTenant } from '../shared/platform/db/tenant.js';
import { defineRoute } from '../shared/platform/http/route.js';

const SELLERS = ['Admin', 'Sales.Manager', 'Sales.Rep'] as const satisfies readonly Role[];
const READERS = [
  ...SELLERS,
  'Finance.Clerk',
  'Finance.Approver',
  'Inventory.Clerk',
  'Auditor',
] as const satisfies readonly Role[];
const SHIPPERS = ['Admin', 'Sales.Manager', 'Inventory.Clerk'] as const satisfies readonly Role[];
const INVOICERS = ['Admin', 'Sales.Manager', 'Finance.Clerk'] as const satisfies readonly Role[];
const MANAGERS = ['Admin', 'Sales.Manager'] as const satisfies readonly Role[];

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Actions on a quote or order check `If-Match` when it is sent; without it they act on the current version. */
const versionOf = (request: { headers: Headers }, ifMatch: () => number, current: () => Promise<number>) =>
  request.headers.get('if-match') ? Promise.resolve(ifMatch()) : current();

// ---- Quotes --------------------------------------------------------------------------------

defineRoute({
  name: 'sales-quotes-list',
  method: 'GET',
  route: 'v1/sales/quotes',
  summary: 'Quotes, newest first; filter by status or customer',
  tags: ['sales'],
  roles: READERS,
  query: quoteListQuerySchema,
  response: page(quoteSchema),
  handler: async ({ trx, query }) => ({ body: await listQuotes(trx, query) }),
});

defineRoute({
  name: 'sales-quotes-create',
  method: 'POST',
  route: 'v1/sales/quotes',
  summary: 'Create a draft quote; prices, tax and totals come from the items and the customer unless given',
  tags: ['sales'],
  roles: SELLERS,
  body: quoteCreateSchema,
  response: quoteSchema,
  status: 201,
  example: {
    customerId: '3f6b2a1e-8c1d-4e7a-9b0f-2d5c6e7f8a90',
    reference: 'Enquiry 2211',
    lines: [
      {
        itemId: '7a1c9e2b-4d3f-4b6a-8e5d-1c2b3a4f5e60',
        warehouseId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
        quantity: '400',
        discountPercent: '2.5',
      },
    ],
  },
  handler: async ({ trx, actor, body }) => {
    const quote = await createQuote(trx, actor, body);
    return { body: quote, etag: quote.version, location: `/api/v1/sales/quotes/${quote.id}` };
  },
});

defineRoute({
  name: 'sales-quotes-get',
  method: 'GET',
  route: 'v1/sales/quotes/{id:guid}',
  summary: 'One quote with its lines, taxes, totals and the flow of its acceptance',
  tags: ['sales'],
  roles: READERS,
  params: idParamsSchema,
  response: quoteSchema,
  handler: async ({ trx, params }) => {
    const quote = await getQuote(trx, params.id);
    return { body: quote, etag: quote.version };
  },
});

defineRoute({
  name: 'sales-quotes-change',
  method: 'PATCH',
  route: 'v1/sales/quotes/{id:guid}',
  summary: 'Change a draft quote (If-Match required); lines, when given, replace its lines',
  tags: ['sales'],
  roles: SELLERS,
  params: idParamsSchema,
  body: quotePatchSchema,
  response: quoteSchema,
  example: { notes: 'Delivery to site gate 2, weekdays 07:00–16:00.' },
  handler: async ({ trx, actor, params, body, ifMatch }) => {
    const quote = await changeQuote(trx, actor, params.id, ifMatch(), body);
    return { body: quote, etag: quote.version };
  },
});

defineRoute({
  name: 'sales-quotes-send',
  method: 'POST',
  route: 'v1/sales/quotes/{id:guid}/send',
  summary: 'Mark a draft quote as sent to the customer; it can no longer change',
  tags: ['sales'],
  roles: SELLERS,
  params: idParamsSchema,
  response: quoteSchema,
  handler: async ({ trx, actor, params, request, ifMatch }) => {
    const version = await versionOf(request, ifMatch, async () => (await getQuote(trx, params.id)).version);
    const quote = await sendQuote(trx, actor, params.id, version);
    return { body: quote, etag: quote.version };
  },
});

defineRoute({
  name: 'sales-quotes-reject',
  method: 'POST',
  route: 'v1/sales/quotes/{id:guid}/reject',
  summary: 'The customer turned the quote down',
  tags: ['sales'],
  roles: SELLERS,
  params: idParamsSchema,
  body: quoteRejectSchema,
  response: quoteSchema,
  example: { reason: 'Went with a supplier closer to site' },
  handler: async ({ trx, actor, params, body, request, ifMatch }) => {
    const version = await versionOf(request, ifMatch, async () => (await getQuote(trx, params.id)).version);
    const quote = await rejectQuote(trx, actor, params.id, version, body.reason);
    return { body: quote, etag: quote.version };
  },
});

defineRoute({
  name: 'sales-quotes-accept',
  method: 'POST',
  route: 'v1/sales/quotes/{id:guid}/accept',
  summary:
    'The customer accepted: starts the quote-to-order flow (credit check, stock reservation, approval when needed, order). Answers 202 with the flow to follow',
  tags: ['sales'],
  roles: SELLERS,
  params: idParamsSchema,
  status: 202,
  response: z.object({ instanceId: z.string(), statusUrl: z.string(), quote: quoteSchema }),
  handler: async ({ trx, actor, params, request, ifMatch }) => {
    const version = await versionOf(request, ifMatch, async () => (await getQuote(trx, params.id)).version);
    const { quote, instanceId, location } = await acceptQuote(trx, actor, params.id, version);
    return { body: { instanceId, statusUrl: location, quote }, location };
  },
});

// ---- Orders --------------------------------------------------------------------------------

defineRoute({
  name: 'sales-orders-list',
  method: 'GET',
  route: 'v1/sales/orders',
  summary: 'Sales orders, newest first; filter by status or customer',
  tags: ['sales'],
  roles: READERS,
  query: orderListQuerySchema,
  response: page(orderSchema),
  handler: async ({ trx, query }) => ({ body: await listOrders(trx, query) }),
});

defineRoute({
  name: 'sales-orders-create',
  method: 'POST',
  route: 'v1/sales/orders',
  summary:
    'Enter an order directly: priced like a quote, stock reserved and the order confirmed at once (201). An order over the approval threshold or the credit limit becomes an accepted quote whose flow asks finance (202 with the flow to follow)',
  tags: ['sales'],
  roles: SELLERS,
  body: orderCreateSchema,
  response: orderSchema,
  status: 201,
  otherResponses: {
    202: {
      description:
        'The order needs approval: it was entered as an accepted quote whose flow asks finance and makes the order once approved',
      schema: orderSentForApprovalSchema,
    },
  },
  example: {
    customerId: '3f6b2a1e-8c1d-4e7a-9b0f-2d5c6e7f8a90',
    reference: 'PO 88213',
    lines: [
      {
        itemId: '7a1c9e2b-4d3f-4b6a-8e5d-1c2b3a4f5e60',
        warehouseId: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
        quantity: '40',
      },
    ],
  },
  handler: async ({ trx, actor, body }) => {
    const placement = await placeOrder(trx, actor, body);
    if (placement.placed)
      return {
        body: placement.order,
        etag: placement.order.version,
        location: `/api/v1/sales/orders/${placement.order.id}`,
      };
    const { quote, instanceId, location, reasons } = placement;
    return { status: 202, body: { instanceId, statusUrl: location, reasons, quote }, location };
  },
});

defineRoute({
  name: 'sales-orders-get',
  method: 'GET',
  route: 'v1/sales/orders/{id:guid}',
  summary: 'One sales order with its lines (ordered, delivered, invoiced), deliveries and invoices',
  tags: ['sales'],
  roles: READERS,
  params: idParamsSchema,
  response: orderSchema,
  handler: async ({ trx, params }) => {
    const order = await getOrder(trx, params.id);
    return { body: order, etag: order.version };
  },
});

defineRoute({
  name: 'sales-orders-deliver',
  method: 'POST',
  route: 'v1/sales/orders/{id:guid}/deliveries',
  summary:
    'Deliver all or part of an order: stock leaves the warehouse from its reservation and cost of sales is posted',
  tags: ['sales'],
  roles: SHIPPERS,
  params: idParamsSchema,
  body: deliveryCreateSchema,
  response: deliverySchema,
  status: 201,
  example: { lines: [{ lineNo: 1, quantity: '1' }] },
  handler: async ({ trx, actor, params, body }) => {
    const delivery = await deliverOrder(trx, actor, params.id, body);
    return { body: delivery, location: `/api/v1/sales/deliveries/${delivery.id}` };
  },
});

defineRoute({
  name: 'sales-deliveries-get',
  method: 'GET',
  route: 'v1/sales/deliveries/{id:guid}',
  summary: 'One delivery note with its lines and their cost',
  tags: ['sales'],
  roles: READERS,
  params: idParamsSchema,
  response: deliverySchema,
  handler: async ({ trx, params }) => ({ body: await getDelivery(trx, params.id) }),
});

defineRoute({
  name: 'sales-orders-invoice',
  method: 'POST',
  route: 'v1/sales/orders/{id:guid}/invoices',
  summary: 'Invoice what was delivered and not yet invoiced: posts to receivables, revenue and VAT',
  tags: ['sales'],
  roles: INVOICERS,
  params: idParamsSchema,
  body: orderInvoiceCreateSchema,
  response: orderSchema,
  status: 201,
  example: { date: '2026-11-20' },
  handler: async ({ trx, actor, params, body }) => {
    const { invoiceId } = await invoiceOrder(trx, actor, params.id, body);
    const order = await getOrder(trx, params.id);
    return { body: order, etag: order.version, location: `/api/v1/accounting/invoices/${invoiceId}` };
  },
});

defineRoute({
  name: 'sales-orders-cancel',
  method: 'POST',
  route: 'v1/sales/orders/{id:guid}/cancel',
  summary: 'Cancel what is not yet delivered; its reserved stock is available again',
  tags: ['sales'],
  roles: MANAGERS,
  params: idParamsSchema,
  body: orderCancelSchema,
  response: orderSchema,
  example: { reason: 'Site closed by the municipality' },
  handler: async ({ trx, actor, params, body, request, ifMatch }) => {
    const version = await versionOf(request, ifMatch, async () => (await getOrder(trx, params.id)).version);
    const order = await cancelOrder(trx, actor, params.id, version, body.reason);
    return { body: order, etag: order.version };
  },
});

// ---- Timers --------------------------------------------------------------------------------

/** Every night, quotes past their validity expire, tenant by tenant. */
app.timer('sales-quotes-expire', {
  schedule: '0 30 0 * * *',
  handler: async (_timer, context) => {
    const tenants = await withSystem(primaryDb(), (trx) =>
      trx.selectFrom('tenants').select('id').where('status', '=', 'active').execute(),
    );
    for (const tenant of tenants) {
      const expired = await withTenant(primaryDb(), tenant.id, (trx) =>
        expireQuotes(trx, { tenantId: tenant.id, objectId: 'system:quote-expiry', name: 'Quote expiry' }),
      );
      if (expired > 0) context.log(`expired ${expired} quotes of tenant ${tenant.id}`);
    }
  },
});
