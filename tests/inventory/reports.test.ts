import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { reserveStock } from '../../shared/modules/inventory/index.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { startTestDevhost, type Api } from '../support/devhost.js';
import { createItem, createWarehouse, post, receive, systemActor } from './helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;
let clerk: Api;
let auditor: Api;
let main: { id: string };
let site: { id: string };

const rowsOf = (csv: string) =>
  csv
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .map((row) => row.split(','));

beforeAll(async () => {
  clerk = await devhost.as('demo', 'vera', ['Inventory.Clerk']);
  auditor = await devhost.as('demo', 'otto', ['Auditor']);
  main = (await clerk.get('/api/v1/inventory/warehouses')).body.items.find(
    (w: { code: string }) => w.code === 'MAIN',
  );
  site = await createWarehouse(clerk, 'SITE-V', 'site');
  await createItem(clerk, 'VAL-1', { uom: 'bag' });
  await createItem(clerk, 'VAL-2', { uom: 'm3' });
  await receive(clerk, 'MAIN', '2026-10-01', [['VAL-1', '10', '10.00']]);
  await receive(clerk, 'MAIN', '2026-10-05', [
    ['VAL-1', '10', '12.00'],
    ['VAL-2', '3', '385.00'],
  ]);
  await post(clerk, 'adjustments', {
    warehouse: 'MAIN',
    date: '2026-10-07',
    reason: 'Breakage',
    lines: [{ item: 'VAL-1', quantity: '-5' }],
  });
  await post(clerk, 'transfers', {
    from: 'MAIN',
    to: 'SITE-V',
    date: '2026-10-09',
    lines: [
      { item: 'VAL-1', quantity: '5' },
      { item: 'VAL-2', quantity: '1' },
    ],
  });
});

describe('stock valuation', () => {
  const valuation = async (query: string) => {
    const response = await auditor.get(`/api/v1/inventory/reports/valuation?${query}`);
    expect(response.status, response.text).toBe(200);
    return response.body;
  };
  const figures = (report: any) =>
    report.rows.map((r: any) => [r.sku, r.warehouseCode, r.quantity, r.averageCost, r.value]);

  it('values stock as the ledger stood at the end of any past day', async () => {
    expect(figures(await valuation('asOf=2026-09-30'))).toEqual([]);
    expect(figures(await valuation('asOf=2026-10-04'))).toEqual([['VAL-1', 'MAIN', '10', '10.00', '100.00']]);
    expect(figures(await valuation('asOf=2026-10-06'))).toEqual([
      ['VAL-1', 'MAIN', '20', '11.00', '220.00'],
      ['VAL-2', 'MAIN', '3', '385.00', '1155.00'],
    ]);
    const afterBreakage = await valuation('asOf=2026-10-08');
    expect(figures(afterBreakage)).toEqual([
      ['VAL-1', 'MAIN', '15', '11.00', '165.00'],
      ['VAL-2', 'MAIN', '3', '385.00', '1155.00'],
    ]);
    expect(afterBreakage.totals).toEqual({ value: '1320.00' });
    const now = await valuation('');
    expect(now.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(figures(now)).toEqual([
      ['VAL-1', 'MAIN', '10', '11.00', '110.00'],
      ['VAL-1', 'SITE-V', '5', '11.00', '55.00'],
      ['VAL-2', 'MAIN', '2', '385.00', '770.00'],
      ['VAL-2', 'SITE-V', '1', '385.00', '385.00'],
    ]);
    expect(now.totals).toEqual({ value: '1320.00' });
    const atSite = await valuation(`warehouseId=${site.id}&asOf=2026-10-09`);
    expect(atSite).toMatchObject({ warehouseId: site.id, currency: 'ZAR', totals: { value: '440.00' } });
    expect(figures(await valuation(`warehouseId=${site.id}&asOf=2026-10-08`))).toEqual([]);
    expect((await auditor.get('/api/v1/inventory/reports/valuation?asOf=2026-13-01')).status).toBe(400);
  });

  it('downloads as CSV with the JSON figures, by ?format=csv or Accept: text/csv', async () => {
    const json = await valuation('asOf=2026-10-06');
    for (const [query, headers] of [
      ['asOf=2026-10-06&format=csv', {}],
      ['asOf=2026-10-06', { accept: 'text/csv' }],
    ] as const) {
      const csv = await auditor.get(`/api/v1/inventory/reports/valuation?${query}`, headers);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.headers.get('content-disposition')).toBe(
        'attachment; filename="stock-valuation-2026-10-06.csv"',
      );
      expect(rowsOf(csv.text)).toEqual([
        ['sku', 'item', 'uom', 'warehouse', 'quantity', 'average cost (ZAR)', 'value (ZAR)'],
        ...json.rows.map((r: any) => [
          r.sku,
          r.itemName,
          r.uom,
          r.warehouseCode,
          r.quantity,
          r.averageCost,
          r.value,
        ]),
        ['TOTAL', '', '', '', '', '', json.totals.value],
      ]);
    }
  });
});

describe('stock on hand', () => {
  it('lists stock per item and warehouse by SKU and warehouse code, a page at a time', async () => {
    const first = await auditor.get('/api/v1/inventory/stock?limit=3');
    expect(first.status).toBe(200);
    const rest = await auditor.get(`/api/v1/inventory/stock?limit=3&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...rest.body.items].map((s: any) => `${s.sku}@${s.warehouseCode}`)).toEqual([
      'VAL-1@MAIN',
      'VAL-1@SITE-V',
      'VAL-2@MAIN',
      'VAL-2@SITE-V',
    ]);
    expect(rest.body.nextCursor).toBeNull();
    const onSite = await auditor.get(`/api/v1/inventory/stock?warehouseId=${site.id}`);
    expect(
      onSite.body.items.map((s: any) => [s.sku, s.onHand, s.averageCost.amount, s.value.amount]),
    ).toEqual([
      ['VAL-1', '5', '11.00', '55.00'],
      ['VAL-2', '1', '385.00', '385.00'],
    ]);
    expect((await auditor.get('/api/v1/inventory/stock?itemId=not-a-uuid')).body.errors[0].path).toBe(
      'query.itemId',
    );
  });
});

describe('low stock', () => {
  it('lists active stock items whose stock available across warehouses is at or below the reorder level', async () => {
    const low = await createItem(clerk, 'LOW-A', { reorderLevel: '10' });
    const ok = await createItem(clerk, 'LOW-B', { reorderLevel: '5' });
    const reserved = await createItem(clerk, 'LOW-C', { reorderLevel: '10' });
    const none = await createItem(clerk, 'LOW-D', { reorderLevel: '1' });
    const inactive = await createItem(clerk, 'LOW-E', { reorderLevel: '10' });
    await createItem(clerk, 'LOW-F');
    await receive(clerk, 'MAIN', '2026-10-10', [
      ['LOW-A', '4', '1.00'],
      ['LOW-B', '20', '1.00'],
      ['LOW-C', '15', '1.00'],
      ['LOW-E', '1', '1.00'],
      ['LOW-F', '1', '1.00'],
    ]);
    await receive(clerk, 'SITE-V', '2026-10-10', [['LOW-A', '4', '1.00']]);
    await withTenant(devhost.db, demo.id, (trx) =>
      reserveStock(trx, systemActor(demo.id), {
        referenceType: 'test.order',
        referenceId: 'low-c',
        lines: [{ key: '1', itemId: reserved.id, warehouseId: main.id, quantity: '6' }],
      }),
    );
    await clerk.patch(`/api/v1/inventory/items/${inactive.id}`, { active: false }, { 'if-match': '"1"' });

    const report = await auditor.get('/api/v1/inventory/reports/low-stock');
    expect(report.status).toBe(200);
    expect(report.body.rows).toEqual([
      {
        itemId: low.id,
        sku: 'LOW-A',
        itemName: 'LOW-A item',
        uom: 'each',
        onHand: '8',
        reserved: '0',
        available: '8',
        reorderLevel: '10',
        shortfall: '2',
      },
      expect.objectContaining({
        itemId: reserved.id,
        onHand: '15',
        reserved: '6',
        available: '9',
        shortfall: '1',
      }),
      expect.objectContaining({ itemId: none.id, onHand: '0', available: '0', shortfall: '1' }),
    ]);
    expect(report.body.rows.map((r: any) => r.itemId)).not.toContain(ok.id);
    const csv = await auditor.get('/api/v1/inventory/reports/low-stock?format=csv');
    expect(rowsOf(csv.text)[1]).toEqual(['LOW-A', 'LOW-A item', 'each', '8', '0', '8', '10', '2']);

    const acme = await devhost.as('acme', 'anna', ['Auditor']);
    expect((await acme.get('/api/v1/inventory/reports/low-stock')).body.rows).toEqual([]);
  });
});
