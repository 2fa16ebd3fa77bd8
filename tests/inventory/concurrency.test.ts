/**
 * Concurrent reservations against one balance, each in its own transaction on its own connection.
 * PGlite has a single backend, so transactions there never overlap: the test needs PostgreSQL.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setUpBooks } from '../../shared/modules/accounting/index.js';
import { DEMO_TENANTS, seedDemoTenants } from '../../shared/modules/admin/index.js';
import {
  createItem,
  createWarehouse,
  issueReservedStock,
  listWarehouses,
  postReceipt,
  postTransfer,
  reserveStock,
} from '../../shared/modules/inventory/index.js';
import type { Tx } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { AppError } from '../../shared/platform/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ledgerMismatches, systemActor, ZAR } from './helpers.js';

const demo = DEMO_TENANTS[0]!;
const actor = systemActor(demo.id);
const onServer = Boolean(process.env.DATABASE_URL);
let t: TestDatabase;
let itemId: string;
let mainId: string;
const inDemo = <T>(work: (trx: Tx) => Promise<T>) => withTenant(t.db, demo.id, work);

if (!onServer)
  console.info(
    'inventory concurrency: skipped on PGlite (one backend, transactions never overlap); set DATABASE_URL to run it on PostgreSQL',
  );

beforeAll(async () => {
  if (!onServer) return;
  t = await createTestDatabase();
  await seedDemoTenants(t.db);
  await inDemo(async (trx) => {
    await setUpBooks(trx, demo.id, demo.baseCurrency);
    await createWarehouse(trx, actor, { code: 'SITE-C', name: 'Sandton site', kind: 'site' });
    itemId = (
      await createItem(trx, actor, {
        sku: 'CONC-CEM',
        name: 'Cement',
        uom: 'bag',
        kind: 'stock',
        salesPrice: ZAR('119.00'),
        taxCode: 'VAT15',
      })
    ).id;
    mainId = (await listWarehouses(trx, { limit: 10 })).items.find((w) => w.code === 'MAIN')!.id;
    await postReceipt(trx, actor, {
      warehouse: 'MAIN',
      date: '2026-11-02',
      lines: [{ item: 'CONC-CEM', quantity: '30', unitCost: ZAR('92.50') }],
    });
  });
});
afterAll(async () => t?.close());

it.skipIf(!onServer)(
  '40 concurrent reservations of 3 against 30 in stock: exactly 10 succeed, available never negative',
  async () => {
    // Sampled while the reservations run: available stock as other transactions see it.
    let sampling = true;
    const samples: string[] = [];
    const sampler = (async () => {
      while (sampling) {
        const row = await sql<{ available: string }>`
          select on_hand - reserved as available from stock_balances where item_id = ${itemId}`.execute(t.db);
        samples.push(row.rows[0]!.available);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        inDemo((trx) =>
          reserveStock(trx, actor, {
            referenceType: 'test.order',
            referenceId: `conc-${i}`,
            lines: [{ key: '1', itemId, warehouseId: mainId, quantity: '3' }],
          }),
        ).then(
          () => 'reserved',
          (error: unknown) => (error instanceof AppError ? error.code : String(error)),
        ),
      ),
    );
    sampling = false;
    await sampler;
    expect(outcomes.filter((o) => o === 'reserved')).toHaveLength(10);
    expect(outcomes.filter((o) => o !== 'reserved')).toEqual(Array(30).fill('inventory.insufficient_stock'));
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((a) => Number(a) >= 0)).toBe(true);
    const balance = await sql<{ on_hand: string; reserved: string }>`
      select on_hand, reserved from stock_balances where item_id = ${itemId}`.execute(t.db);
    expect(balance.rows[0]).toEqual({ on_hand: '30.0000', reserved: '30.0000' });
    const held = await sql<{ n: string }>`
      select count(*)::text as n from stock_reservations where item_id = ${itemId} and status = 'active'`.execute(
      t.db,
    );
    expect(held.rows[0]!.n).toBe('10');
    expect(await ledgerMismatches(t.db)).toEqual([]);
  },
);

it.skipIf(!onServer)(
  'keeps the ledger whole under concurrent issues, retried issues, receipts and transfers of one item',
  async () => {
    const reserved = await sql<{ reference_id: string }>`
      select reference_id from stock_reservations where item_id = ${itemId} and status = 'active'
      order by reference_id`.execute(t.db);
    const work = [
      ...reserved.rows.flatMap((r) =>
        [1, 2].map(() =>
          inDemo((trx) =>
            issueReservedStock(trx, actor, {
              referenceType: 'test.order',
              referenceId: r.reference_id,
              source: { type: 'test.delivery', id: r.reference_id },
              date: '2026-11-10',
              lines: [{ key: '1', quantity: '3' }],
            }),
          ),
        ),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        inDemo((trx) =>
          postReceipt(trx, actor, {
            warehouse: 'MAIN',
            date: '2026-11-10',
            lines: [{ item: 'CONC-CEM', quantity: '2', unitCost: ZAR(`${90 + i}.00`) }],
          }),
        ),
      ),
    ];
    await Promise.all(work);
    const transfers = await Promise.all(
      Array.from({ length: 10 }, () =>
        inDemo((trx) =>
          postTransfer(trx, actor, {
            from: 'MAIN',
            to: 'SITE-C',
            date: '2026-11-11',
            lines: [{ item: 'CONC-CEM', quantity: '3' }],
          }),
        ).then(
          () => 'moved',
          (error: unknown) => (error instanceof AppError ? error.code : String(error)),
        ),
      ),
    );
    // 20 bags came in after all 30 were issued: six transfers of 3 fit.
    expect(transfers.filter((o) => o === 'moved')).toHaveLength(6);
    expect(transfers.filter((o) => o !== 'moved')).toEqual(Array(4).fill('inventory.insufficient_stock'));
    const entries = await sql<{ n: string }>`
      select count(*)::text as n from journal_entries where source_type = 'test.delivery'`.execute(t.db);
    expect(entries.rows[0]!.n).toBe('10');
    expect(await ledgerMismatches(t.db)).toEqual([]);
  },
);
