import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import {
  createDocument,
  getDocument,
  getParty,
  issueDocument,
  rateOn,
  receivableExposure,
  tenantBooks,
} from '../accounting/index.js';
import { issueReservedStock, releaseReservations, reserveStock } from '../inventory/index.js';
import { auditRow, insertNumberedAuditSql, recordAudit, type AuditActor } from '../../platform/audit.js';
import { todayIn } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import { AppError, staleVersion } from '../../platform/errors.js';
import { emit, insertNumberedOutboxSql, outboxRow } from '../../platform/events/outbox.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import { Decimal, minorUnits } from '../../platform/money.js';
import { assertNumberSeries, takeNumberSql } from '../../platform/numbers.js';
import { salesErrors as errors } from './errors.js';
import { lineContext, lineView, money, taxesOf, totalsOf } from './views.js';
import {
  acceptQuote,
  activeCustomer,
  createQuote,
  priceLinesKnowing,
  pricedLineColumns,
  linesOf as quoteLinesOf,
  markQuoteOutcome,
  quoteForFlow,
} from './quotes.js';
import type { FlowStarter } from '../../platform/flows.js';
import type {
  Delivery,
  DeliveryCreateInput,
  Order,
  OrderCreateInput,
  OrderListQuery,
  Quote,
} from './schemas.js';
import type { OrderStatus, SalesOrderLinesTable, SalesOrdersTable } from './tables.js';
import type { Insertable } from 'kysely';

type Dec = InstanceType<typeof Decimal>;
type OrderRow = Selectable<SalesOrdersTable>;
type OrderLineRow = Selectable<SalesOrderLinesTable>;
const ZERO = new Decimal(0);

/**
 * Stock for an accepted quote is reserved under its flow, for an order entered directly under the
 * order itself, and issued from there on delivery.
 */
export const RESERVATION_TYPE = 'sales.order';
const reservationOf = (order: { id: string; flow_instance_id: string | null }) =>
  order.flow_instance_id ?? order.id;
/** Revenue accounts of the chart template: goods, and services (hire, delivery). */
const REVENUE_ACCOUNT = { goods: '4000', services: '4200' } as const;

// ---- The quote-to-order flow's steps -------------------------------------------------------

export interface OrderCandidate {
  quoteId: string;
  quoteNumber: string;
  customerId: string;
  customerName: string;
  currency: string;
  gross: string;
  /** The gross in the base currency at today's rate. */
  baseGross: string;
  baseCurrency: string;
  /** The tenant's approval threshold, in the base currency, and whether the order is over it. */
  threshold: string;
  overThreshold: boolean;
}

export type Validation = { ok: true; candidate: OrderCandidate } | { ok: false; reason: string };

async function toBaseToday(trx: Tx, amount: Dec, currency: string): Promise<Dec | undefined> {
  const books = await tenantBooks(trx);
  if (currency === books.baseCurrency) return amount;
  const rate = await rateOn(trx, currency, todayIn(books.timeZone));
  return rate ? amount.times(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP) : undefined;
}

/**
 * The flow's first step: the quote is still the one this flow accepted, its customer may still
 * buy, and its amount can be put in the base currency today.
 */
export async function validateForOrder(trx: Tx, quoteId: string, instanceId: string): Promise<Validation> {
  const quote = await trx.selectFrom('sales_quotes').selectAll().where('id', '=', quoteId).executeTakeFirst();
  if (!quote) return { ok: false, reason: 'The quote no longer exists.' };
  if (quote.flow_instance_id !== instanceId || quote.status !== 'accepted')
    return { ok: false, reason: `The quote is ${quote.status} and no longer waits for this flow.` };
  const customer = await getParty(trx, 'customer', quote.customer_id);
  if (!customer.active) return { ok: false, reason: `Customer ${customer.code} is deactivated.` };
  const books = await tenantBooks(trx);
  const baseGross = await toBaseToday(trx, new Decimal(quote.gross), quote.currency);
  if (!baseGross)
    return {
      ok: false,
      reason: `There is no ${quote.currency}/${books.baseCurrency} exchange rate for today to value the order.`,
    };
  return {
    ok: true,
    candidate: {
      quoteId,
      quoteNumber: quote.number,
      customerId: customer.id,
      customerName: customer.name,
      currency: quote.currency,
      gross: new Decimal(quote.gross).toFixed(minorUnits(quote.currency)),
      baseGross: baseGross.toFixed(2),
      baseCurrency: books.baseCurrency,
      threshold: new Decimal(books.approvalThreshold).toFixed(2),
      overThreshold: baseGross.greaterThan(books.approvalThreshold),
    },
  };
}

export interface CreditCheck {
  withinLimit: boolean;
  /** In the base currency: the credit limit, what is owed on invoices, what open orders will add. */
  limit: string | null;
  receivables: string;
  openOrders: string;
  thisOrder: string;
  reason: string | null;
}

/**
 * Open receivables plus uninvoiced open orders plus this order, against the customer's credit
 * limit, all in the base currency (foreign amounts at today's rate). A customer without a limit
 * passes; a limit that cannot be converted (no rate) fails, so that finance decides.
 */
export async function creditCheck(
  trx: Tx,
  candidate: Pick<OrderCandidate, 'customerId' | 'baseGross' | 'baseCurrency'>,
): Promise<CreditCheck> {
  const customer = await getParty(trx, 'customer', candidate.customerId);
  const receivables = new Decimal(await receivableExposure(trx, candidate.customerId));
  const open = await trx
    .selectFrom('sales_orders as o')
    .innerJoin('sales_order_lines as l', (j) =>
      j.onRef('l.tenant_id', '=', 'o.tenant_id').onRef('l.order_id', '=', 'o.id'),
    )
    .select([
      'o.currency',
      sql<string>`sum(l.net * (l.quantity - l.invoiced - l.cancelled) / l.quantity * (o.gross / nullif(o.net, 0)))::text`.as(
        'uninvoiced',
      ),
    ])
    .where('o.customer_id', '=', candidate.customerId)
    .where('o.status', 'in', ['confirmed', 'partially_delivered', 'delivered'])
    .groupBy('o.currency')
    .execute();
  let openOrders = ZERO;
  for (const row of open) {
    const base = await toBaseToday(trx, new Decimal(row.uninvoiced ?? 0), row.currency);
    openOrders = openOrders.plus(base ?? 0);
  }
  const thisOrder = new Decimal(candidate.baseGross);
  const exposure = receivables.plus(openOrders).plus(thisOrder);
  const result = (withinLimit: boolean, limit: Dec | null, reason: string | null): CreditCheck => ({
    withinLimit,
    limit: limit?.toFixed(2) ?? null,
    receivables: receivables.toFixed(2),
    openOrders: openOrders.toFixed(2),
    thisOrder: thisOrder.toFixed(2),
    reason,
  });
  if (!customer.creditLimit) return result(true, null, null);
  const limit = await toBaseToday(
    trx,
    new Decimal(customer.creditLimit.amount),
    customer.creditLimit.currency,
  );
  if (!limit)
    return result(
      false,
      null,
      `The credit limit in ${customer.creditLimit.currency} cannot be valued today.`,
    );
  if (exposure.greaterThan(limit))
    return result(
      false,
      limit,
      `Owed ${receivables.toFixed(2)} + open orders ${openOrders.toFixed(2)} + this order ${thisOrder.toFixed(2)} ${candidate.baseCurrency} is over the credit limit of ${limit.toFixed(2)}.`,
    );
  return result(true, limit, null);
}

export type ReservationOutcome = { ok: true; lines: number } | { ok: false; reason: string };

/** Reserves every stock line of the quote, all or none, under the flow. */
export async function reserveForQuote(
  trx: Tx,
  actor: AuditActor,
  quoteId: string,
  instanceId: string,
): Promise<ReservationOutcome> {
  const lines = (await quoteLinesOf(trx, [quoteId])).filter((l) => l.warehouse_id !== null);
  if (lines.length === 0) return { ok: true, lines: 0 };
  try {
    await reserveStock(trx, actor, {
      referenceType: RESERVATION_TYPE,
      referenceId: instanceId,
      lines: lines.map((l) => ({
        key: String(l.line_no),
        itemId: l.item_id,
        warehouseId: l.warehouse_id!,
        quantity: l.quantity,
      })),
    });
    return { ok: true, lines: lines.length };
  } catch (error) {
    if (error instanceof AppError && error.code === 'inventory.insufficient_stock') {
      const detail = error.errors?.map((e) => `line ${Number(e.path.split('.')[1]) + 1}: ${e.message}`);
      return { ok: false, reason: `Not enough stock (${detail?.join('; ') ?? error.message}).` };
    }
    throw error;
  }
}

/** What the flow does when it ends without an order: nothing stays reserved, the quote says why. */
export async function abandonQuoteOrder(
  trx: Tx,
  actor: AuditActor,
  quoteId: string,
  instanceId: string,
  outcome: 'stock_short' | 'rejected' | 'expired' | 'invalid',
  reason: string,
): Promise<void> {
  await releaseReservations(trx, actor, RESERVATION_TYPE, instanceId);
  const quote = await quoteForFlow(trx, quoteId);
  if (quote.flow_instance_id !== instanceId || quote.status !== 'accepted') return;
  // Finance's rejection ends the quote; a shortage or an undecided approval leaves it open to accept again.
  await markQuoteOutcome(trx, actor, quoteId, outcome === 'rejected' ? 'rejected' : 'sent', reason);
  await emit(trx, actor.tenantId, 'quoteOrderFailed', {
    quoteId,
    number: quote.number,
    reason,
    outcome,
    flowInstanceId: instanceId,
  });
}

/**
 * Makes the sales order from the accepted quote, with the quote's lines and prices. Idempotent by
 * flow: a retried step finds the order it made.
 */
export async function createOrderFromQuote(
  trx: Tx,
  actor: AuditActor,
  quoteId: string,
  instanceId: string,
  approvalId: string | null,
): Promise<{ orderId: string; number: string }> {
  const existing = await trx
    .selectFrom('sales_orders')
    .select(['id', 'number'])
    .where('flow_instance_id', '=', instanceId)
    .executeTakeFirst();
  if (existing) return { orderId: existing.id, number: existing.number };
  const quote = await quoteForFlow(trx, quoteId);
  const books = await tenantBooks(trx);
  const orderDate = todayIn(books.timeZone);
  const lines = await quoteLinesOf(trx, [quoteId]);
  const header = await writeOrder(trx, actor, {
    order: {
      tenant_id: books.id,
      id: randomUUID(),
      quote_id: quoteId,
      customer_id: quote.customer_id,
      currency: quote.currency,
      order_date: orderDate,
      reference: quote.reference,
      net: quote.net,
      tax: quote.tax,
      gross: quote.gross,
      approval_id: approvalId,
      flow_instance_id: instanceId,
      created_by: quote.created_by,
    },
    lines: lines.map((l) => ({
      line_no: l.line_no,
      item_id: l.item_id,
      warehouse_id: l.warehouse_id,
      stocked: l.warehouse_id !== null,
      description: l.description,
      quantity: l.quantity,
      unit_price: l.unit_price,
      discount_percent: l.discount_percent,
      tax_code: l.tax_code,
      tax_rate: l.tax_rate,
      net: l.net,
    })),
    auditDetails: { quoteId, approvalId },
  });
  const { id, number } = header;
  await markQuoteOutcome(trx, actor, quoteId, 'ordered', `Sales order ${number}`);
  return { orderId: id, number };
}

type OrderLineValues = Omit<
  Insertable<SalesOrderLinesTable>,
  'tenant_id' | 'order_id' | 'delivered' | 'invoiced' | 'cancelled'
>;

/**
 * Writes a confirmed order: its number, header and lines, the audit record and the
 * `SalesOrderConfirmed` event, in one statement. Everything else is checked and written before:
 * the tenant's SO counter row stays locked from here to commit, and every order of the tenant
 * waits for it.
 */
async function writeOrder(
  trx: Tx,
  actor: AuditActor,
  input: {
    order: Omit<Insertable<SalesOrdersTable>, 'number'> & { id: string; order_date: string };
    lines: OrderLineValues[];
    auditDetails: Record<string, unknown>;
  },
): Promise<OrderRow> {
  const { order } = input;
  const event = outboxRow(order.tenant_id, 'salesOrderConfirmed', {
    orderId: order.id,
    number: '',
    quoteId: order.quote_id ?? null,
    customerId: order.customer_id,
    currency: order.currency,
    net: String(order.net),
    tax: String(order.tax),
    gross: String(order.gross),
    approvalId: order.approval_id ?? null,
    flowInstanceId: order.flow_instance_id ?? null,
  });
  const audit = auditRow(actor, {
    action: 'sales_order.confirmed',
    entityType: 'sales_order',
    entityId: order.id,
    details: { number: '', ...input.auditDetails },
  });
  const written = await sql<OrderRow>`
    with n as (${takeNumberSql(order.tenant_id, 'SO', order.order_date)}),
    h as (
      insert into sales_orders (tenant_id, id, number, quote_id, customer_id, currency, order_date, reference,
                                net, tax, gross, approval_id, flow_instance_id, created_by)
      select ${order.tenant_id}::uuid, ${order.id}::uuid, n.number, ${order.quote_id ?? null}::uuid,
             ${order.customer_id}::uuid, ${order.currency}, ${order.order_date}::date, ${order.reference ?? null},
             ${order.net}::numeric, ${order.tax}::numeric, ${order.gross}::numeric, ${order.approval_id ?? null}::uuid,
             ${order.flow_instance_id ?? null}, ${order.created_by}
        from n
      returning *),
    l as (
      insert into sales_order_lines (tenant_id, order_id, line_no, item_id, warehouse_id, stocked, description,
                                     quantity, unit_price, discount_percent, tax_code, tax_rate, net)
      select h.tenant_id, h.id, v.line_no, v.item_id, v.warehouse_id, v.stocked, v.description, v.quantity,
             v.unit_price, v.discount_percent, v.tax_code, v.tax_rate, v.net
        from h cross join (values ${sql.join(
          input.lines.map(
            (l) =>
              sql`(${l.line_no}::smallint, ${l.item_id}::uuid, ${l.warehouse_id ?? null}::uuid, ${l.stocked}::boolean,
                   ${l.description}::text, ${l.quantity}::numeric, ${l.unit_price}::numeric,
                   ${l.discount_percent}::numeric, ${l.tax_code}::text, ${l.tax_rate}::numeric, ${l.net}::numeric)`,
          ),
        )}) as v (line_no, item_id, warehouse_id, stocked, description, quantity, unit_price, discount_percent,
                  tax_code, tax_rate, net)),
    o as (${insertNumberedOutboxSql(event, 'h')}),
    a as (${insertNumberedAuditSql(audit, 'h')})
    select * from h`.execute(trx);
  const header = written.rows[0];
  if (!header) {
    await assertNumberSeries(trx, 'SO');
    throw new Error('A sales order was not written.');
  }
  return header;
}

// ---- Orders entered directly ---------------------------------------------------------------

export type OrderPlacement =
  | { placed: true; order: Order }
  | {
      placed: false;
      reasons: ('over_threshold' | 'over_credit_limit')[];
      quote: Quote;
      instanceId: string;
      location: string;
    };

/**
 * Enters a sales order without a quote (a counter sale, a repeat order): priced like a quote, its
 * stock reserved all or none and the order confirmed in one transaction. An order over the
 * tenant's approval threshold or the customer's credit limit is not made here: it becomes an
 * accepted quote whose flow asks finance and makes the order once approved, the same way as a
 * quote accepted by the customer.
 */
export async function placeOrder(
  trx: Tx,
  starter: FlowStarter,
  input: OrderCreateInput,
): Promise<OrderPlacement> {
  const actor: AuditActor = starter;
  const books = await tenantBooks(trx);
  const customer = await activeCustomer(trx, input.customerId);
  const currency = input.currency ?? customer.currency;
  const orderDate = todayIn(books.timeZone);
  const { lines, known } = await priceLinesKnowing(trx, input.lines, currency, orderDate);
  const sums = totalsOf(lines, currency);

  const baseGross = await toBaseToday(trx, sums.gross, currency);
  if (!baseGross) throw errors.noRateToValue(currency, books.baseCurrency, orderDate);
  const reasons: ('over_threshold' | 'over_credit_limit')[] = [];
  if (baseGross.greaterThan(books.approvalThreshold)) reasons.push('over_threshold');
  if (customer.creditLimit) {
    const credit = await creditCheck(trx, {
      customerId: customer.id,
      baseGross: baseGross.toFixed(2),
      baseCurrency: books.baseCurrency,
    });
    if (!credit.withinLimit) reasons.push('over_credit_limit');
  }
  if (reasons.length > 0) {
    const quote = await createQuote(trx, actor, {
      customerId: customer.id,
      currency,
      ...(input.reference && { reference: input.reference }),
      lines: input.lines,
    });
    const accepted = await acceptQuote(trx, starter, quote.id, quote.version);
    return { placed: false, reasons, ...accepted };
  }

  const id = randomUUID();
  const stocked = lines.flatMap((l, i) => (l.stocked ? [{ line: l, index: i }] : []));
  if (stocked.length > 0)
    await reserveStock(
      trx,
      actor,
      {
        referenceType: RESERVATION_TYPE,
        referenceId: id,
        lines: stocked.map(({ line, index }) => ({
          key: String(index + 1),
          itemId: line.itemId,
          warehouseId: line.warehouseId!,
          quantity: line.quantity,
        })),
      },
      { newReference: true, known },
    ).catch((error: unknown) => {
      // The reservation names its own lines; the caller's are the order's (services are not reserved).
      if (!(error instanceof AppError) || !error.errors) throw error;
      throw new AppError(error.kind, error.code, error.message, {
        headers: error.headers,
        cause: error,
        errors: error.errors.map((e) => {
          const match = /^lines\.(\d+)(\..*)?$/.exec(e.path);
          const own = match ? stocked[Number(match[1])] : undefined;
          return own ? { ...e, path: `lines.${own.index}${match![2] ?? ''}` } : e;
        }),
      });
    });
  const lineValues = lines.map((l, i) => ({ line_no: i + 1, stocked: l.stocked, ...pricedLineColumns(l) }));
  const header = await writeOrder(trx, actor, {
    order: {
      tenant_id: books.id,
      id,
      quote_id: null,
      customer_id: customer.id,
      currency,
      order_date: orderDate,
      reference: input.reference ?? null,
      net: sums.net.toFixed(4),
      tax: sums.tax.toFixed(4),
      gross: sums.gross.toFixed(4),
      approval_id: null,
      flow_instance_id: null,
      created_by: actor.name,
    },
    lines: lineValues,
    auditDetails: { gross: money(sums.gross, currency) },
  });
  const { number } = header;
  const lineRows: OrderLineRow[] = lineValues.map((values) => ({
    tenant_id: books.id,
    order_id: id,
    ...values,
    delivered: '0',
    invoiced: '0',
    cancelled: '0',
  }));
  // The answer is what was written (as getOrder would read it back), without reading it again.
  const order: Order = {
    id,
    number,
    status: 'confirmed',
    quote: null,
    customer: { id: customer.id, code: customer.code, name: customer.name },
    currency,
    orderDate: header.order_date,
    reference: header.reference,
    lines: lineRows.map((row, i) =>
      orderLineView(row, lineView(row, currency, lines[i], lines[i]!.warehouseCode)),
    ),
    taxes: taxesOf(lineRows, currency),
    net: money(header.net, currency),
    tax: money(header.tax, currency),
    gross: money(header.gross, currency),
    approvalId: null,
    flowInstanceId: null,
    cancelReason: null,
    deliveries: [],
    invoices: [],
    createdBy: header.created_by,
    version: header.version,
    createdAt: header.created_at.toISOString(),
    updatedAt: header.updated_at.toISOString(),
  };
  return { placed: true, order };
}

// ---- Fulfilment ----------------------------------------------------------------------------

async function lockedOrder(trx: Tx, id: string): Promise<OrderRow> {
  const row = await trx
    .selectFrom('sales_orders')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw errors.orderNotFound();
  return row;
}

async function orderLines(trx: Tx, orderIds: string[]): Promise<OrderLineRow[]> {
  if (orderIds.length === 0) return [];
  return trx
    .selectFrom('sales_order_lines')
    .selectAll()
    .where('order_id', 'in', orderIds)
    .orderBy('order_id')
    .orderBy('line_no')
    .execute();
}

const toDeliver = (l: OrderLineRow) => new Decimal(l.quantity).minus(l.delivered).minus(l.cancelled);
const toInvoice = (l: OrderLineRow) => new Decimal(l.delivered).minus(l.invoiced);

function fulfilmentStatus(lines: OrderLineRow[], current: OrderStatus): OrderStatus {
  if (current === 'cancelled') return current;
  const open = lines.filter((l) => toDeliver(l).greaterThan(0));
  if (open.length > 0)
    return lines.some((l) => new Decimal(l.delivered).greaterThan(0)) ? 'partially_delivered' : 'confirmed';
  return lines.every((l) => toInvoice(l).isZero()) ? 'invoiced' : 'delivered';
}

async function setOrderStatus(
  trx: Tx,
  row: OrderRow,
  status: OrderStatus,
  cancelReason?: string,
): Promise<void> {
  await trx
    .updateTable('sales_orders')
    .set({
      status,
      ...(cancelReason !== undefined && { cancel_reason: cancelReason }),
      version: sql<number>`version + 1`,
      updated_at: new Date(),
    })
    .where('id', '=', row.id)
    .execute();
}

/**
 * Delivers all or part of an order: stock lines are issued from the order's reservation at the
 * moving-average cost (inventory posts stock to cost of sales), services are marked delivered.
 */
export async function deliverOrder(
  trx: Tx,
  actor: AuditActor,
  orderId: string,
  input: DeliveryCreateInput,
): Promise<Delivery> {
  const order = await lockedOrder(trx, orderId);
  if (order.status !== 'confirmed' && order.status !== 'partially_delivered')
    throw errors.orderStatus('delivered', order.status);
  const lines = await orderLines(trx, [orderId]);
  const byNo = new Map(lines.map((l) => [l.line_no, l]));
  const wanted: { line: OrderLineRow; quantity: Dec }[] = [];
  if (input.lines) {
    const seen = new Set<number>();
    input.lines.forEach((requested, i) => {
      const line = byNo.get(requested.lineNo);
      if (!line || seen.has(requested.lineNo))
        throw errors.unknownLine(`lines.${i}.lineNo`, requested.lineNo);
      seen.add(requested.lineNo);
      const quantity = new Decimal(requested.quantity);
      if (quantity.greaterThan(toDeliver(line)))
        throw errors.overDelivery(`lines.${i}.quantity`, line.line_no, toDeliver(line).toString());
      wanted.push({ line, quantity });
    });
  } else {
    for (const line of lines)
      if (toDeliver(line).greaterThan(0)) wanted.push({ line, quantity: toDeliver(line) });
  }
  if (wanted.length === 0) throw errors.nothingToDeliver();

  const books = await tenantBooks(trx);
  const date = input.date ?? todayIn(books.timeZone);
  const id = randomUUID();
  const stocked = wanted.filter((w) => w.line.stocked);
  const issued = stocked.length
    ? await issueReservedStock(trx, actor, {
        referenceType: RESERVATION_TYPE,
        referenceId: reservationOf(order),
        source: { type: 'sales.delivery', id },
        date,
        lines: stocked.map((w) => ({ key: String(w.line.line_no), quantity: w.quantity.toString() })),
      })
    : { lines: [], totalCost: '0', entryId: null };
  const costOf = new Map(issued.lines.map((l) => [Number(l.key), l.cost]));
  await sql`
    update sales_order_lines l set delivered = l.delivered + w.quantity
      from unnest(${wanted.map((w) => w.line.line_no)}::smallint[], ${wanted.map((w) => w.quantity.toFixed(4))}::numeric[])
        as w(line_no, quantity)
     where l.order_id = ${orderId}::uuid and l.line_no = w.line_no`.execute(trx);
  await setOrderStatus(trx, order, fulfilmentStatus(await orderLines(trx, [orderId]), order.status));

  // Everything else is written: the DN number is taken last, with the delivery, its lines, the
  // audit record and the event in one statement, so the counter row is locked only to commit.
  const cost = new Decimal(issued.totalCost).toFixed(4);
  const event = outboxRow(books.id, 'deliveryPosted', {
    deliveryId: id,
    number: '',
    orderId,
    date,
    cost,
    entryId: issued.entryId,
  });
  const audit = auditRow(actor, {
    action: 'sales_order.delivered',
    entityType: 'sales_order',
    entityId: orderId,
    details: { delivery: '', lines: wanted.length },
  });
  const written = await sql<{ number: string }>`
    with n as (${takeNumberSql(books.id, 'DN', date)}),
    d as (
      insert into sales_deliveries (tenant_id, id, number, order_id, delivery_date, cost, entry_id, created_by)
      select ${books.id}::uuid, ${id}::uuid, n.number, ${orderId}::uuid, ${date}::date, ${cost}::numeric,
             ${issued.entryId}::uuid, ${actor.name}
        from n
      returning number),
    l as (
      insert into sales_delivery_lines (tenant_id, delivery_id, order_line_no, quantity, cost)
      select ${books.id}::uuid, ${id}::uuid, v.line_no, v.quantity, v.cost
        from d cross join unnest(${wanted.map((w) => w.line.line_no)}::smallint[],
          ${wanted.map((w) => w.quantity.toFixed(4))}::numeric[],
          ${wanted.map((w) => new Decimal(costOf.get(w.line.line_no) ?? 0).toFixed(4))}::numeric[])
          as v(line_no, quantity, cost)),
    o as (${insertNumberedOutboxSql(event, 'd')}),
    a as (${insertNumberedAuditSql(audit, 'd', 'delivery')})
    select number from d`.execute(trx);
  if (!written.rows[0]) {
    await assertNumberSeries(trx, 'DN');
    throw new Error('A delivery was not written.');
  }
  return getDelivery(trx, id);
}

/**
 * Invoices what was delivered and not yet invoiced, through accounting (AR, revenue, VAT at the
 * invoice date's rate for a foreign-currency customer), at the order's prices and discounts.
 */
export async function invoiceOrder(
  trx: Tx,
  actor: AuditActor,
  orderId: string,
  input: { date?: string },
): Promise<{ orderId: string; invoiceId: string; invoiceNumber: string }> {
  const order = await lockedOrder(trx, orderId);
  const lines = (await orderLines(trx, [orderId])).filter((l) => toInvoice(l).greaterThan(0));
  if (lines.length === 0) throw errors.nothingToInvoice();
  const books = await tenantBooks(trx);
  const date = input.date ?? todayIn(books.timeZone);
  const invoice = await createDocument(trx, actor, 'invoice', {
    issueDate: date,
    party: order.customer_id,
    currency: order.currency,
    reference: order.reference ?? order.number,
    memo: `Sales order ${order.number}`,
    lines: lines.map((l) => ({
      description: l.description,
      account: l.stocked ? REVENUE_ACCOUNT.goods : REVENUE_ACCOUNT.services,
      quantity: toInvoice(l).toString(),
      unitPrice: new Decimal(l.unit_price).toString(),
      discountPercent: new Decimal(l.discount_percent).toString(),
      taxCode: l.tax_code,
    })),
  }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'accounting.line_account')
      throw errors.revenueAccount(error.message);
    throw error;
  });
  // The order's side is written before the invoice is issued: issuing takes the INV and JE
  // numbers, whose counter rows stay locked from there to commit.
  await sql`
    update sales_order_lines l set invoiced = l.invoiced + w.quantity
      from unnest(${lines.map((l) => l.line_no)}::smallint[], ${lines.map((l) => toInvoice(l).toFixed(4))}::numeric[])
        as w(line_no, quantity)
     where l.order_id = ${orderId}::uuid and l.line_no = w.line_no`.execute(trx);
  await trx
    .insertInto('sales_order_invoices')
    .values({ tenant_id: books.id, order_id: orderId, invoice_id: invoice.id })
    .execute();
  await setOrderStatus(trx, order, fulfilmentStatus(await orderLines(trx, [orderId]), order.status));
  const issued = await issueDocument(trx, actor, 'invoice', invoice.id, {
    creditCheckedWith: `sales order ${order.number}`,
  });
  await recordAudit(trx, actor, {
    action: 'sales_order.invoiced',
    entityType: 'sales_order',
    entityId: orderId,
    details: { invoice: issued.number },
  });
  await emit(trx, books.id, 'salesOrderInvoiced', {
    orderId,
    number: order.number,
    invoiceId: issued.id,
    invoiceNumber: issued.number ?? '',
    currency: order.currency,
    gross: issued.gross.amount,
  });
  return { orderId, invoiceId: issued.id, invoiceNumber: issued.number ?? '' };
}

/** Cancels what is not yet delivered; its stock is available again. Delivered goods can still be invoiced. */
export async function cancelOrder(
  trx: Tx,
  actor: AuditActor,
  orderId: string,
  version: number,
  reason: string,
): Promise<Order> {
  const order = await lockedOrder(trx, orderId);
  if (order.version !== version) throw staleVersion('sales order');
  if (order.status !== 'confirmed' && order.status !== 'partially_delivered')
    throw errors.orderStatus('cancelled', order.status);
  await releaseReservations(trx, actor, RESERVATION_TYPE, reservationOf(order));
  await trx
    .updateTable('sales_order_lines')
    .set({ cancelled: sql<string>`quantity - delivered` })
    .where('order_id', '=', orderId)
    .execute();
  await setOrderStatus(trx, order, 'cancelled', reason);
  await recordAudit(trx, actor, {
    action: 'sales_order.cancelled',
    entityType: 'sales_order',
    entityId: orderId,
    details: { reason },
  });
  await emit(trx, actor.tenantId, 'salesOrderCancelled', { orderId, number: order.number, reason });
  return getOrder(trx, orderId);
}

// ---- Reading -------------------------------------------------------------------------------

async function deliveriesOf(trx: Tx, orderIds: string[]) {
  if (orderIds.length === 0) return [];
  return trx
    .selectFrom('sales_deliveries')
    .selectAll()
    .where('order_id', 'in', orderIds)
    .orderBy('delivery_date')
    .orderBy('number')
    .execute();
}

export async function getDelivery(trx: Tx, id: string): Promise<Delivery> {
  const row = await trx.selectFrom('sales_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', 'sales.delivery_not_found', 'The delivery does not exist.');
  const base = (await tenantBooks(trx)).baseCurrency;
  const lines = await trx
    .selectFrom('sales_delivery_lines')
    .selectAll()
    .where('delivery_id', '=', id)
    .orderBy('order_line_no')
    .execute();
  return {
    id: row.id,
    number: row.number,
    orderId: row.order_id,
    date: row.delivery_date,
    cost: money(row.cost, base),
    entryId: row.entry_id,
    lines: lines.map((l) => ({
      lineNo: l.order_line_no,
      quantity: new Decimal(l.quantity).toString(),
      cost: money(l.cost, base),
    })),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

function orderLineView(l: OrderLineRow, line: ReturnType<typeof lineView>): Order['lines'][number] {
  return {
    ...line,
    stocked: l.stocked,
    delivered: new Decimal(l.delivered).toString(),
    invoiced: new Decimal(l.invoiced).toString(),
    cancelled: new Decimal(l.cancelled).toString(),
    toDeliver: toDeliver(l).toString(),
    toInvoice: toInvoice(l).toString(),
  };
}

async function toOrders(trx: Tx, rows: OrderRow[]): Promise<Order[]> {
  const ids = rows.map((r) => r.id);
  const lines = await orderLines(trx, ids);
  const quotes = rows.some((r) => r.quote_id)
    ? await trx
        .selectFrom('sales_quotes')
        .select(['id', 'number'])
        .where(
          'id',
          'in',
          rows.flatMap((r) => (r.quote_id ? [r.quote_id] : [])),
        )
        .execute()
    : [];
  const quoteNumber = new Map(quotes.map((q) => [q.id, q.number]));
  const context = await lineContext(
    trx,
    lines,
    rows.map((r) => r.customer_id),
  );
  const deliveries = await deliveriesOf(trx, ids);
  // Invoices are accounting's documents: read through its public surface, not its tables.
  const links = ids.length
    ? await trx
        .selectFrom('sales_order_invoices')
        .select(['order_id', 'invoice_id'])
        .where('order_id', 'in', ids)
        .execute()
    : [];
  const invoices: { order_id: string; document: Awaited<ReturnType<typeof getDocument>> }[] = [];
  for (const link of links)
    invoices.push({ order_id: link.order_id, document: await getDocument(trx, 'invoice', link.invoice_id) });
  invoices.sort((a, b) => (a.document.number ?? '').localeCompare(b.document.number ?? ''));
  const base = (await tenantBooks(trx)).baseCurrency;
  return rows.map((row) => {
    const own = lines.filter((l) => l.order_id === row.id);
    return {
      id: row.id,
      number: row.number,
      status: row.status,
      quote: row.quote_id ? { id: row.quote_id, number: quoteNumber.get(row.quote_id) ?? '' } : null,
      customer: context.customer(row.customer_id),
      currency: row.currency,
      orderDate: row.order_date,
      reference: row.reference,
      lines: own.map((l) => orderLineView(l, context.line(l, row.currency))),
      taxes: taxesOf(own, row.currency),
      net: money(row.net, row.currency),
      tax: money(row.tax, row.currency),
      gross: money(row.gross, row.currency),
      approvalId: row.approval_id,
      flowInstanceId: row.flow_instance_id,
      cancelReason: row.cancel_reason,
      deliveries: deliveries
        .filter((d) => d.order_id === row.id)
        .map((d) => ({
          id: d.id,
          number: d.number,
          orderId: d.order_id,
          date: d.delivery_date,
          cost: money(d.cost, base),
          entryId: d.entry_id,
          createdBy: d.created_by,
          createdAt: d.created_at.toISOString(),
        })),
      invoices: invoices
        .filter((i) => i.order_id === row.id)
        .map((i) => ({ id: i.document.id, number: i.document.number, gross: i.document.gross })),
      createdBy: row.created_by,
      version: row.version,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  });
}

export async function getOrder(trx: Tx, id: string): Promise<Order> {
  const row = await trx.selectFrom('sales_orders').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.orderNotFound();
  return (await toOrders(trx, [row]))[0]!;
}

const orderCursor = z.tuple([z.iso.date(), z.string()]);

/** Sales orders, newest first (by date, then number). */
export async function listOrders(trx: Tx, query: OrderListQuery): Promise<Page<Order>> {
  const after = decodeCursor(query.cursor, orderCursor);
  let select = trx.selectFrom('sales_orders').selectAll();
  if (query.status) select = select.where('status', '=', query.status);
  if (query.customerId) select = select.where('customer_id', '=', query.customerId);
  if (after)
    select = select.where((eb) =>
      eb.or([
        eb('order_date', '<', after[0]),
        eb.and([eb('order_date', '=', after[0]), eb('number', '<', after[1])]),
      ]),
    );
  const rows = await select
    .orderBy('order_date', 'desc')
    .orderBy('number', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = toPage(
    rows,
    query.limit,
    (r) => r,
    (r) => [r.order_date, r.number],
  );
  return { items: await toOrders(trx, page.items), nextCursor: page.nextCursor };
}
