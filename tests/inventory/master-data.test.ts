import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDevhost, type Api } from '../support/devhost.js';
import { createItem, createWarehouse, receive, ZAR } from './helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
let clerk: Api;
let acme: Api;
beforeAll(async () => {
  clerk = await devhost.as('demo', 'ivan', ['Inventory.Clerk']);
  acme = await devhost.as('acme', 'amelie', ['Admin']);
});

describe('warehouses', () => {
  it('always has the main warehouse, and adds yards and sites with their own codes', async () => {
    const list = await clerk.get('/api/v1/inventory/warehouses');
    expect(list.status).toBe(200);
    expect(list.body.items.map((w: { code: string }) => w.code)).toContain('MAIN');

    const created = await clerk.post('/api/v1/inventory/warehouses', {
      code: 'SITE-14',
      name: 'Stand 14, Waterfall Estate',
      kind: 'site',
      address: { line1: 'Stand 14, Waterfall Drive', city: 'Midrand', country: 'ZA' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ code: 'SITE-14', kind: 'site', active: true, version: 1 });
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/api/v1/inventory/warehouses/${created.body.id}`);

    const again = await clerk.post('/api/v1/inventory/warehouses', {
      code: 'SITE-14',
      name: 'Again',
      kind: 'site',
    });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ path: 'code', message: 'Already used' }]);
    const bad = await clerk.post('/api/v1/inventory/warehouses', {
      code: 'site 14',
      name: 'X',
      kind: 'depot',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['code', 'kind']);

    const sites = await clerk.get('/api/v1/inventory/warehouses?kind=site');
    expect(sites.body.items.map((w: { code: string }) => w.code)).toEqual(['SITE-14']);
  });

  it('changes a warehouse with If-Match, refuses a stale version, and never deactivates one holding stock', async () => {
    const yard = await createWarehouse(clerk, 'PTA');
    const changed = await clerk.patch(
      `/api/v1/inventory/warehouses/${yard.id}`,
      { name: 'Pretoria yard', address: { line1: '5 Church Street', city: 'Pretoria', country: 'ZA' } },
      { 'if-match': '"1"' },
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Pretoria yard', version: 2 });
    expect(changed.body.address.city).toBe('Pretoria');
    const stale = await clerk.patch(
      `/api/v1/inventory/warehouses/${yard.id}`,
      { name: 'X' },
      { 'if-match': '"1"' },
    );
    expect(stale.status).toBe(412);
    expect((await clerk.patch(`/api/v1/inventory/warehouses/${yard.id}`, { name: 'X' })).status).toBe(428);

    const item = await createItem(clerk, 'PTA-BOLT');
    await receive(clerk, 'PTA', '2026-11-02', [['PTA-BOLT', '5', '2.00']]);
    const deactivate = await clerk.patch(
      `/api/v1/inventory/warehouses/${yard.id}`,
      { active: false },
      { 'if-match': '"2"' },
    );
    expect(deactivate.status).toBe(422);
    expect(deactivate.body.code).toBe('inventory.warehouse_has_stock');
    await clerk.post('/api/v1/inventory/adjustments', {
      warehouse: 'PTA',
      reason: 'Written off: stolen from the yard',
      lines: [{ item: 'PTA-BOLT', quantity: '-5' }],
    });
    const empty = await clerk.patch(
      `/api/v1/inventory/warehouses/${yard.id}`,
      { active: false },
      { 'if-match': '"2"' },
    );
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body.active).toBe(false);
    const into = await clerk.post('/api/v1/inventory/receipts', {
      warehouse: 'PTA',
      lines: [{ item: item.sku, quantity: '1', unitCost: ZAR('2.00') }],
    });
    expect(into.status).toBe(422);
    expect(into.body.errors).toEqual([{ path: 'warehouse', message: 'Warehouse PTA is inactive' }]);
  });

  it('deletes only warehouses never used, and never the main one', async () => {
    const unused = await createWarehouse(clerk, 'TEMP');
    const used = await createWarehouse(clerk, 'USED');
    await createItem(clerk, 'USED-NAIL');
    await receive(clerk, 'USED', '2026-11-02', [['USED-NAIL', '1', '1.00']]);
    const del = (id: string, version: number) =>
      clerk.request('DELETE', `/api/v1/inventory/warehouses/${id}`, {
        headers: { 'if-match': `"${version}"` },
      });
    expect((await del(unused.id, 1)).status).toBe(204);
    expect((await clerk.get(`/api/v1/inventory/warehouses/${unused.id}`)).status).toBe(404);
    const inUse = await del(used.id, 1);
    expect(inUse.status).toBe(409);
    expect(inUse.body.code).toBe('inventory.warehouse_in_use');
    const main = (await clerk.get('/api/v1/inventory/warehouses')).body.items.find(
      (w: { code: string }) => w.code === 'MAIN',
    );
    const mainDelete = await del(main.id, main.version);
    expect(mainDelete.status).toBe(422);
    expect(mainDelete.body.code).toBe('inventory.main_warehouse');
  });
});

describe('items', () => {
  it('adds stock and service items priced in the base currency with a known tax code', async () => {
    const cement = await clerk.post('/api/v1/inventory/items', {
      sku: 'CEM-325-50',
      name: 'Cement CEM II 32.5R, 50 kg bag',
      description: 'General purpose cement',
      uom: 'bag',
      kind: 'stock',
      salesPrice: ZAR('109.95'),
      taxCode: 'VAT15',
      reorderLevel: '150',
    });
    expect(cement.status, cement.text).toBe(201);
    expect(cement.body).toMatchObject({
      sku: 'CEM-325-50',
      uom: 'bag',
      kind: 'stock',
      salesPrice: { amount: '109.95', currency: 'ZAR' },
      taxCode: 'VAT15',
      reorderLevel: '150',
      active: true,
      version: 1,
    });
    const hire = await createItem(clerk, 'HIRE-MIXER', {
      kind: 'service',
      uom: 'day',
      salesPrice: ZAR('650'),
    });
    expect((await clerk.get(`/api/v1/inventory/items/${hire.id}`)).body.salesPrice).toEqual(ZAR('650.00'));

    const refusals: [Record<string, unknown>, number, string][] = [
      [{ sku: 'CEM-325-50' }, 409, 'sku'],
      [{ sku: 'bad sku' }, 400, 'sku'],
      [{ taxCode: 'VAT99' }, 422, 'taxCode'],
      [{ salesPrice: { amount: '10.00', currency: 'USD' } }, 422, 'salesPrice.currency'],
      [{ salesPrice: ZAR('-1.00') }, 400, 'salesPrice.amount'],
      [{ kind: 'service', reorderLevel: '5' }, 422, 'reorderLevel'],
      [{ uom: 'Bag of 50' }, 400, 'uom'],
    ];
    for (const [change, status, path] of refusals) {
      const response = await clerk.post('/api/v1/inventory/items', {
        sku: 'NEW-1',
        name: 'New',
        uom: 'each',
        kind: 'stock',
        salesPrice: ZAR('1.00'),
        taxCode: 'VAT15',
        ...change,
      });
      expect(response.status, JSON.stringify(change)).toBe(status);
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it('lists items by SKU with search, kind and active filters, a page at a time', async () => {
    for (const sku of ['LST-A', 'LST-B', 'LST-C', 'LST-D', 'LST-E']) await createItem(clerk, sku);
    const service = await createItem(clerk, 'LST-SVC', { kind: 'service', name: 'Listed labour' });
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: any = await clerk.get(
        `/api/v1/inventory/items?search=lst-&kind=stock&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      pages.push(page.body.items.map((i: { sku: string }) => i.sku));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([['LST-A', 'LST-B'], ['LST-C', 'LST-D'], ['LST-E']]);
    const byName = await clerk.get('/api/v1/inventory/items?search=listed');
    expect(byName.body.items.map((i: { id: string }) => i.id)).toEqual([service.id]);

    await clerk.patch(`/api/v1/inventory/items/${service.id}`, { active: false }, { 'if-match': '"1"' });
    const inactive = await clerk.get('/api/v1/inventory/items?active=false');
    expect(inactive.body.items.map((i: { sku: string }) => i.sku)).toEqual(['LST-SVC']);
    expect((await clerk.get('/api/v1/inventory/items?kind=tool')).status).toBe(400);
    expect((await clerk.get('/api/v1/inventory/items?cursor=nonsense')).body.errors[0].path).toBe(
      'query.cursor',
    );
  });

  it('changes an item with If-Match; its unit stays once it has stock history', async () => {
    const item = await createItem(clerk, 'CHG-1', { uom: 'each' });
    const changed = await clerk.patch(
      `/api/v1/inventory/items/${item.id}`,
      { name: 'Anchor bolt M12', uom: 'box', salesPrice: ZAR('12.50'), reorderLevel: '40' },
      { 'if-match': '"1"' },
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({
      name: 'Anchor bolt M12',
      uom: 'box',
      reorderLevel: '40',
      version: 2,
    });
    expect(changed.headers.get('etag')).toBe('"2"');
    expect(
      (await clerk.patch(`/api/v1/inventory/items/${item.id}`, { name: 'X' }, { 'if-match': '"1"' })).status,
    ).toBe(412);
    await receive(clerk, 'MAIN', '2026-11-02', [['CHG-1', '3', '8.00']]);
    const uom = await clerk.patch(
      `/api/v1/inventory/items/${item.id}`,
      { uom: 'each' },
      { 'if-match': '"2"' },
    );
    expect(uom.status).toBe(422);
    expect(uom.body.errors).toEqual([{ path: 'uom', message: 'Item has stock moves' }]);
    const sku = await clerk.patch(
      `/api/v1/inventory/items/${item.id}`,
      { sku: 'CHG-2' },
      { 'if-match': '"2"' },
    );
    expect(sku.status).toBe(400);
    expect(sku.body.errors[0].path).toBe('sku');
  });

  it("keeps another tenant's items, warehouses and stock out of sight", async () => {
    const item = await createItem(clerk, 'SECRET-1');
    const warehouse = await createWarehouse(clerk, 'SECRET');
    await receive(clerk, 'SECRET', '2026-11-02', [['SECRET-1', '7', '3.00']]);
    expect((await acme.get(`/api/v1/inventory/items/${item.id}`)).status).toBe(404);
    expect((await acme.get(`/api/v1/inventory/warehouses/${warehouse.id}`)).status).toBe(404);
    const patched = await acme.patch(
      `/api/v1/inventory/items/${item.id}`,
      { name: 'Mine' },
      { 'if-match': '"1"' },
    );
    expect(patched.status).toBe(404);
    expect((await acme.get('/api/v1/inventory/items?search=SECRET')).body.items).toEqual([]);
    expect((await acme.get(`/api/v1/inventory/stock?itemId=${item.id}`)).body.items).toEqual([]);
    expect((await acme.get('/api/v1/inventory/reports/valuation')).body.rows).toEqual([]);
    // By code too: acme has no SECRET warehouse nor SECRET-1 item.
    const receipt = await acme.post('/api/v1/inventory/receipts', {
      warehouse: 'SECRET',
      lines: [{ item: 'SECRET-1', quantity: '1', unitCost: { amount: '1.00', currency: 'EUR' } }],
    });
    expect(receipt.status).toBe(422);
    expect(receipt.body.code).toBe('inventory.unknown_warehouse');
  });

  it('lets readers read and only inventory clerks and admins write', async () => {
    const rep = await devhost.as('demo', 'sam', ['Sales.Rep']);
    expect((await rep.get('/api/v1/inventory/items')).status).toBe(200);
    expect((await rep.get('/api/v1/inventory/stock')).status).toBe(200);
    const write = await rep.post('/api/v1/inventory/items', { sku: 'REP-1' });
    expect(write.status).toBe(403);
    const hr = await devhost.as('demo', 'hana', ['HR.Manager']);
    expect((await hr.get('/api/v1/inventory/items')).status).toBe(403);
  });
});
