import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import { activeTaxCodes, addDays, getParty, lineNet, rateOn, tenantBooks } from '../accounting/index.js';
import { getItemsByIds, getWarehousesByIds, type KnownStockPlaces } from '../inventory/index.js';
import { auditRow, insertNumberedAuditSql, recordAudit, type AuditActor } from '../../platform/audit.js';
import { todayIn } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import { AppError, staleVersion } from '../../platform/errors.js';
import { requestFlow, type FlowStarter } from '../../platform/flows.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import { Decimal, minorUnits } from '../../platform/money.js';
import { assertNumberSeries, takeNumberSql } from '../../platform/numbers.js';
import { salesErrors as errors } from './errors.js';
import { lineContext, money, taxesOf, totalsOf } from './views.js';
import type { Quote, QuoteCreateInput, QuoteLineInput, QuoteListQuery, QuotePatchInput } from './schemas.js';
import type { QuoteStatus, SalesQuoteLinesTable, SalesQuotesTable } from './tables.js';

type Dec = InstanceType<typeof Decimal>;
type QuoteRow = Selectable<SalesQuotesTable>;
type LineRow = Selectable<SalesQuoteLinesTable>;

/** The durable flow that turns an accepted quote into an order. */
export const QUOTE_TO_ORDER = 'quote-to-order';
/** Days a quote stays valid when its validity is not given. */
export const QUOTE_VALIDITY_DAYS = 30;

export async function activeCustomer(trx: Tx, id: string, path = 'customerId') {
  try {
    const customer = await getParty(trx, 'customer', id);
    if (!customer.active) throw errors.inactiveCustomer(path);
    return customer;
  } catch (error) {
    if (error instanceof AppError && error.kind === 'not_found') throw errors.unknownCustomer(path);
    throw error;
  }
}

export interface PricedLine {
  itemId: string;
  /** The item's SKU and unit, and the warehouse's code, as the API shows them beside the line. */
  sku: string;
  uom: string;
  warehouseCode: string | null;
  warehouseId: string | null;
  stocked: boolean;
  description: string;
  quantity: string;
  unitPrice: string;
  discountPercent: string;
  taxCode: string;
  taxRate: string;
  net: Dec;
}

/**
 * Prices quote lines: the item's name, price (converted to the quote's currency at the quote
 * date's rate, when it is not the base currency) and tax code unless the line gives its own, a
 * warehouse for every stock item and none for services, and the net after discount rounded for
 * the currency.
 */
export async function priceLines(
  trx: Tx,
  lines: QuoteLineInput[],
  currency: string,
  date: string,
): Promise<PricedLine[]> {
  return (await priceLinesKnowing(trx, lines, currency, date)).lines;
}

/** `priceLines`, also handing over the items and warehouses it read (to reserve them next). */
export async function priceLinesKnowing(
  trx: Tx,
  lines: QuoteLineInput[],
  currency: string,
  date: string,
): Promise<{ lines: PricedLine[]; known: KnownStockPlaces }> {
  const books = await tenantBooks(trx);
  const items = new Map(
    (await getItemsByIds(trx, [...new Set(lines.map((l) => l.itemId))])).map((i) => [i.id, i]),
  );
  const warehouseIds = [...new Set(lines.flatMap((l) => (l.warehouseId ? [l.warehouseId] : [])))];
  const warehouses = new Map((await getWarehousesByIds(trx, warehouseIds)).map((w) => [w.id, w]));
  const places = minorUnits(currency);
  let rate: Dec | undefined;
  const priced: PricedLine[] = [];
  for (const [i, line] of lines.entries()) {
    const path = `lines.${i}`;
    const item = items.get(line.itemId);
    if (!item) throw errors.unknownItem(`${path}.itemId`);
    if (!item.active) throw errors.inactiveItem(`${path}.itemId`, item.sku);
    const stocked = item.kind === 'stock';
    if (stocked && !line.warehouseId) throw errors.warehouseRequired(`${path}.warehouseId`, item.sku);
    if (!stocked && line.warehouseId) throw errors.warehouseNotForService(`${path}.warehouseId`, item.sku);
    if (line.warehouseId) {
      const warehouse = warehouses.get(line.warehouseId);
      if (!warehouse || !warehouse.active) throw errors.unknownWarehouse(`${path}.warehouseId`);
    }
    let unitPrice = line.unitPrice;
    if (unitPrice !== undefined && new Decimal(unitPrice).decimalPlaces() > Math.max(places, 4))
      throw errors.amountScale(`${path}.unitPrice`, currency, 4);
    if (unitPrice === undefined) {
      let price = new Decimal(item.salesPrice.amount);
      if (currency !== item.salesPrice.currency) {
        if (!rate) {
          const found = await rateOn(trx, currency, date);
          if (!found) throw errors.noRate(`${path}.unitPrice`, currency, books.baseCurrency, date);
          rate = new Decimal(found);
        }
        // Rates are base units per unit of the foreign currency.
        price = price.dividedBy(rate);
      }
      price = price.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
      if (price.lessThanOrEqualTo(0)) throw errors.priceRequired(`${path}.unitPrice`, item.sku);
      unitPrice = price.toFixed(places);
    }
    priced.push({
      itemId: item.id,
      sku: item.sku,
      uom: item.uom,
      warehouseCode: line.warehouseId ? warehouses.get(line.warehouseId)!.code : null,
      warehouseId: line.warehouseId ?? null,
      stocked,
      description: line.description ?? item.name,
      quantity: line.quantity,
      unitPrice,
      discountPercent: line.discountPercent ?? '0',
      taxCode: line.taxCode ?? item.taxCode,
      taxRate: '0',
      net: lineNet(line.quantity, unitPrice, line.discountPercent ?? '0', currency),
    });
  }
  const rates = await activeTaxCodes(
    trx,
    priced.map((l) => l.taxCode),
  );
  for (const [i, line] of priced.entries()) {
    const taxRate = rates.get(line.taxCode);
    if (taxRate === undefined) throw errors.unknownTaxCode(`lines.${i}.taxCode`, line.taxCode);
    line.taxRate = taxRate;
  }
  return { lines: priced, known: { items, warehouses } };
}

/** The columns a priced line has on a quote and on an order alike. */
export const pricedLineColumns = (l: PricedLine) => ({
  item_id: l.itemId,
  warehouse_id: l.warehouseId,
  description: l.description,
  quantity: l.quantity,
  unit_price: l.unitPrice,
  discount_percent: l.discountPercent,
  tax_code: l.taxCode,
  tax_rate: l.taxRate,
  net: l.net.toFixed(4),
});

async function writeLines(trx: Tx, tenantId: string, quoteId: string, lines: PricedLine[]): Promise<void> {
  await trx
    .insertInto('sales_quote_lines')
    .values(
      lines.map((l, i) => ({
        tenant_id: tenantId,
        quote_id: quoteId,
        line_no: i + 1,
        ...pricedLineColumns(l),
      })),
    )
    .execute();
}

export async function createQuote(trx: Tx, actor: AuditActor, input: QuoteCreateInput): Promise<Quote> {
  const books = await tenantBooks(trx);
  const customer = await activeCustomer(trx, input.customerId);
  const currency = input.currency ?? customer.currency;
  const quoteDate = input.quoteDate ?? todayIn(books.timeZone);
  const validUntil = input.validUntil ?? addDays(quoteDate, QUOTE_VALIDITY_DAYS);
  if (validUntil < quoteDate) throw errors.validity();
  const lines = await priceLines(trx, input.lines, currency, quoteDate);
  const sums = totalsOf(lines, currency);
  const id = randomUUID();
  // The QT number is taken by the statement that writes the quote, its lines and its audit record,
  // so the counter row is locked only from here to commit.
  const audit = auditRow(actor, {
    action: 'quote.created',
    entityType: 'quote',
    entityId: id,
    details: { number: '', customerId: customer.id, gross: money(sums.gross, currency) },
  });
  const written = await sql<{ number: string }>`
    with n as (${takeNumberSql(books.id, 'QT', quoteDate)}),
    q as (
      insert into sales_quotes (tenant_id, id, number, customer_id, currency, quote_date, valid_until, reference, notes,
                                net, tax, gross, created_by, created_by_id)
      select ${books.id}::uuid, ${id}::uuid, n.number, ${customer.id}::uuid, ${currency}, ${quoteDate}::date,
             ${validUntil}::date, ${input.reference ?? null}, ${input.notes ?? null}, ${sums.net.toFixed(4)}::numeric,
             ${sums.tax.toFixed(4)}::numeric, ${sums.gross.toFixed(4)}::numeric, ${actor.name}, ${actor.objectId}
        from n
      returning number),
    l as (
      insert into sales_quote_lines (tenant_id, quote_id, line_no, item_id, warehouse_id, description, quantity,
                                     unit_price, discount_percent, tax_code, tax_rate, net)
      select ${books.id}::uuid, ${id}::uuid, v.line_no, v.item_id, v.warehouse_id, v.description, v.quantity,
             v.unit_price, v.discount_percent, v.tax_code, v.tax_rate, v.net
        from q cross join (values ${sql.join(
          lines.map((l, i) => {
            const c = pricedLineColumns(l);
            return sql`(${i + 1}::smallint, ${c.item_id}::uuid, ${c.warehouse_id}::uuid, ${c.description}::text,
                        ${c.quantity}::numeric, ${c.unit_price}::numeric, ${c.discount_percent}::numeric,
                        ${c.tax_code}::text, ${c.tax_rate}::numeric, ${c.net}::numeric)`;
          }),
        )}) as v (line_no, item_id, warehouse_id, description, quantity, unit_price, discount_percent, tax_code,
                  tax_rate, net)),
    a as (${insertNumberedAuditSql(audit, 'q')})
    select number from q`.execute(trx);
  if (!written.rows[0]) {
    await assertNumberSeries(trx, 'QT');
    throw new Error('A quote was not written.');
  }
  return getQuote(trx, id);
}

async function lockedQuote(trx: Tx, id: string): Promise<QuoteRow> {
  const row = await trx
    .selectFrom('sales_quotes')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw errors.quoteNotFound();
  return row;
}

/** Changes a draft quote; lines, when given, replace its lines. Totals are always computed again. */
export async function changeQuote(
  trx: Tx,
  actor: AuditActor,
  id: string,
  version: number,
  patch: QuotePatchInput,
): Promise<Quote> {
  const row = await lockedQuote(trx, id);
  if (row.version !== version) throw staleVersion('quote');
  if (row.status !== 'draft') throw errors.quoteNotDraft(row.status);
  if (patch.customerId) await activeCustomer(trx, patch.customerId);
  const currency = patch.currency ?? row.currency;
  const quoteDate = patch.quoteDate ?? row.quote_date;
  const validUntil = patch.validUntil ?? row.valid_until;
  if (validUntil < quoteDate) throw errors.validity();
  const inputs: QuoteLineInput[] =
    patch.lines ??
    (await linesOf(trx, [id])).map((l) => ({
      itemId: l.item_id,
      ...(l.warehouse_id ? { warehouseId: l.warehouse_id } : {}),
      description: l.description,
      quantity: l.quantity,
      // A change of currency prices the lines again from the items; otherwise they keep their price.
      ...(patch.currency && patch.currency !== row.currency ? {} : { unitPrice: l.unit_price }),
      discountPercent: l.discount_percent,
      taxCode: l.tax_code,
    }));
  const lines = await priceLines(trx, inputs, currency, quoteDate);
  const sums = totalsOf(lines, currency);
  await trx.deleteFrom('sales_quote_lines').where('quote_id', '=', id).execute();
  await writeLines(trx, row.tenant_id, id, lines);
  await trx
    .updateTable('sales_quotes')
    .set({
      ...(patch.customerId !== undefined && { customer_id: patch.customerId }),
      currency,
      quote_date: quoteDate,
      valid_until: validUntil,
      ...(patch.reference !== undefined && { reference: patch.reference }),
      ...(patch.notes !== undefined && { notes: patch.notes }),
      net: sums.net.toFixed(4),
      tax: sums.tax.toFixed(4),
      gross: sums.gross.toFixed(4),
      version: sql<number>`version + 1`,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
  await recordAudit(trx, actor, {
    action: 'quote.changed',
    entityType: 'quote',
    entityId: id,
    details: { fields: Object.keys(patch) },
  });
  return getQuote(trx, id);
}

async function setStatus(
  trx: Tx,
  actor: AuditActor,
  row: QuoteRow,
  status: QuoteStatus,
  extra: { flow_instance_id?: string; outcome?: string | null } = {},
): Promise<void> {
  await trx
    .updateTable('sales_quotes')
    .set({ status, ...extra, version: sql<number>`version + 1`, updated_at: new Date() })
    .where('id', '=', row.id)
    .execute();
  await recordAudit(trx, actor, {
    action: `quote.${status}`,
    entityType: 'quote',
    entityId: row.id,
    details: { number: row.number, from: row.status, ...(extra.outcome ? { outcome: extra.outcome } : {}) },
  });
}

/** Marks a draft quote as sent to the customer: from now on it cannot change. */
export async function sendQuote(trx: Tx, actor: AuditActor, id: string, version: number): Promise<Quote> {
  const row = await lockedQuote(trx, id);
  if (row.version !== version) throw staleVersion('quote');
  if (row.status !== 'draft') throw errors.quoteStatus('sent', row.status);
  await setStatus(trx, actor, row, 'sent');
  return getQuote(trx, id);
}

/** The customer turned the quote down. */
export async function rejectQuote(
  trx: Tx,
  actor: AuditActor,
  id: string,
  version: number,
  reason: string | undefined,
): Promise<Quote> {
  const row = await lockedQuote(trx, id);
  if (row.version !== version) throw staleVersion('quote');
  if (row.status !== 'draft' && row.status !== 'sent') throw errors.quoteStatus('rejected', row.status);
  await setStatus(trx, actor, row, 'rejected', {
    outcome: reason ? `Rejected by the customer: ${reason}` : null,
  });
  return getQuote(trx, id);
}

/**
 * The customer accepted the quote: the quote-to-order flow is asked for in the same transaction
 * (it checks credit, reserves stock, asks for approval when needed and makes the order). A quote
 * past its validity cannot be accepted; one whose last acceptance failed (stock was short) can be
 * accepted again.
 */
export async function acceptQuote(
  trx: Tx,
  starter: FlowStarter,
  id: string,
  version: number,
): Promise<{ quote: Quote; instanceId: string; location: string }> {
  const row = await lockedQuote(trx, id);
  if (row.version !== version) throw staleVersion('quote');
  if (row.status !== 'draft' && row.status !== 'sent') throw errors.quoteStatus('accepted', row.status);
  const books = await tenantBooks(trx);
  if (row.valid_until < todayIn(books.timeZone)) throw errors.quoteExpired(row.valid_until);
  const actor: AuditActor = starter;
  const { instanceId, location } = await requestFlow(trx, starter, QUOTE_TO_ORDER, { quoteId: id });
  await setStatus(trx, actor, row, 'accepted', { flow_instance_id: instanceId, outcome: null });
  return { quote: await getQuote(trx, id), instanceId, location };
}

/** Quotes still open after their validity expire (a daily timer); returns how many. */
export async function expireQuotes(trx: Tx, actor: AuditActor): Promise<number> {
  const books = await tenantBooks(trx);
  const today = todayIn(books.timeZone);
  const rows = await trx
    .selectFrom('sales_quotes')
    .selectAll()
    .where('status', 'in', ['draft', 'sent'])
    .where('valid_until', '<', today)
    .forUpdate()
    .skipLocked()
    .execute();
  for (const row of rows)
    await setStatus(trx, actor, row, 'expired', { outcome: `Not accepted by ${row.valid_until}` });
  return rows.length;
}

// ---- Reading -------------------------------------------------------------------------------

export async function linesOf(trx: Tx, quoteIds: string[]): Promise<LineRow[]> {
  if (quoteIds.length === 0) return [];
  return trx
    .selectFrom('sales_quote_lines')
    .selectAll()
    .where('quote_id', 'in', quoteIds)
    .orderBy('quote_id')
    .orderBy('line_no')
    .execute();
}

async function toQuotes(trx: Tx, rows: QuoteRow[]): Promise<Quote[]> {
  const ids = rows.map((r) => r.id);
  const lines = await linesOf(trx, ids);
  const context = await lineContext(
    trx,
    lines,
    rows.map((r) => r.customer_id),
  );
  const orders = ids.length
    ? await trx.selectFrom('sales_orders').select(['id', 'quote_id']).where('quote_id', 'in', ids).execute()
    : [];
  const orderOf = new Map(orders.map((o) => [o.quote_id, o.id]));
  return rows.map((row) => {
    const own = lines.filter((l) => l.quote_id === row.id);
    return {
      id: row.id,
      number: row.number,
      status: row.status,
      customer: context.customer(row.customer_id),
      currency: row.currency,
      quoteDate: row.quote_date,
      validUntil: row.valid_until,
      reference: row.reference,
      notes: row.notes,
      lines: own.map((l) => context.line(l, row.currency)),
      taxes: taxesOf(own, row.currency),
      net: money(row.net, row.currency),
      tax: money(row.tax, row.currency),
      gross: money(row.gross, row.currency),
      flow: row.flow_instance_id
        ? { instanceId: row.flow_instance_id, statusUrl: `/api/v1/flows/${row.flow_instance_id}` }
        : null,
      outcome: row.outcome,
      orderId: orderOf.get(row.id) ?? null,
      createdBy: row.created_by,
      version: row.version,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  });
}

export async function getQuote(trx: Tx, id: string): Promise<Quote> {
  const row = await trx.selectFrom('sales_quotes').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.quoteNotFound();
  return (await toQuotes(trx, [row]))[0]!;
}

const quoteCursor = z.tuple([z.iso.date(), z.string()]);

/** Quotes, newest first (by date, then number). */
export async function listQuotes(trx: Tx, query: QuoteListQuery): Promise<Page<Quote>> {
  const after = decodeCursor(query.cursor, quoteCursor);
  let select = trx.selectFrom('sales_quotes').selectAll();
  if (query.status) select = select.where('status', '=', query.status);
  if (query.customerId) select = select.where('customer_id', '=', query.customerId);
  if (after)
    select = select.where((eb) =>
      eb.or([
        eb('quote_date', '<', after[0]),
        eb.and([eb('quote_date', '=', after[0]), eb('number', '<', after[1])]),
      ]),
    );
  const rows = await select
    .orderBy('quote_date', 'desc')
    .orderBy('number', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = toPage(
    rows,
    query.limit,
    (r) => r,
    (r) => [r.quote_date, r.number],
  );
  return { items: await toQuotes(trx, page.items), nextCursor: page.nextCursor };
}

/** The quote row for the flow: locked, so the flow's steps and a user's action never interleave. */
export async function quoteForFlow(trx: Tx, id: string): Promise<QuoteRow> {
  return lockedQuote(trx, id);
}

/** The flow ended without an order: the quote can be accepted again once the cause is fixed. */
export async function markQuoteOutcome(
  trx: Tx,
  actor: AuditActor,
  id: string,
  status: 'sent' | 'ordered' | 'rejected' | 'expired',
  outcome: string,
): Promise<void> {
  const row = await lockedQuote(trx, id);
  if (row.status !== 'accepted') return;
  await setStatus(trx, actor, row, status, { outcome });
}
