import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import {
  issueReservedStock,
  releaseReservations,
  reserveStock,
  type IssueRequest,
  type ReservationRequest,
} from '../../shared/modules/inventory/index.js';
import { AppError } from '../../shared/platform/errors.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { entryLines, eventPayloads } from '../accounting/trade-helpers.js';
import { startTestDevhost, type Api } from '../support/devhost.js';
import {
  createItem,
  createWarehouse,
  inventoryCounts,
  ledgerMismatches,
  receive,
  stockOf,
  systemActor,
} from './helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;
const actor = systemActor(demo.id);
let clerk: Api;
let finance: Api;
let main: { id: string };
let yard: { id: string };

const inDemo = <T>(work: Parameters<typeof withTenant<T>>[2]) => withTenant(devhost.db, demo.id, work);
const reserve = (request: ReservationRequest) => inDemo((trx) => reserveStock(trx, actor, request));
const release = (id: string) => inDemo((trx) => releaseReservations(trx, actor, 'test.order', id));
const issue = (request: IssueRequest) => inDemo((trx) => issueReservedStock(trx, actor, request));

/** The AppError a call fails with. */
async function failure(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

beforeAll(async () => {
  clerk = await devhost.as('demo', 'rita', ['Inventory.Clerk']);
  finance = await devhost.as('demo', 'fred', ['Finance.Clerk']);
  main = (await clerk.get('/api/v1/inventory/warehouses')).body.items.find(
    (w: { code: string }) => w.code === 'MAIN',
  );
  yard = await createWarehouse(clerk, 'YARD-R');
});

describe('reserving stock', () => {
  it('reserves all lines or none, and names every short line', async () => {
    const cement = await createItem(clerk, 'R-CEM');
    const sand = await createItem(clerk, 'R-SAND');
    await receive(clerk, 'MAIN', '2026-11-02', [
      ['R-CEM', '10', '90.00'],
      ['R-SAND', '5', '385.00'],
    ]);
    const before = await inventoryCounts(devhost.db, demo.id);
    const short = await failure(
      reserve({
        referenceType: 'test.order',
        referenceId: 'short-1',
        lines: [
          { key: 'a', itemId: cement.id, warehouseId: main.id, quantity: '4' },
          { key: 'b', itemId: sand.id, warehouseId: main.id, quantity: '6' },
          { key: 'c', itemId: cement.id, warehouseId: yard.id, quantity: '1' },
        ],
      }),
    );
    expect(short.kind).toBe('conflict');
    expect(short.code).toBe('inventory.insufficient_stock');
    expect(short.errors).toEqual([
      { path: 'lines.1.quantity', message: 'Only 5 available in MAIN' },
      { path: 'lines.2.quantity', message: 'Only 0 available in YARD-R' },
    ]);
    expect(await inventoryCounts(devhost.db, demo.id)).toEqual(before);

    // Lines of the same item and warehouse are added up: 6 + 6 > 10, both named.
    const summed = await failure(
      reserve({
        referenceType: 'test.order',
        referenceId: 'short-2',
        lines: [
          { key: 'a', itemId: cement.id, warehouseId: main.id, quantity: '6' },
          { key: 'b', itemId: cement.id, warehouseId: main.id, quantity: '6' },
        ],
      }),
    );
    expect(summed.errors?.map((e) => e.path)).toEqual(['lines.0.quantity', 'lines.1.quantity']);
    expect(await inventoryCounts(devhost.db, demo.id)).toEqual(before);

    const held = await reserve({
      referenceType: 'test.order',
      referenceId: 'ok-1',
      lines: [
        { key: 'a', itemId: cement.id, warehouseId: main.id, quantity: '6' },
        { key: 'b', itemId: cement.id, warehouseId: main.id, quantity: '3.5' },
        { key: 'c', itemId: sand.id, warehouseId: main.id, quantity: '5' },
      ],
    });
    expect(held.map((r) => [r.key, r.quantity, r.status])).toEqual([
      ['a', '6', 'active'],
      ['b', '3.5', 'active'],
      ['c', '5', 'active'],
    ]);
    expect(await stockOf(clerk, cement.id, main.id)).toMatchObject({
      onHand: '10',
      reserved: '9.5',
      available: '0.5',
    });
    expect(await stockOf(clerk, sand.id, main.id)).toMatchObject({
      onHand: '5',
      reserved: '5',
      available: '0',
    });
  });

  it('leaves the caller’s transaction usable and unchanged when it catches a shortage', async () => {
    const nails = await createItem(clerk, 'R-NAIL');
    await receive(clerk, 'MAIN', '2026-11-02', [['R-NAIL', '2', '1.00']]);
    const seen = await inDemo(async (trx) => {
      const error = await reserveStock(trx, actor, {
        referenceType: 'test.order',
        referenceId: 'caught-1',
        lines: [
          { key: 'a', itemId: nails.id, warehouseId: main.id, quantity: '1' },
          { key: 'b', itemId: nails.id, warehouseId: yard.id, quantity: '1' },
        ],
      }).catch((e: unknown) => e);
      const balance = await trx
        .selectFrom('stock_balances')
        .select('reserved')
        .where('item_id', '=', nails.id)
        .where('warehouse_id', '=', main.id)
        .executeTakeFirstOrThrow();
      const rows = await trx
        .selectFrom('stock_reservations')
        .select('id')
        .where('reference_id', '=', 'caught-1')
        .execute();
      return { error, reserved: balance.reserved, rows: rows.length };
    });
    expect((seen.error as AppError).code).toBe('inventory.insufficient_stock');
    expect(seen).toMatchObject({ reserved: '0.0000', rows: 0 });
  });

  it('returns the reservations a reference already holds, changing nothing', async () => {
    const bolts = await createItem(clerk, 'R-BOLT');
    await receive(clerk, 'MAIN', '2026-11-02', [['R-BOLT', '20', '2.00']]);
    const request = {
      referenceType: 'test.order',
      referenceId: 'again-1',
      lines: [{ key: '1', itemId: bolts.id, warehouseId: main.id, quantity: '8' }],
    };
    const first = await reserve(request);
    const before = await inventoryCounts(devhost.db, demo.id);
    const second = await reserve({ ...request, lines: [{ ...request.lines[0]!, quantity: '12' }] });
    expect(second).toEqual(first);
    expect(await inventoryCounts(devhost.db, demo.id)).toEqual(before);
    expect((await stockOf(clerk, bolts.id, main.id)).reserved).toBe('8');
  });

  it('refuses service items, unknown items and repeated keys, naming the line', async () => {
    const labour = await createItem(clerk, 'R-LABOUR', { kind: 'service', uom: 'day' });
    const service = await failure(
      reserve({
        referenceType: 'test.order',
        referenceId: 'svc-1',
        lines: [{ key: '1', itemId: labour.id, warehouseId: main.id, quantity: '1' }],
      }),
    );
    expect([service.kind, service.code, service.errors]).toEqual([
      'business_rule',
      'inventory.service_item',
      [{ path: 'lines.0.itemId', message: 'Item R-LABOUR is a service' }],
    ]);
    const unknown = await failure(
      reserve({
        referenceType: 'test.order',
        referenceId: 'svc-2',
        lines: [
          { key: '1', itemId: '00000000-0000-4000-8000-000000000000', warehouseId: main.id, quantity: '1' },
        ],
      }),
    );
    expect(unknown.code).toBe('inventory.unknown_item');
    const repeated = await failure(
      reserve({
        referenceType: 'test.order',
        referenceId: 'svc-3',
        lines: [
          { key: '1', itemId: labour.id, warehouseId: main.id, quantity: '1' },
          { key: '1', itemId: labour.id, warehouseId: main.id, quantity: '1' },
        ],
      }),
    );
    expect([repeated.kind, repeated.errors?.[0]?.path]).toEqual(['validation', 'lines.1.key']);
    const invalid = await failure(
      reserve({
        referenceType: 'test.order',
        referenceId: 'svc-4',
        lines: [{ key: '1', itemId: labour.id, warehouseId: main.id, quantity: '-1' }],
      }),
    );
    expect([invalid.kind, invalid.errors?.[0]?.path]).toEqual(['validation', 'lines.0.quantity']);
  });

  it('announces low stock when a reservation takes available to the reorder level', async () => {
    const boots = await createItem(clerk, 'R-BOOTS', { uom: 'pair', reorderLevel: '10' });
    await receive(clerk, 'MAIN', '2026-11-02', [['R-BOOTS', '30', '365.00']]);
    await reserve({
      referenceType: 'test.order',
      referenceId: 'low-1',
      lines: [{ key: '1', itemId: boots.id, warehouseId: main.id, quantity: '15' }],
    });
    await reserve({
      referenceType: 'test.order',
      referenceId: 'low-2',
      lines: [{ key: '1', itemId: boots.id, warehouseId: main.id, quantity: '5' }],
    });
    await reserve({
      referenceType: 'test.order',
      referenceId: 'low-3',
      lines: [{ key: '1', itemId: boots.id, warehouseId: main.id, quantity: '1' }],
    });
    const events = (await eventPayloads(devhost, demo.id, 'inventory.StockLow')).filter(
      (e) => e.itemId === boots.id,
    );
    expect(events).toEqual([
      { itemId: boots.id, sku: 'R-BOOTS', uom: 'pair', available: '10', reorderLevel: '10' },
    ]);
  });
});

describe('low stock across warehouses', () => {
  it('counts every warehouse, and one reservation of two lines announces once', async () => {
    const gloves = await createItem(clerk, 'R-GLOVES', { uom: 'pair', reorderLevel: '20' });
    await receive(clerk, 'MAIN', '2026-11-02', [['R-GLOVES', '25', '40.00']]);
    await receive(clerk, 'YARD-R', '2026-11-02', [['R-GLOVES', '10', '40.00']]);
    // 35 available across both: taking 12 from MAIN leaves 23, still above 20.
    await reserve({
      referenceType: 'test.order',
      referenceId: 'gloves-1',
      lines: [{ key: '1', itemId: gloves.id, warehouseId: main.id, quantity: '12' }],
    });
    // 23 → 17 by two lines in two warehouses: one announcement, of what is left across both.
    await reserve({
      referenceType: 'test.order',
      referenceId: 'gloves-2',
      lines: [
        { key: '1', itemId: gloves.id, warehouseId: main.id, quantity: '2' },
        { key: '2', itemId: gloves.id, warehouseId: yard.id, quantity: '4' },
      ],
    });
    // A refused reservation announces nothing.
    await failure(
      reserve({
        referenceType: 'test.order',
        referenceId: 'gloves-3',
        lines: [{ key: '1', itemId: gloves.id, warehouseId: yard.id, quantity: '7' }],
      }),
    );
    const events = (await eventPayloads(devhost, demo.id, 'inventory.StockLow')).filter(
      (e) => e.itemId === gloves.id,
    );
    expect(events).toEqual([
      { itemId: gloves.id, sku: 'R-GLOVES', uom: 'pair', available: '17', reorderLevel: '20' },
    ]);
  });
});

describe('releasing reservations', () => {
  it('gives back what is still reserved, once', async () => {
    const vests = await createItem(clerk, 'R-VEST');
    await receive(clerk, 'MAIN', '2026-11-02', [['R-VEST', '50', '28.50']]);
    await reserve({
      referenceType: 'test.order',
      referenceId: 'rel-1',
      lines: [
        { key: 'a', itemId: vests.id, warehouseId: main.id, quantity: '20' },
        { key: 'b', itemId: vests.id, warehouseId: main.id, quantity: '5' },
      ],
    });
    expect((await stockOf(clerk, vests.id, main.id)).available).toBe('25');
    const released = await release('rel-1');
    expect(released).toEqual({
      released: [
        { key: 'a', itemId: vests.id, warehouseId: main.id, quantity: '20' },
        { key: 'b', itemId: vests.id, warehouseId: main.id, quantity: '5' },
      ],
    });
    expect((await stockOf(clerk, vests.id, main.id)).available).toBe('50');
    const before = await inventoryCounts(devhost.db, demo.id);
    expect(await release('rel-1')).toEqual({ released: [] });
    expect(await release('never-reserved')).toEqual({ released: [] });
    expect(await inventoryCounts(devhost.db, demo.id)).toEqual(before);
    // A released reference may reserve again.
    const again = await reserve({
      referenceType: 'test.order',
      referenceId: 'rel-1',
      lines: [{ key: 'a', itemId: vests.id, warehouseId: main.id, quantity: '2' }],
    });
    expect(again.map((r) => r.quantity)).toEqual(['2']);
  });
});

describe('issuing reserved stock', () => {
  it('takes reserved stock out at the moving average and posts the exact cost of sales, once per source', async () => {
    const y12 = await createItem(clerk, 'R-Y12');
    await receive(clerk, 'MAIN', '2026-11-02', [['R-Y12', '10', '100.00']]);
    await receive(clerk, 'MAIN', '2026-11-03', [['R-Y12', '5', '115.50']]);
    await reserve({
      referenceType: 'test.order',
      referenceId: 'iss-1',
      lines: [
        { key: 'L1', itemId: y12.id, warehouseId: main.id, quantity: '4' },
        { key: 'L2', itemId: y12.id, warehouseId: main.id, quantity: '6' },
      ],
    });
    const request: IssueRequest = {
      referenceType: 'test.order',
      referenceId: 'iss-1',
      source: { type: 'test.delivery', id: 'DN-1' },
      date: '2026-11-10',
      lines: [
        { key: 'L1', quantity: '4' },
        { key: 'L2', quantity: '2' },
      ],
    };
    const result = await issue(request);
    // 1577.50 over 15: 4 cost 420.6667, then 1156.8333 over 11: 2 cost 210.3333.
    expect(result).toEqual({
      lines: [
        {
          key: 'L1',
          itemId: y12.id,
          warehouseId: main.id,
          quantity: '4',
          unitCost: '105.1667',
          cost: '420.6667',
        },
        {
          key: 'L2',
          itemId: y12.id,
          warehouseId: main.id,
          quantity: '2',
          unitCost: '105.1667',
          cost: '210.3333',
        },
      ],
      totalCost: '631.0000',
      entryId: expect.any(String),
    });
    const entry = await entryLines(finance, result.entryId as string);
    expect(entry.source).toEqual({ type: 'test.delivery', id: 'DN-1' });
    expect(entry.lines).toEqual([
      ['5000', 'debit', '631.00', '631.00'],
      ['1200', 'credit', '631.00', '631.00'],
    ]);
    expect(await stockOf(clerk, y12.id, main.id)).toMatchObject({
      onHand: '9',
      reserved: '4',
      available: '5',
      value: { amount: '946.50', currency: 'ZAR' },
    });

    const before = await inventoryCounts(devhost.db, demo.id);
    expect(await issue(request)).toEqual(result);
    expect(await inventoryCounts(devhost.db, demo.id)).toEqual(before);

    const over = await failure(
      issue({
        ...request,
        source: { type: 'test.delivery', id: 'DN-2' },
        lines: [{ key: 'L2', quantity: '4.5' }],
      }),
    );
    expect([over.kind, over.code, over.errors]).toEqual([
      'conflict',
      'inventory.over_issue',
      [{ path: 'lines.0.quantity', message: 'Only 4 reserved and not yet issued' }],
    ]);
    const done = await failure(
      issue({
        ...request,
        source: { type: 'test.delivery', id: 'DN-3' },
        lines: [{ key: 'L1', quantity: '1' }],
      }),
    );
    expect([done.code, done.errors?.[0]?.path]).toEqual(['inventory.unknown_reservation', 'lines.0.key']);
    expect(await inventoryCounts(devhost.db, demo.id)).toEqual(before);

    // The rest of L2 is given back: the reference then holds nothing.
    expect(await release('iss-1')).toEqual({
      released: [{ key: 'L2', itemId: y12.id, warehouseId: main.id, quantity: '4' }],
    });
    expect(await stockOf(clerk, y12.id, main.id)).toMatchObject({
      onHand: '9',
      reserved: '0',
      available: '9',
    });

    const [event] = (await eventPayloads(devhost, demo.id, 'inventory.StockIssued')).filter(
      (e) => e.source.id === 'DN-1',
    );
    expect(event).toMatchObject({ totalCost: '631.0000', reference: { type: 'test.order', id: 'iss-1' } });
  });

  it('keeps reserved equal to what active reservations hold, and balances equal to their moves', async () => {
    expect(await ledgerMismatches(devhost.db)).toEqual([]);
  });
});
