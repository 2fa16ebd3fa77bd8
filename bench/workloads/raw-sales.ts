/**
 * The raw-SQL baselines of the sales workloads: the rows the product writes for an order, a
 * delivery and an invoice (read off the product's code and checked against the statements the
 * devhost sends, BENCH_CAPTURE_SQL, and against pg_stat_user_tables after each run), written by
 * hand over node-postgres as one transaction per business step, under the same app role and
 * row-level security, with the same constraints and triggers firing.
 *
 * Written as an experienced engineer would write them: no reads to build API answers, each table's
 * rows in one insert, the quote written once in its final state, and the statements after the
 * per-tenant document number is taken (its counter row stays locked until commit, so that numbers
 * have no gaps, and every transaction of the tenant that numbers a document waits for it) folded
 * into one data-modifying statement.
 *
 * Per order (one transaction): the 5 conditional reservations on stock balances (in lock order,
 * all or none); the QT and SO numbers and the quote; its lines; then the quote's final status, the
 * flow row, 5 reservations, the order and its lines, 6 audit records, 2 outbox events
 * (FlowStartRequested, SalesOrderConfirmed) and the 3 idempotency keys of the client's requests.
 * Per delivery: the balances locked, then in one statement: issued at the moving-average cost, the
 * DN and JE numbers, the cost-of-sales entry and its lines, the issue document, its lines, the stock
 * moves, the reservations issued, the delivery and its lines, the order lines and status, 3 audit
 * records, 3 events, the idempotency key. Per invoice: the draft invoice and its lines, then in one
 * statement the INV and JE numbers, the receivable/revenue/VAT entry and lines, the invoice issued,
 * the order lines, link and status, 4 audit records, 3 events, the idempotency key.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { events } from '../../shared/platform/events/catalog.js';
import { Decimal } from '../../shared/platform/money.js';
import { inTenantTx } from '../lib/db.js';
import type { FixtureItem, SalesFixture } from '../lib/sales-fixture.js';
import { insertValues, Params, raw } from '../lib/sql.js';

type Dec = InstanceType<typeof Decimal>;

export interface RawUser {
  objectId: string;
  name: string;
}

export interface RawOrder {
  orderId: string;
  orderNumber: string;
  instanceId: string;
  customerId: string;
  paymentTermsDays: number;
  lines: { lineNo: number; item: FixtureItem; warehouseId: string; quantity: number; net: Dec }[];
  net: Dec;
  tax: Dec;
  gross: Dec;
}

const money = (d: Dec) => d.toFixed(4);
const ZERO = new Decimal(0);
const expiry = () => new Date(Date.now() + 72 * 3_600_000);

/*
 * The baseline's audit records and events are written as already archived and relayed (the same
 * one insert each): the devhost stays up during the raw runs, and its relay, consumers and archive
 * must not process the baseline's rows (that would be the product's background work, counted
 * against the baseline, and carried into the next measurement).
 */
export const AUDIT_COLUMNS = [
  'tenant_id',
  'id',
  'actor_id',
  'actor_name',
  'action',
  'entity_type',
  'entity_id',
  'request_id',
  'details',
  'archived_at',
];
export function audit(
  tenantId: string,
  user: RawUser,
  action: string,
  entityType: string,
  entityId: string,
  details: unknown,
) {
  return [
    tenantId,
    randomUUID(),
    user.objectId,
    user.name,
    action,
    entityType,
    entityId,
    randomUUID(),
    detailsOf(details),
    raw('now()'),
  ];
}

export const OUTBOX_COLUMNS = [
  'tenant_id',
  'id',
  'type',
  'version',
  'payload',
  'published_at',
  'archived_at',
];
export function event(tenantId: string, key: keyof typeof events, payload: unknown) {
  const definition = events[key];
  return [
    tenantId,
    randomUUID(),
    definition.type,
    definition.version,
    detailsOf(payload),
    raw('now()'),
    raw('now()'),
  ];
}

export const IDEMPOTENCY_COLUMNS = [
  'tenant_id',
  'key',
  'method',
  'path',
  'request_hash',
  'status_code',
  'response_headers',
  'response_body',
  'expires_at',
];
export function idempotencyKey(tenantId: string, path: string, status: number, body: unknown) {
  return [
    tenantId,
    randomUUID(),
    'POST',
    path,
    randomUUID().replace(/-/g, '').repeat(2),
    status,
    '{"Content-Type":"application/json"}',
    detailsOf(body, false),
    expiry(),
  ];
}

/**
 * JSON text, with the document numbers the same statement draws filled in by the database:
 * `#QT#`, `#SO#`, `#DN#`, `#INV#`, `#JE#` stand for them (numbers CTE `n`).
 */
function detailsOf(value: unknown, json = true) {
  const text = JSON.stringify(value);
  const codes = ['QT', 'SO', 'DN', 'INV', 'JE'].filter((code) => text.includes(`#${code}#`));
  if (codes.length === 0) return text;
  return new NumberedText(text, codes, json);
}

class NumberedText {
  constructor(
    readonly text: string,
    readonly codes: string[],
    readonly json: boolean,
  ) {}
}

/** Rows whose values may be numbered texts: they become `replace(…)` over the numbers CTE `n`. */
function insertNumbered(
  params: Params,
  table: string,
  columns: string[],
  rows: unknown[][],
  suffix = '',
): string {
  return insertValues(
    params,
    table,
    columns,
    rows.map((row) =>
      row.map((v) => {
        if (!(v instanceof NumberedText)) return v;
        let sql = params.p(v.text, 'text');
        for (const code of v.codes)
          sql = `replace(${sql}, '#${code}#', (select number from n where code = '${code}'))`;
        return raw(v.json ? `${sql}::jsonb` : sql);
      }),
    ),
    suffix,
  );
}

/** The per-tenant document numbers (counter rows locked until commit), as CTE `n`. */
function numbersCte(params: Params, tenantId: string, year: number, codes: string[]): string {
  return `n as (
    insert into number_counters (tenant_id, code, year, last_value)
    select ${params.p(tenantId, 'uuid')}, code, ${params.p(year, 'smallint')}, 1 from unnest(${params.p(codes, 'text[]')}) as code
    on conflict (tenant_id, code, year) do update set last_value = number_counters.last_value + 1
    returning code, code || '-' || year || '-' || lpad(last_value::text, 6, '0') as number)`;
}

async function run(client: pg.PoolClient, params: Params, text: string) {
  return client.query(text, params.values);
}

/** The lines priced from the items (no discount), their net, VAT and gross, as the product prices them. */
function priced(picked: { item: FixtureItem; warehouseId: string; quantity: number }[]) {
  const lines = picked.map((p, i) => ({
    lineNo: i + 1,
    ...p,
    net: new Decimal(p.item.price).times(p.quantity).toDecimalPlaces(2, Decimal.ROUND_HALF_UP),
  }));
  const net = lines.reduce((s, l) => s.plus(l.net), ZERO);
  const tax = net.times(lines[0]!.item.taxRate).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  return { lines, net, tax, gross: net.plus(tax) };
}

/** The part of a quote's or order's API answer kept with its idempotency key (the same size). */
function answerBody(
  customer: SalesFixture['customers'][number],
  lines: ReturnType<typeof priced>['lines'],
  net: Dec,
  tax: Dec,
  gross: Dec,
) {
  return {
    customer: { id: customer.id, code: customer.code, name: customer.name },
    lines: lines.map((l) => ({
      lineNo: l.lineNo,
      itemId: l.item.id,
      sku: l.item.sku,
      quantity: l.quantity,
      net: money(l.net),
    })),
    net: money(net),
    tax: money(tax),
    gross: money(gross),
  };
}

/** Reserves the lines' stock with conditional updates in the stable lock order; a short line throws (rolls back). */
async function reserveRaw(
  client: pg.PoolClient,
  tenantId: string,
  lines: { item: FixtureItem; warehouseId: string; quantity: number }[],
): Promise<void> {
  const byKey = [...lines].sort((a, b) =>
    a.item.id === b.item.id ? a.warehouseId.localeCompare(b.warehouseId) : a.item.id.localeCompare(b.item.id),
  );
  for (const line of byKey) {
    const reserved = await client.query(
      `update stock_balances set reserved = reserved + $4::numeric, updated_at = now()
        where tenant_id = $1 and item_id = $2 and warehouse_id = $3 and on_hand - reserved >= $4::numeric`,
      [tenantId, line.item.id, line.warehouseId, line.quantity],
    );
    if (reserved.rowCount !== 1) throw new Error(`raw order: not enough stock of ${line.item.sku}`);
  }
}

const ORDER_LINE_COLUMNS = [
  'tenant_id',
  'order_id',
  'line_no',
  'item_id',
  'warehouse_id',
  'stocked',
  'description',
  'quantity',
  'unit_price',
  'discount_percent',
  'tax_code',
  'tax_rate',
  'net',
];

/** Quote lines (without `stocked`) or order lines, in the column order of their inserts. */
function lineRows(
  tenantId: string,
  owner: string,
  lines: { lineNo: number; item: FixtureItem; warehouseId: string; quantity: number; net: Dec }[],
  order: boolean,
) {
  return lines.map((l) => [
    tenantId,
    owner,
    l.lineNo,
    l.item.id,
    l.warehouseId,
    ...(order ? [true] : []),
    l.item.name,
    l.quantity,
    l.item.price,
    0,
    l.item.taxCode,
    l.item.taxRate,
    money(l.net),
  ]);
}

/** Writes one order as the quote-to-order path leaves it, in one transaction. */
export async function rawOrder(
  client: pg.PoolClient,
  fixture: SalesFixture,
  user: RawUser,
  customer: SalesFixture['customers'][number],
  picked: { item: FixtureItem; warehouseId: string; quantity: number }[],
): Promise<RawOrder> {
  const tenantId = fixture.tenantId;
  const today = fixture.today;
  const { lines, net, tax, gross } = priced(picked);
  const quoteId = randomUUID();
  const orderId = randomUUID();
  const instanceId = randomUUID();
  const validUntil = new Date(Date.parse(`${today}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
  return inTenantTx(client, tenantId, async () => {
    // Stock first, in the stable lock order: a short line rolls everything back.
    await reserveRaw(client, tenantId, lines);

    // The numbers and the quote (its lines need it committed to the statement before theirs).
    let params = new Params();
    const numbered = await run(
      client,
      params,
      `with ${numbersCte(params, tenantId, Number(today.slice(0, 4)), ['QT', 'SO'])},
       q as (insert into sales_quotes (tenant_id, id, number, customer_id, currency, quote_date, valid_until, net, tax, gross, created_by, created_by_id)
             select ${params.p(tenantId)}, ${params.p(quoteId)}, number, ${params.p(customer.id)}, 'ZAR', ${params.p(today)}, ${params.p(validUntil)},
                    ${params.p(money(net))}, ${params.p(money(tax))}, ${params.p(money(gross))}, ${params.p(user.name)}, ${params.p(user.objectId)}
               from n where code = 'QT')
       select code, number from n`,
    );
    const numbers = new Map(
      (numbered.rows as { code: string; number: string }[]).map((r) => [r.code, r.number]),
    );
    const quoteNumber = numbers.get('QT')!;
    const orderNumber = numbers.get('SO')!;
    params = new Params();
    await run(
      client,
      params,
      insertValues(
        params,
        'sales_quote_lines',
        [
          'tenant_id',
          'quote_id',
          'line_no',
          'item_id',
          'warehouse_id',
          'description',
          'quantity',
          'unit_price',
          'discount_percent',
          'tax_code',
          'tax_rate',
          'net',
        ],
        lineRows(tenantId, quoteId, lines, false),
      ),
    );

    // Everything else in one statement.
    params = new Params();
    const quoteBody = { id: quoteId, number: quoteNumber, ...answerBody(customer, lines, net, tax, gross) };
    await run(
      client,
      params,
      `with s as (update sales_quotes set status = 'ordered', flow_instance_id = ${params.p(instanceId)}, outcome = ${params.p(`Sales order ${orderNumber}`)},
                    version = 4, updated_at = now() where tenant_id = ${params.p(tenantId)} and id = ${params.p(quoteId)}),
       f as (insert into flows (tenant_id, instance_id, name, started_by) values (${params.p(tenantId)}, ${params.p(instanceId)}, 'quote-to-order', ${params.p(user.objectId)})),
       r as (${insertValues(
         params,
         'stock_reservations',
         ['tenant_id', 'id', 'reference_type', 'reference_id', 'key', 'item_id', 'warehouse_id', 'quantity'],
         lines.map((l) => [
           tenantId,
           randomUUID(),
           'sales.order',
           instanceId,
           String(l.lineNo),
           l.item.id,
           l.warehouseId,
           l.quantity,
         ]),
       )}),
       o as (insert into sales_orders (tenant_id, id, number, quote_id, customer_id, currency, order_date, net, tax, gross, flow_instance_id, created_by)
             values (${[tenantId, orderId, orderNumber, quoteId, customer.id].map((v) => params.p(v)).join(', ')}, 'ZAR',
                     ${[today, money(net), money(tax), money(gross), instanceId, user.name].map((v) => params.p(v)).join(', ')})),
       ol as (${insertValues(
         params,
         'sales_order_lines',
         ORDER_LINE_COLUMNS,
         lineRows(tenantId, orderId, lines, true),
       )}),
       a as (${insertValues(params, 'audit_log', AUDIT_COLUMNS, [
         audit(tenantId, user, 'quote.created', 'quote', quoteId, {
           number: quoteNumber,
           customerId: customer.id,
           gross: money(gross),
         }),
         audit(tenantId, user, 'quote.sent', 'quote', quoteId, { number: quoteNumber, from: 'draft' }),
         audit(tenantId, user, 'quote.accepted', 'quote', quoteId, { number: quoteNumber, from: 'sent' }),
         audit(tenantId, user, 'stock.reserved', 'stock_reservation', `sales.order:${instanceId}`, {
           lines: lines.map((l) => ({
             key: String(l.lineNo),
             itemId: l.item.id,
             warehouseId: l.warehouseId,
             quantity: String(l.quantity),
           })),
         }),
         audit(tenantId, user, 'quote.ordered', 'quote', quoteId, {
           number: quoteNumber,
           from: 'accepted',
           outcome: `Sales order ${orderNumber}`,
         }),
         audit(tenantId, user, 'sales_order.confirmed', 'sales_order', orderId, {
           number: orderNumber,
           quoteId,
           approvalId: null,
         }),
       ])}),
       e as (${insertValues(params, 'outbox', OUTBOX_COLUMNS, [
         event(tenantId, 'flowStartRequested', {
           instanceId,
           orchestration: 'quote-to-order',
           input: { tenantId, startedBy: { objectId: user.objectId, name: user.name }, args: { quoteId } },
         }),
         event(tenantId, 'salesOrderConfirmed', {
           orderId,
           number: orderNumber,
           quoteId,
           customerId: customer.id,
           currency: 'ZAR',
           net: money(net),
           tax: money(tax),
           gross: money(gross),
           approvalId: null,
           flowInstanceId: instanceId,
         }),
       ])})
       ${insertValues(params, 'idempotency_keys', IDEMPOTENCY_COLUMNS, [
         idempotencyKey(tenantId, '/api/v1/sales/quotes', 201, { ...quoteBody, status: 'draft' }),
         idempotencyKey(tenantId, `/api/v1/sales/quotes/${quoteId}/send`, 200, {
           ...quoteBody,
           status: 'sent',
         }),
         idempotencyKey(tenantId, `/api/v1/sales/quotes/${quoteId}/accept`, 202, {
           instanceId,
           quote: quoteBody,
         }),
       ])}`,
    );
    return {
      orderId,
      orderNumber,
      instanceId,
      customerId: customer.id,
      paymentTermsDays: customer.paymentTermsDays,
      lines,
      net,
      tax,
      gross,
    };
  });
}

/**
 * Writes one order entered directly (`POST /sales/orders`) as the product leaves it, in one
 * transaction: the 5 conditional reservations on stock balances (in lock order, all or none), then
 * in one statement the SO number, 5 reservations, the order and its lines, 2 audit records
 * (stock reserved, order confirmed), the SalesOrderConfirmed event and the idempotency key.
 */
export async function rawDirectOrder(
  client: pg.PoolClient,
  fixture: SalesFixture,
  user: RawUser,
  customer: SalesFixture['customers'][number],
  picked: { item: FixtureItem; warehouseId: string; quantity: number }[],
): Promise<{ orderId: string }> {
  const tenantId = fixture.tenantId;
  const today = fixture.today;
  const { lines, net, tax, gross } = priced(picked);
  const orderId = randomUUID();
  return inTenantTx(client, tenantId, async () => {
    await reserveRaw(client, tenantId, lines);
    const params = new Params();
    const orderBody = {
      id: orderId,
      number: '#SO#',
      status: 'confirmed',
      quote: null,
      ...answerBody(customer, lines, net, tax, gross),
    };
    await run(
      client,
      params,
      `with ${numbersCte(params, tenantId, Number(today.slice(0, 4)), ['SO'])},
       r as (${insertValues(
         params,
         'stock_reservations',
         ['tenant_id', 'id', 'reference_type', 'reference_id', 'key', 'item_id', 'warehouse_id', 'quantity'],
         lines.map((l) => [
           tenantId,
           randomUUID(),
           'sales.order',
           orderId,
           String(l.lineNo),
           l.item.id,
           l.warehouseId,
           l.quantity,
         ]),
       )}),
       o as (insert into sales_orders (tenant_id, id, number, customer_id, currency, order_date, net, tax, gross, created_by)
             select ${[tenantId, orderId].map((v) => params.p(v)).join(', ')}, number, ${params.p(customer.id)}, 'ZAR',
                    ${[today, money(net), money(tax), money(gross), user.name].map((v) => params.p(v)).join(', ')}
               from n where code = 'SO'),
       ol as (${insertValues(
         params,
         'sales_order_lines',
         ORDER_LINE_COLUMNS,
         lineRows(tenantId, orderId, lines, true),
       )}),
       a as (${insertNumbered(params, 'audit_log', AUDIT_COLUMNS, [
         audit(tenantId, user, 'stock.reserved', 'stock_reservation', `sales.order:${orderId}`, {
           lines: lines.map((l) => ({
             key: String(l.lineNo),
             itemId: l.item.id,
             warehouseId: l.warehouseId,
             quantity: String(l.quantity),
           })),
         }),
         audit(tenantId, user, 'sales_order.confirmed', 'sales_order', orderId, {
           number: '#SO#',
           gross: { amount: money(gross), currency: 'ZAR' },
         }),
       ])}),
       e as (${insertNumbered(params, 'outbox', OUTBOX_COLUMNS, [
         event(tenantId, 'salesOrderConfirmed', {
           orderId,
           number: '#SO#',
           quoteId: null,
           customerId: customer.id,
           currency: 'ZAR',
           net: money(net),
           tax: money(tax),
           gross: money(gross),
           approvalId: null,
           flowInstanceId: null,
         }),
       ])})
       ${insertNumbered(params, 'idempotency_keys', IDEMPOTENCY_COLUMNS, [
         idempotencyKey(tenantId, '/api/v1/sales/orders', 201, orderBody),
       ])}`,
    );
    return { orderId };
  });
}

/** A journal entry's header and lines as CTEs `je` and `jl` of a statement that has the numbers CTE `n`. */
function entryCtes(
  params: Params,
  fixture: SalesFixture,
  user: RawUser,
  entry: {
    id: string;
    memo: string;
    source: { type: string; id: string } | null;
    lines: [string, Dec, Dec][];
  },
): string {
  const t = fixture.tenantId;
  return `je as (insert into journal_entries (tenant_id, id, number, entry_date, period_id, memo, currency, exchange_rate, source_type, source_id, posted_by, request_id)
           values (${params.p(t)}, ${params.p(entry.id)}, (select number from n where code = 'JE'), ${params.p(fixture.today)}, ${params.p(fixture.periodId)},
                   ${params.p(entry.memo)}, 'ZAR', 1, ${params.p(entry.source?.type ?? null)}, ${params.p(entry.source?.id ?? null)}, ${params.p(user.name)}, ${params.p(randomUUID())})),
     jl as (${insertValues(
       params,
       'journal_lines',
       [
         'tenant_id',
         'entry_id',
         'line_no',
         'account_id',
         'entry_date',
         'debit',
         'credit',
         'base_debit',
         'base_credit',
       ],
       entry.lines.map(([code, debit, credit], i) => [
         t,
         entry.id,
         i + 1,
         fixture.accounts.get(code),
         fixture.today,
         money(debit),
         money(credit),
         money(debit),
         money(credit),
       ]),
     )})`;
}

/** Delivers the whole order: stock issued from its reservations at the moving-average cost. */
export async function rawDelivery(
  client: pg.PoolClient,
  fixture: SalesFixture,
  user: RawUser,
  order: RawOrder,
): Promise<void> {
  const tenantId = fixture.tenantId;
  const deliveryId = randomUUID();
  const entryId = randomUUID();
  const documentId = randomUUID();
  await inTenantTx(client, tenantId, async () => {
    const { rows } = await client.query<{
      item_id: string;
      warehouse_id: string;
      on_hand: string;
      value: string;
    }>(
      `select item_id, warehouse_id, on_hand::text, value::text from stock_balances
        where tenant_id = $1 and (item_id, warehouse_id) in (select * from unnest($2::uuid[], $3::uuid[]))
        order by item_id, warehouse_id for update`,
      [tenantId, order.lines.map((l) => l.item.id), order.lines.map((l) => l.warehouseId)],
    );
    const balance = new Map(rows.map((r) => [`${r.item_id}/${r.warehouse_id}`, r]));
    const issued = order.lines.map((l) => {
      const b = balance.get(`${l.item.id}/${l.warehouseId}`)!;
      const onHand = new Decimal(b.on_hand);
      const value = new Decimal(b.value);
      const unitCost = value.dividedBy(onHand).toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
      const cost = onHand.equals(l.quantity)
        ? value
        : value.times(l.quantity).dividedBy(onHand).toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
      return { ...l, unitCost, cost };
    });
    const total = issued.reduce((s, l) => s.plus(l.cost), ZERO);
    const params = new Params();
    const t = tenantId;
    await run(
      client,
      params,
      `with ${numbersCte(params, t, Number(fixture.today.slice(0, 4)), ['DN', 'JE'])},
       b as (update stock_balances b set on_hand = b.on_hand - v.q, reserved = b.reserved - v.q, value = b.value - v.cost, updated_at = now()
               from unnest(${params.p(
                 issued.map((l) => l.item.id),
                 'uuid[]',
               )}, ${params.p(
                 issued.map((l) => l.warehouseId),
                 'uuid[]',
               )},
                           ${params.p(
                             issued.map((l) => l.quantity),
                             'numeric[]',
                           )}, ${params.p(
                             issued.map((l) => money(l.cost)),
                             'numeric[]',
                           )})
                    as v(item_id, warehouse_id, q, cost)
              where b.tenant_id = ${params.p(t)} and b.item_id = v.item_id and b.warehouse_id = v.warehouse_id),
       ${entryCtes(params, fixture, user, {
         id: entryId,
         memo: `Cost of goods issued for sales.delivery ${deliveryId}`,
         source: { type: 'sales.delivery', id: deliveryId },
         lines: [
           [fixture.roleAccounts.cost_of_sales, total, ZERO],
           [fixture.roleAccounts.inventory, ZERO, total],
         ],
       })},
       sd as (insert into stock_documents (tenant_id, id, kind, document_date, source_type, source_id, reference_type, reference_id, total_value, entry_id, created_by, request_id)
              values (${[t, documentId].map((v) => params.p(v)).join(', ')}, 'issue', ${params.p(fixture.today)}, 'sales.delivery',
                      ${[deliveryId, 'sales.order', order.instanceId, money(total), entryId, user.name, randomUUID()].map((v) => params.p(v)).join(', ')})),
       sl as (${insertValues(
         params,
         'stock_document_lines',
         [
           'tenant_id',
           'document_id',
           'line_no',
           'item_id',
           'warehouse_id',
           'reservation_key',
           'quantity',
           'unit_cost',
           'value',
         ],
         issued.map((l, i) => [
           t,
           documentId,
           i + 1,
           l.item.id,
           l.warehouseId,
           String(l.lineNo),
           l.quantity,
           money(l.unitCost),
           money(l.cost),
         ]),
       )}),
       sm as (${insertValues(
         params,
         'stock_moves',
         [
           'tenant_id',
           'id',
           'move_date',
           'item_id',
           'warehouse_id',
           'kind',
           'quantity',
           'unit_cost',
           'value',
           'source_type',
           'source_id',
         ],
         issued.map((l) => [
           t,
           randomUUID(),
           fixture.today,
           l.item.id,
           l.warehouseId,
           'issue',
           -l.quantity,
           money(l.unitCost),
           money(l.cost.negated()),
           'sales.delivery',
           deliveryId,
         ]),
       )}),
       r as (update stock_reservations set issued = quantity, status = 'issued', updated_at = now()
              where tenant_id = ${params.p(t)} and reference_type = 'sales.order' and reference_id = ${params.p(order.instanceId)} and status = 'active'),
       d as (insert into sales_deliveries (tenant_id, id, number, order_id, delivery_date, cost, entry_id, created_by)
             values (${params.p(t)}, ${params.p(deliveryId)}, (select number from n where code = 'DN'),
                     ${[order.orderId, fixture.today, money(total), entryId, user.name].map((v) => params.p(v)).join(', ')})),
       dl as (${insertValues(
         params,
         'sales_delivery_lines',
         ['tenant_id', 'delivery_id', 'order_line_no', 'quantity', 'cost'],
         issued.map((l) => [t, deliveryId, l.lineNo, l.quantity, money(l.cost)]),
       )}),
       olu as (update sales_order_lines set delivered = quantity where tenant_id = ${params.p(t)} and order_id = ${params.p(order.orderId)}),
       os as (update sales_orders set status = 'delivered', version = version + 1, updated_at = now()
               where tenant_id = ${params.p(t)} and id = ${params.p(order.orderId)}),
       a as (${insertNumbered(params, 'audit_log', AUDIT_COLUMNS, [
         audit(t, user, 'journal.posted', 'journal_entry', entryId, {
           number: '#JE#',
           source: { type: 'sales.delivery', id: deliveryId },
         }),
         audit(t, user, 'stock.issued', 'stock_issue', documentId, {
           source: { type: 'sales.delivery', id: deliveryId },
           totalCost: money(total),
         }),
         audit(t, user, 'sales_order.delivered', 'sales_order', order.orderId, {
           delivery: '#DN#',
           lines: issued.length,
         }),
       ])}),
       e as (${insertNumbered(params, 'outbox', OUTBOX_COLUMNS, [
         event(t, 'journalEntryPosted', {
           entryId,
           number: '#JE#',
           date: fixture.today,
           currency: 'ZAR',
           source: { type: 'sales.delivery', id: deliveryId },
           reversesEntryId: null,
         }),
         event(t, 'stockIssued', {
           source: { type: 'sales.delivery', id: deliveryId },
           reference: { type: 'sales.order', id: order.instanceId },
           date: fixture.today,
           currency: 'ZAR',
           totalCost: money(total),
           lines: issued.map((l) => ({
             key: String(l.lineNo),
             itemId: l.item.id,
             warehouseId: l.warehouseId,
             quantity: String(l.quantity),
             unitCost: money(l.unitCost),
             cost: money(l.cost),
           })),
           entryId,
         }),
         event(t, 'deliveryPosted', {
           deliveryId,
           number: '#DN#',
           orderId: order.orderId,
           date: fixture.today,
           cost: money(total),
           entryId,
         }),
       ])})
       ${insertNumbered(params, 'idempotency_keys', IDEMPOTENCY_COLUMNS, [
         idempotencyKey(t, `/api/v1/sales/orders/${order.orderId}/deliveries`, 201, {
           id: deliveryId,
           number: '#DN#',
           orderId: order.orderId,
           lines: issued.map((l) => ({ lineNo: l.lineNo, quantity: l.quantity, cost: money(l.cost) })),
         }),
       ])}`,
    );
  });
}

/** Invoices everything delivered: receivable, revenue and VAT posted, the order invoiced. */
export async function rawInvoice(
  client: pg.PoolClient,
  fixture: SalesFixture,
  user: RawUser,
  order: RawOrder,
): Promise<void> {
  const t = fixture.tenantId;
  const invoiceId = randomUUID();
  const entryId = randomUUID();
  const dueDate = new Date(Date.parse(`${fixture.today}T00:00:00Z`) + order.paymentTermsDays * 86_400_000)
    .toISOString()
    .slice(0, 10);
  await inTenantTx(client, t, async () => {
    // The draft and its lines (the lines may only join a draft, so they need it written first).
    await client.query(
      `insert into trade_documents (tenant_id, id, ledger, kind, party_id, currency, issue_date, due_date, reference, memo, net, tax, gross, created_by)
       values ($1, $2, 'receivable', 'invoice', $3, 'ZAR', $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        t,
        invoiceId,
        order.customerId,
        fixture.today,
        dueDate,
        order.orderNumber,
        `Sales order ${order.orderNumber}`,
        money(order.net),
        money(order.tax),
        money(order.gross),
        user.name,
      ],
    );
    let params = new Params();
    await run(
      client,
      params,
      insertValues(
        params,
        'trade_document_lines',
        [
          'tenant_id',
          'document_id',
          'line_no',
          'description',
          'account_id',
          'quantity',
          'unit_price',
          'discount_percent',
          'net',
          'tax_code',
          'tax_rate',
        ],
        order.lines.map((l) => [
          t,
          invoiceId,
          l.lineNo,
          l.item.name,
          fixture.accounts.get('4000'),
          l.quantity,
          l.item.price,
          0,
          money(l.net),
          l.item.taxCode,
          l.item.taxRate,
        ]),
      ),
    );
    params = new Params();
    await run(
      client,
      params,
      `with ${numbersCte(params, t, Number(fixture.today.slice(0, 4)), ['INV', 'JE'])},
       ${entryCtes(params, fixture, user, {
         id: entryId,
         memo: `Invoice for sales order ${order.orderNumber}`,
         source: { type: 'accounting.invoice', id: invoiceId },
         lines: [
           [fixture.roleAccounts.receivable, order.gross, ZERO],
           ['4000', ZERO, order.net],
           [fixture.roleAccounts.vat_output, ZERO, order.tax],
         ],
       })},
       i as (update trade_documents set status = 'issued', number = (select number from n where code = 'INV'), exchange_rate = 1, base_gross = gross,
                    entry_id = ${params.p(entryId)}, issued_by = ${params.p(user.name)}, issued_at = now(), version = version + 1, updated_at = now()
              where tenant_id = ${params.p(t)} and id = ${params.p(invoiceId)}),
       olu as (update sales_order_lines set invoiced = delivered where tenant_id = ${params.p(t)} and order_id = ${params.p(order.orderId)}),
       oi as (insert into sales_order_invoices (tenant_id, order_id, invoice_id) values (${params.p(t)}, ${params.p(order.orderId)}, ${params.p(invoiceId)})),
       os as (update sales_orders set status = 'invoiced', version = version + 1, updated_at = now()
               where tenant_id = ${params.p(t)} and id = ${params.p(order.orderId)}),
       a as (${insertNumbered(params, 'audit_log', AUDIT_COLUMNS, [
         audit(t, user, 'invoice.drafted', 'invoice', invoiceId, { partyId: order.customerId }),
         audit(t, user, 'journal.posted', 'journal_entry', entryId, {
           number: '#JE#',
           source: { type: 'accounting.invoice', id: invoiceId },
         }),
         audit(t, user, 'invoice.issued', 'invoice', invoiceId, {
           number: '#INV#',
           entryId,
           gross: money(order.gross),
           currency: 'ZAR',
         }),
         audit(t, user, 'sales_order.invoiced', 'sales_order', order.orderId, { invoice: '#INV#' }),
       ])}),
       e as (${insertNumbered(params, 'outbox', OUTBOX_COLUMNS, [
         event(t, 'journalEntryPosted', {
           entryId,
           number: '#JE#',
           date: fixture.today,
           currency: 'ZAR',
           source: { type: 'accounting.invoice', id: invoiceId },
           reversesEntryId: null,
         }),
         event(t, 'invoiceIssued', {
           invoiceId,
           customerId: order.customerId,
           number: '#INV#',
           currency: 'ZAR',
           gross: money(order.gross),
           net: money(order.net),
           tax: money(order.tax),
           issueDate: fixture.today,
           dueDate,
           entryId,
         }),
         event(t, 'salesOrderInvoiced', {
           orderId: order.orderId,
           number: order.orderNumber,
           invoiceId,
           invoiceNumber: '#INV#',
           currency: 'ZAR',
           gross: money(order.gross),
         }),
       ])})
       ${insertNumbered(params, 'idempotency_keys', IDEMPOTENCY_COLUMNS, [
         idempotencyKey(t, `/api/v1/sales/orders/${order.orderId}/invoices`, 201, {
           id: order.orderId,
           number: order.orderNumber,
           status: 'invoiced',
           invoices: [{ id: invoiceId, number: '#INV#', gross: money(order.gross) }],
           lines: order.lines.map((l) => ({ lineNo: l.lineNo, quantity: l.quantity, invoiced: l.quantity })),
         }),
       ])}`,
    );
  });
}

/** One journal entry of the journal workload, in one statement after BEGIN: number, entry, lines, event, audit, key. */
export async function rawJournalEntry(
  client: pg.PoolClient,
  fixture: SalesFixture,
  user: RawUser,
  body: { date: string; memo: string; lines: { account: string; debit?: string; credit?: string }[] },
): Promise<void> {
  const t = fixture.tenantId;
  const id = randomUUID();
  await inTenantTx(client, t, async () => {
    const params = new Params();
    await run(
      client,
      params,
      `with ${numbersCte(params, t, Number(body.date.slice(0, 4)), ['JE'])},
       ${entryCtes(params, fixture, user, {
         id,
         memo: body.memo,
         source: null,
         lines: body.lines.map((l) => [l.account, new Decimal(l.debit ?? 0), new Decimal(l.credit ?? 0)]),
       })},
       e as (${insertNumbered(params, 'outbox', OUTBOX_COLUMNS, [
         event(t, 'journalEntryPosted', {
           entryId: id,
           number: '#JE#',
           date: body.date,
           currency: 'ZAR',
           source: null,
           reversesEntryId: null,
         }),
       ])}),
       a as (${insertNumbered(params, 'audit_log', AUDIT_COLUMNS, [audit(t, user, 'journal.posted', 'journal_entry', id, { number: '#JE#', source: null })])})
       ${insertNumbered(params, 'idempotency_keys', IDEMPOTENCY_COLUMNS, [
         idempotencyKey(t, '/api/v1/accounting/journal-entries', 201, { id, number: '#JE#', ...body }),
       ])}`,
    );
  });
}
