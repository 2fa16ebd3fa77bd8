import { randomUUID } from 'node:crypto';
import { auditRow, recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/database.js';
import type { FieldError } from '../../platform/errors.js';
import { emit } from '../../platform/events/outbox.js';
import { parseOrThrow } from '../../platform/http/validation.js';
import { Decimal } from '../../platform/money.js';
import { tenantBooks } from '../accounting/index.js';
import { averageCost, balanceOf, dbAmount, outgoingCost, quantityString, ZERO, type Dec } from './costing.js';
import { inventoryErrors as errors } from './errors.js';
import { postStockEntry } from './postings.js';
import * as repo from './repository.js';
import {
  issueRequestSchema,
  reservationRequestSchema,
  type IssueRequest,
  type IssueResult,
  type ReleasedReservation,
  type Reservation,
  type ReservationRequest,
} from './schemas.js';
import { announceCrossings } from './stock-documents.js';

/**
 * Stock held for other modules' documents (a sales order, say), then issued from the warehouse
 * or given back. Callers pass their own tenant transaction; each call is idempotent, so a retried
 * activity or a redelivered event changes nothing the second time.
 *
 * Invariant: a balance's `reserved` is the sum of what its active reservations still hold.
 */

function toReservation(row: repo.ReservationRow): Reservation {
  return {
    id: row.id,
    referenceType: row.reference_type,
    referenceId: row.reference_id,
    key: row.key,
    itemId: row.item_id,
    warehouseId: row.warehouse_id,
    quantity: quantityString(row.quantity),
    issued: quantityString(row.issued),
    released: quantityString(row.released),
    status: row.status,
  };
}

const outstanding = (row: repo.ReservationRow): Dec =>
  new Decimal(row.quantity).minus(row.issued).minus(row.released);

/** What a caller already read of the items and warehouses it reserves, in this transaction. */
export interface KnownStockPlaces {
  items: ReadonlyMap<string, Pick<repo.ItemRow, 'id' | 'sku' | 'kind' | 'active'>>;
  warehouses: ReadonlyMap<string, Pick<repo.WarehouseRow, 'id' | 'code' | 'active'>>;
}

/**
 * Reserves stock for a reference, all lines or none. Lines of the same item and warehouse are
 * added up and the totals taken by one statement (`on_hand - reserved >= quantity` for each), in
 * the stable lock order, which also writes the reservations and their audit record. If any is
 * short, nothing is written and the 409 names every short line. A reference that already holds
 * reservations gets them back unchanged.
 *
 * `newReference`: the caller made the reference in this transaction (a new order's id), so no
 * other transaction can hold or be reserving for it, and it holds nothing yet. `known`: the items
 * and warehouses the caller read in this transaction (the others are read here).
 */
export async function reserveStock(
  trx: Tx,
  actor: AuditActor,
  request: ReservationRequest,
  options: { newReference?: boolean; known?: KnownStockPlaces } = {},
): Promise<Reservation[]> {
  const input = parseOrThrow(reservationRequestSchema, request);
  const keys = new Set<string>();
  input.lines.forEach((line, i) => {
    if (keys.has(line.key)) throw errors.duplicateKey(`lines.${i}.key`);
    keys.add(line.key);
  });
  const books = await tenantBooks(trx);
  if (!options.newReference) {
    await repo.lockReference(trx, books.id, input.referenceType, input.referenceId);
    const existing = await repo.liveReservations(trx, input.referenceType, input.referenceId);
    if (existing.length > 0) return existing.map(toReservation);
  }

  const items = await knownOrRead(
    options.known?.items,
    input.lines.map((l) => l.itemId),
    (ids) => repo.itemsByIds(trx, ids),
  );
  const warehouses = await knownOrRead(
    options.known?.warehouses,
    input.lines.map((l) => l.warehouseId),
    (ids) => repo.warehousesByIds(trx, ids),
  );
  const groups = new Map<string, { key: repo.StockKey; quantity: Dec; lines: number[] }>();
  input.lines.forEach((line, i) => {
    const item = items.get(line.itemId);
    if (!item) throw errors.unknownItem(`lines.${i}.itemId`, line.itemId);
    if (item.kind !== 'stock') throw errors.serviceItem(`lines.${i}.itemId`, item.sku);
    if (!item.active) throw errors.inactiveItem(`lines.${i}.itemId`, item.sku);
    const warehouse = warehouses.get(line.warehouseId);
    if (!warehouse) throw errors.unknownWarehouse(`lines.${i}.warehouseId`, line.warehouseId);
    if (!warehouse.active) throw errors.inactiveWarehouse(`lines.${i}.warehouseId`, warehouse.code);
    const key = { itemId: item.id, warehouseId: warehouse.id };
    const group = groups.get(repo.keyOf(key)) ?? { key, quantity: ZERO, lines: [] };
    group.quantity = group.quantity.plus(line.quantity);
    group.lines.push(i);
    groups.set(repo.keyOf(key), group);
  });

  const rows: repo.NewReservation[] = input.lines.map((line) => ({
    id: randomUUID(),
    key: line.key,
    itemId: line.itemId,
    warehouseId: line.warehouseId,
    quantity: dbAmount(new Decimal(line.quantity)),
  }));
  const taken = await repo.reserveAll(trx, {
    wanted: repo.lockOrder([...groups.values()].map((g) => g.key)).map((key) => ({
      key,
      quantity: dbAmount(groups.get(repo.keyOf(key))!.quantity),
    })),
    reference: { tenantId: books.id, type: input.referenceType, id: input.referenceId },
    rows,
    audit: auditRow(actor, {
      action: 'stock.reserved',
      entityType: 'stock_reservation',
      entityId: `${input.referenceType}:${input.referenceId}`,
      details: { lines: input.lines },
    }),
  });
  if (!taken.reserved) {
    const fieldErrors: FieldError[] = [...groups.values()]
      .filter(
        (g) => !new Decimal(taken.available.get(repo.keyOf(g.key)) ?? '0').greaterThanOrEqualTo(g.quantity),
      )
      .flatMap((g) =>
        g.lines.map((i) => ({
          i,
          path: `lines.${i}.quantity`,
          message: `Only ${quantityString(taken.available.get(repo.keyOf(g.key)) ?? '0')} available in ${
            warehouses.get(g.key.warehouseId)?.code
          }`,
        })),
      )
      .sort((a, b) => a.i - b.i)
      .map(({ path, message }) => ({ path, message }));
    throw errors.insufficientStock(fieldErrors);
  }

  await announceCrossings(
    trx,
    books.id,
    input.lines.map((l) => ({ itemId: l.itemId, change: new Decimal(l.quantity).negated() })),
    taken.levels,
    'before',
  );
  return rows.map((row) => ({
    id: row.id,
    referenceType: input.referenceType,
    referenceId: input.referenceId,
    key: row.key,
    itemId: row.itemId,
    warehouseId: row.warehouseId,
    quantity: quantityString(row.quantity),
    issued: '0',
    released: '0',
    status: 'active',
  }));
}

/** The rows the caller knows, with the others read (once) by `read`. */
async function knownOrRead<T extends { id: string }>(
  known: ReadonlyMap<string, T> | undefined,
  ids: string[],
  read: (ids: string[]) => Promise<T[]>,
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const row = known?.get(id);
    if (row) found.set(id, row);
    else missing.push(id);
  }
  for (const row of await read(missing)) found.set(row.id, row);
  return found;
}

/**
 * Gives back what a reference still holds (reserved and not issued) to available stock. Calling it
 * again, or for a reference that holds nothing, changes nothing.
 */
export async function releaseReservations(
  trx: Tx,
  actor: AuditActor,
  referenceType: string,
  referenceId: string,
): Promise<{ released: ReleasedReservation[] }> {
  const books = await tenantBooks(trx);
  await repo.lockReference(trx, books.id, referenceType, referenceId);
  const active = (await repo.liveReservations(trx, referenceType, referenceId)).filter(
    (r) => r.status === 'active',
  );
  if (active.length === 0) return { released: [] };
  const totals = new Map<string, { key: repo.StockKey; quantity: Dec }>();
  for (const row of active) {
    const key = { itemId: row.item_id, warehouseId: row.warehouse_id };
    const total = totals.get(repo.keyOf(key)) ?? { key, quantity: ZERO };
    total.quantity = total.quantity.plus(outstanding(row));
    totals.set(repo.keyOf(key), total);
  }
  for (const key of repo.lockOrder([...totals.values()].map((t) => t.key)))
    await repo.unreserve(trx, key, dbAmount(totals.get(repo.keyOf(key))!.quantity));
  for (const row of active)
    await repo.updateReservation(trx, row.id, {
      released: dbAmount(new Decimal(row.released).plus(outstanding(row))),
      status: 'released',
    });
  const released = active.map((row) => ({
    key: row.key,
    itemId: row.item_id,
    warehouseId: row.warehouse_id,
    quantity: quantityString(outstanding(row)),
  }));
  await recordAudit(trx, actor, {
    action: 'stock.released',
    entityType: 'stock_reservation',
    entityId: `${referenceType}:${referenceId}`,
    details: { released },
  });
  return { released };
}

/**
 * Issues reserved stock for a source document (a delivery): reserved and on hand both go down,
 * issue moves are written at the moving-average cost, and Dr Cost of sales / Cr Inventory is
 * posted under the source. Idempotent by source: a retried call gets the first result back.
 */
export async function issueReservedStock(
  trx: Tx,
  actor: AuditActor,
  request: IssueRequest,
): Promise<IssueResult> {
  const input = parseOrThrow(issueRequestSchema, request);
  const books = await tenantBooks(trx);
  await repo.lockReference(trx, books.id, input.referenceType, input.referenceId);
  const done = await repo.issueBySource(trx, input.source);
  if (done) return issueResult(trx, done);

  const reservations = new Map(
    (await repo.liveReservations(trx, input.referenceType, input.referenceId))
      .filter((r) => r.status === 'active')
      .map((r) => [r.key, r]),
  );
  const taken = new Map<string, Dec>();
  const over: FieldError[] = [];
  const planned = input.lines.map((line, i) => {
    const reservation = reservations.get(line.key);
    if (!reservation) throw errors.unknownReservation(`lines.${i}.key`, line.key);
    const quantity = new Decimal(line.quantity);
    const left = outstanding(reservation).minus(taken.get(line.key) ?? ZERO);
    if (quantity.greaterThan(left))
      over.push({
        path: `lines.${i}.quantity`,
        message: `Only ${quantityString(Decimal.max(left, ZERO))} reserved and not yet issued`,
      });
    taken.set(line.key, (taken.get(line.key) ?? ZERO).plus(quantity));
    return {
      line,
      reservation,
      quantity,
      key: { itemId: reservation.item_id, warehouseId: reservation.warehouse_id },
    };
  });
  if (over.length > 0) throw errors.overIssue(over);

  const locked = await repo.lockBalances(
    trx,
    books.id,
    planned.map((p) => p.key),
  );
  const balances = new Map([...locked].map(([k, row]) => [k, balanceOf(row)]));
  const lines = planned.map((p) => {
    const balance = balances.get(repo.keyOf(p.key))!;
    const unitCost = averageCost(balance);
    const cost = outgoingCost(balance, p.quantity);
    balances.set(repo.keyOf(p.key), {
      onHand: balance.onHand.minus(p.quantity),
      reserved: balance.reserved.minus(p.quantity),
      value: balance.value.minus(cost),
    });
    return { ...p, unitCost, cost };
  });
  for (const key of repo.lockOrder(planned.map((p) => p.key))) {
    const b = balances.get(repo.keyOf(key))!;
    await repo.writeBalance(trx, key, {
      onHand: dbAmount(b.onHand),
      reserved: dbAmount(b.reserved),
      value: dbAmount(b.value),
    });
  }

  const id = randomUUID();
  const total = lines.reduce((sum, l) => sum.plus(l.cost), ZERO);
  const entry = await postStockEntry(trx, actor, {
    date: input.date,
    memo: `Cost of goods issued for ${input.source.type} ${input.source.id}`.slice(0, 500),
    currency: books.baseCurrency,
    amount: total,
    debit: 'cost_of_sales',
    credit: 'inventory',
    source: input.source,
  });
  await repo.insertDocument(
    trx,
    {
      tenant_id: books.id,
      id,
      kind: 'issue',
      number: null,
      document_date: input.date,
      warehouse_id: null,
      to_warehouse_id: null,
      source_type: input.source.type,
      source_id: input.source.id,
      reference_type: input.referenceType,
      reference_id: input.referenceId,
      total_value: dbAmount(total),
      entry_id: entry?.id ?? null,
      created_by: actor.name,
      request_id: actor.requestId ?? null,
    },
    lines.map((l, i) => ({
      line_no: i + 1,
      item_id: l.key.itemId,
      warehouse_id: l.key.warehouseId,
      reservation_key: l.line.key,
      quantity: dbAmount(l.quantity),
      unit_cost: dbAmount(l.unitCost),
      value: dbAmount(l.cost),
    })),
  );
  await repo.insertMoves(
    trx,
    lines.map((l) => ({
      tenant_id: books.id,
      id: randomUUID(),
      move_date: input.date,
      item_id: l.key.itemId,
      warehouse_id: l.key.warehouseId,
      kind: 'issue' as const,
      quantity: dbAmount(l.quantity.negated()),
      unit_cost: dbAmount(l.unitCost),
      value: dbAmount(l.cost.negated()),
      source_type: input.source.type,
      source_id: input.source.id,
    })),
  );
  for (const [key, quantity] of taken) {
    const reservation = reservations.get(key)!;
    const issued = new Decimal(reservation.issued).plus(quantity);
    await repo.updateReservation(trx, reservation.id, {
      issued: dbAmount(issued),
      status: issued.plus(reservation.released).equals(reservation.quantity) ? 'issued' : 'active',
    });
  }
  const result: IssueResult = {
    lines: lines.map((l) => ({
      key: l.line.key,
      itemId: l.key.itemId,
      warehouseId: l.key.warehouseId,
      quantity: quantityString(l.quantity),
      unitCost: dbAmount(l.unitCost),
      cost: dbAmount(l.cost),
    })),
    totalCost: dbAmount(total),
    entryId: entry?.id ?? null,
  };
  await emit(trx, books.id, 'stockIssued', {
    source: input.source,
    reference: { type: input.referenceType, id: input.referenceId },
    date: input.date,
    currency: books.baseCurrency,
    totalCost: result.totalCost,
    lines: result.lines,
    entryId: result.entryId,
  });
  await recordAudit(trx, actor, {
    action: 'stock.issued',
    entityType: 'stock_issue',
    entityId: id,
    details: {
      source: input.source,
      reference: { type: input.referenceType, id: input.referenceId },
      totalCost: result.totalCost,
    },
  });
  return result;
}

async function issueResult(trx: Tx, document: repo.DocumentRow): Promise<IssueResult> {
  const lines = await repo.linesOf(trx, [document.id]);
  return {
    lines: lines.map((l) => ({
      key: l.reservation_key as string,
      itemId: l.item_id,
      warehouseId: l.warehouse_id,
      quantity: quantityString(l.quantity),
      unitCost: dbAmount(new Decimal(l.unit_cost)),
      cost: dbAmount(new Decimal(l.value)),
    })),
    totalCost: dbAmount(new Decimal(document.total_value)),
    entryId: document.entry_id,
  };
}
