import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { reserveStock } from '../../shared/modules/inventory/index.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { entryLines, eventPayloads } from '../accounting/trade-helpers.js';
import { startTestDevhost, type Api } from '../support/devhost.js';
import {
  createItem,
  createWarehouse,
  inventoryCounts,
  ledgerMismatches,
  post,
  receive,
  stockOf,
  systemActor,
  ZAR,
} from './helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;
let clerk: Api;
let finance: Api;
let main: { id: string };
let site: { id: string };
beforeAll(async () => {
  clerk = await devhost.as('demo', 'ines', ['Inventory.Clerk']);
  finance = await devhost.as('demo', 'fred', ['Finance.Clerk']);
  const list = await clerk.get('/api/v1/inventory/warehouses');
  main = list.body.items.find((w: { code: string }) => w.code === 'MAIN');
  site = await createWarehouse(clerk, 'SITE-A', 'site');
});

describe('goods receipts', () => {
  it('receives at cost and keeps the moving average exact to 4 places', async () => {
    const cement = await createItem(clerk, 'CEM-A', { uom: 'bag' });
    const first = await receive(clerk, 'MAIN', '2026-11-02', [['CEM-A', '10', '100.00']]);
    expect(first.number).toMatch(/^GRN-2026-\d{6}$/);
    expect(first).toMatchObject({
      kind: 'receipt',
      date: '2026-11-02',
      warehouse: { id: main.id, code: 'MAIN' },
      totalValue: ZAR('1000.00'),
      lines: [
        {
          lineNo: 1,
          sku: 'CEM-A',
          uom: 'bag',
          quantity: '10',
          unitCost: ZAR('100.00'),
          value: ZAR('1000.00'),
        },
      ],
    });
    await receive(clerk, 'MAIN', '2026-11-05', [['CEM-A', '5', '115.50']]);
    expect(await stockOf(clerk, cement.id, main.id)).toMatchObject({
      sku: 'CEM-A',
      warehouseCode: 'MAIN',
      onHand: '15',
      reserved: '0',
      available: '15',
      averageCost: ZAR('105.1667'),
      value: ZAR('1577.50'),
    });
    await receive(clerk, 'MAIN', '2026-11-06', [['CEM-A', '2.5', '99.9999']]);
    // 1577.5 + 249.99975 (rounded half-even to 249.9998) over 17.5 units.
    expect(await stockOf(clerk, cement.id, main.id)).toMatchObject({
      onHand: '17.5',
      averageCost: ZAR('104.4286'),
      value: ZAR('1827.4998'),
    });
  });

  it('posts Dr Inventory / Cr Goods received not invoiced under the receipt, and announces it', async () => {
    await createItem(clerk, 'REBAR-A');
    const receipt = await post(clerk, 'receipts', {
      warehouse: 'SITE-A',
      reference: 'AMSteel AS-1',
      lines: [
        { item: 'REBAR-A', quantity: '100', unitCost: ZAR('68.40') },
        { item: 'REBAR-A', quantity: '20', unitCost: ZAR('70.00') },
      ],
    });
    expect(receipt.totalValue).toEqual(ZAR('8240.00'));
    const entry = await entryLines(finance, receipt.entryId);
    expect(entry.source).toEqual({ type: 'inventory.receipt', id: receipt.id });
    expect(entry.lines).toEqual([
      ['1200', 'debit', '8240.00', '8240.00'],
      ['2060', 'credit', '8240.00', '8240.00'],
    ]);
    const [event] = (await eventPayloads(devhost, demo.id, 'inventory.GoodsReceived')).filter(
      (e) => e.receiptId === receipt.id,
    );
    expect(event).toMatchObject({
      number: receipt.number,
      supplierReference: 'AMSteel AS-1',
      totalValue: '8240.0000',
    });
  });

  it('refuses unknown, service and foreign-priced lines, naming them, and writes nothing', async () => {
    await createItem(clerk, 'SVC-A', { kind: 'service' });
    const before = await inventoryCounts(devhost.db, demo.id);
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ warehouse: 'NOWHERE' }, 422, 'warehouse', 'inventory.unknown_warehouse'],
      [
        { lines: [{ item: 'NO-SUCH', quantity: '1', unitCost: ZAR('1') }] },
        422,
        'lines.0.item',
        'inventory.unknown_item',
      ],
      [
        { lines: [{ item: 'SVC-A', quantity: '1', unitCost: ZAR('1') }] },
        422,
        'lines.0.item',
        'inventory.service_item',
      ],
      [
        { lines: [{ item: 'CEM-A', quantity: '1', unitCost: { amount: '1', currency: 'EUR' } }] },
        422,
        'lines.0.unitCost.currency',
        'inventory.not_base_currency',
      ],
      [
        { lines: [{ item: 'CEM-A', quantity: '0', unitCost: ZAR('1') }] },
        400,
        'lines.0.quantity',
        'platform.invalid_request',
      ],
      [
        { lines: [{ item: 'CEM-A', quantity: '1.23456', unitCost: ZAR('1') }] },
        400,
        'lines.0.quantity',
        'platform.invalid_request',
      ],
      [{ lines: [] }, 400, 'lines', 'platform.invalid_request'],
      [
        { lines: [{ item: 'CEM-A', quantity: '0.0001', unitCost: ZAR('0.0001') }] },
        422,
        'lines',
        'inventory.receipt_without_value',
      ],
      [{ date: '2026-02-30' }, 400, 'date', 'platform.invalid_request'],
    ];
    for (const [change, status, path, code] of cases) {
      const response = await clerk.post('/api/v1/inventory/receipts', {
        warehouse: 'MAIN',
        lines: [{ item: 'CEM-A', quantity: '1', unitCost: ZAR('1') }],
        ...change,
      });
      expect(response.status, JSON.stringify(change)).toBe(status);
      expect(response.body.code).toBe(code);
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(await inventoryCounts(devhost.db, demo.id)).toEqual(before);
  });

  it('counts a retried receipt once (same Idempotency-Key)', async () => {
    await createItem(clerk, 'RETRY-A');
    const body = { warehouse: 'MAIN', lines: [{ item: 'RETRY-A', quantity: '3', unitCost: ZAR('4.00') }] };
    const responses = await Promise.all(
      [1, 2, 3].map(() =>
        clerk.post('/api/v1/inventory/receipts', body, { 'idempotency-key': 'grn-retry-1' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    const list = await clerk.get('/api/v1/inventory/receipts?limit=200');
    expect(list.body.items.filter((r: any) => r.lines[0].sku === 'RETRY-A')).toHaveLength(1);
  });
});

describe('adjustments', () => {
  it('corrects stock at the average cost and posts the difference to Stock adjustments', async () => {
    const bricks = await createItem(clerk, 'BRICK-A', { uom: 'thousand' });
    await receive(clerk, 'MAIN', '2026-11-02', [['BRICK-A', '3', '1850.00']]);
    await receive(clerk, 'MAIN', '2026-11-03', [['BRICK-A', '1', '1900.00']]);
    const broken = await post(clerk, 'adjustments', {
      warehouse: 'MAIN',
      date: '2026-11-07',
      reason: 'Breakage: bricks broken while offloading',
      lines: [{ item: 'BRICK-A', quantity: '-0.6' }],
    });
    // 7450 × 0.6 / 4 = 1117.50
    expect(broken).toMatchObject({
      kind: 'adjustment',
      reason: 'Breakage: bricks broken while offloading',
      totalValue: ZAR('-1117.50'),
      lines: [{ quantity: '-0.6', unitCost: ZAR('1862.50'), value: ZAR('-1117.50') }],
    });
    expect(broken.number).toMatch(/^ADJ-2026-\d{6}$/);
    expect((await entryLines(finance, broken.entryId)).lines).toEqual([
      ['5050', 'debit', '1117.50', '1117.50'],
      ['1200', 'credit', '1117.50', '1117.50'],
    ]);
    const found = await post(clerk, 'adjustments', {
      warehouse: 'MAIN',
      reason: 'Stock count: a pallet found behind the store',
      lines: [{ item: 'BRICK-A', quantity: '0.5' }],
    });
    expect(found.totalValue).toEqual(ZAR('931.25'));
    expect((await entryLines(finance, found.entryId)).lines).toEqual([
      ['1200', 'debit', '931.25', '931.25'],
      ['5050', 'credit', '931.25', '931.25'],
    ]);
    expect(await stockOf(clerk, bricks.id, main.id)).toMatchObject({
      onHand: '3.9',
      value: ZAR('7263.75'),
      averageCost: ZAR('1862.50'),
    });
  });

  it('refuses to take stock below zero or below what is reserved, naming the line, and writes nothing', async () => {
    const sand = await createItem(clerk, 'SAND-A', { uom: 'm3' });
    const gravel = await createItem(clerk, 'GRAVEL-A', { uom: 'm3' });
    await receive(clerk, 'MAIN', '2026-11-02', [
      ['SAND-A', '10', '385.00'],
      ['GRAVEL-A', '8', '410.00'],
    ]);
    await withTenant(devhost.db, demo.id, (trx) =>
      reserveStock(trx, systemActor(demo.id), {
        referenceType: 'test.order',
        referenceId: 'adj-1',
        lines: [{ key: '1', itemId: gravel.id, warehouseId: main.id, quantity: '6' }],
      }),
    );
    const before = await inventoryCounts(devhost.db, demo.id);
    const refused = await clerk.post('/api/v1/inventory/adjustments', {
      warehouse: 'MAIN',
      reason: 'Stock count',
      lines: [
        { item: 'SAND-A', quantity: '-4' },
        { item: 'GRAVEL-A', quantity: '-3' },
        { item: 'SAND-A', quantity: '-7' },
      ],
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('inventory.insufficient_stock');
    expect(refused.body.errors).toEqual([
      { path: 'lines.1.quantity', message: 'Only 2 available in MAIN' },
      { path: 'lines.2.quantity', message: 'Only 6 available in MAIN' },
    ]);
    expect(await inventoryCounts(devhost.db, demo.id)).toEqual(before);
    const noReason = await clerk.post('/api/v1/inventory/adjustments', {
      warehouse: 'MAIN',
      reason: ' ',
      lines: [{ item: 'SAND-A', quantity: '-1' }],
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].path).toBe('reason');
    expect((await stockOf(clerk, sand.id, main.id)).onHand).toBe('10');
  });
});

describe('transfers', () => {
  it('moves stock at the source’s average cost, value and all, without a journal entry', async () => {
    const y12 = await createItem(clerk, 'Y12-A');
    await receive(clerk, 'MAIN', '2026-11-02', [['Y12-A', '3', '100.00']]);
    await receive(clerk, 'SITE-A', '2026-11-02', [['Y12-A', '1', '50.00']]);
    const transfer = await post(clerk, 'transfers', {
      from: 'MAIN',
      to: 'SITE-A',
      date: '2026-11-08',
      reference: 'Truck GP 44-17',
      lines: [{ item: 'Y12-A', quantity: '1' }],
    });
    expect(transfer.number).toMatch(/^TRF-2026-\d{6}$/);
    expect(transfer).toMatchObject({
      kind: 'transfer',
      warehouse: { code: 'MAIN' },
      toWarehouse: { code: 'SITE-A' },
      entryId: null,
      totalValue: ZAR('100.00'),
      lines: [{ quantity: '1', unitCost: ZAR('100.00'), value: ZAR('100.00') }],
    });
    expect(await stockOf(clerk, y12.id, main.id)).toMatchObject({ onHand: '2', value: ZAR('200.00') });
    expect(await stockOf(clerk, y12.id, site.id)).toMatchObject({
      onHand: '2',
      value: ZAR('150.00'),
      averageCost: ZAR('75.00'),
    });
    const [event] = (await eventPayloads(devhost, demo.id, 'inventory.StockTransferred')).filter(
      (e) => e.transferId === transfer.id,
    );
    expect(event).toMatchObject({ fromWarehouseId: main.id, toWarehouseId: site.id, totalValue: '100.0000' });
  });

  it('refuses a transfer without enough available stock, to the same place or to an inactive one', async () => {
    await createItem(clerk, 'Y16-A');
    await receive(clerk, 'MAIN', '2026-11-02', [['Y16-A', '5', '121.80']]);
    const closed = await createWarehouse(clerk, 'CLOSED');
    await clerk.patch(`/api/v1/inventory/warehouses/${closed.id}`, { active: false }, { 'if-match': '"1"' });
    const before = await inventoryCounts(devhost.db, demo.id);
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ lines: [{ item: 'Y16-A', quantity: '6' }] }, 409, 'lines.0.quantity', 'Only 5 available in MAIN'],
      [{ to: 'MAIN' }, 422, 'to', 'Same as from'],
      [{ to: 'CLOSED' }, 422, 'to', 'Warehouse CLOSED is inactive'],
      [{ from: 'NOWHERE' }, 422, 'from', 'Unknown warehouse NOWHERE'],
    ];
    for (const [change, status, path, message] of cases) {
      const response = await clerk.post('/api/v1/inventory/transfers', {
        from: 'MAIN',
        to: 'SITE-A',
        lines: [{ item: 'Y16-A', quantity: '2' }],
        ...change,
      });
      expect(response.status, JSON.stringify(change)).toBe(status);
      expect(response.body.errors).toEqual([{ path, message }]);
    }
    expect(await inventoryCounts(devhost.db, demo.id)).toEqual(before);
  });
});

describe('reading stock documents', () => {
  it('lists each kind newest first, by date range and warehouse, a page at a time, and gets one', async () => {
    const receipts = await clerk.get('/api/v1/inventory/receipts?limit=2');
    expect(receipts.status).toBe(200);
    expect(receipts.body.items).toHaveLength(2);
    expect(receipts.body.nextCursor).toEqual(expect.any(String));
    const next = await clerk.get(`/api/v1/inventory/receipts?limit=2&cursor=${receipts.body.nextCursor}`);
    const dates = [...receipts.body.items, ...next.body.items].map((r: { date: string }) => r.date);
    expect(dates).toEqual([...dates].sort().reverse());
    const atSite = await clerk.get(`/api/v1/inventory/transfers?warehouseId=${site.id}`);
    expect(atSite.body.items.length).toBeGreaterThan(0);
    const inRange = await clerk.get('/api/v1/inventory/adjustments?from=2026-11-07&to=2026-11-07');
    expect(inRange.body.items.map((a: { date: string }) => a.date)).toEqual(['2026-11-07']);
    expect((await clerk.get('/api/v1/inventory/adjustments?from=2026-11-08&to=2026-11-07')).status).toBe(400);

    const one = receipts.body.items[0];
    expect((await clerk.get(`/api/v1/inventory/receipts/${one.id}`)).body).toEqual(one);
    // A receipt is not an adjustment.
    expect((await clerk.get(`/api/v1/inventory/adjustments/${one.id}`)).status).toBe(404);
  });

  it('keeps every balance equal to the sum of its stock moves', async () => {
    expect(await ledgerMismatches(devhost.db)).toEqual([]);
  });
});
