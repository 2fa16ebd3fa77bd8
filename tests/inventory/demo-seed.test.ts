import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoInventory } from '../../devhost/seed/demo-inventory.js';
import { setUpBooks } from '../../shared/modules/accounting/index.js';
import { DEMO_TENANTS, seedDemoTenants } from '../../shared/modules/admin/index.js';
import { lowStock, stockValuation } from '../../shared/modules/inventory/index.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { Decimal } from '../../shared/platform/money.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { inventoryCounts, ledgerMismatches } from './helpers.js';

const demo = DEMO_TENANTS[0]!;
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemoTenants(t.db);
});
afterAll(async () => t?.close());

it('needs the demo books first', async () => {
  await expect(seedDemoInventory(t.db)).rejects.toThrow(/chart of accounts/);
});

it('gives the demo tenant yards, a site, items and stock, once', async () => {
  await withTenant(t.db, demo.id, (trx) => setUpBooks(trx, demo.id, demo.baseCurrency));
  expect(await seedDemoInventory(t.db)).toBe(11);
  const after = await inventoryCounts(t.db, demo.id);
  expect(await seedDemoInventory(t.db)).toBe(0);
  expect(await inventoryCounts(t.db, demo.id)).toEqual(after);

  const warehouses = await sql<{ code: string; name: string; kind: string }>`
    select code, name, kind from warehouses where tenant_id = ${demo.id} order by code`.execute(t.db);
  expect(warehouses.rows).toEqual([
    { code: 'CPT', name: 'Cape Town yard', kind: 'yard' },
    { code: 'MAIN', name: 'Johannesburg main yard', kind: 'yard' },
    { code: 'SANDTON', name: 'Sandton office tower site', kind: 'site' },
  ]);
  expect(after.items).toBe('12');
  expect(await ledgerMismatches(t.db)).toEqual([]);

  const { valuation, low } = await withTenant(t.db, demo.id, async (trx) => ({
    valuation: await stockValuation(trx, {}),
    low: await lowStock(trx),
  }));
  expect(low.rows.map((r) => r.sku)).toEqual(['PPE-BOOTS']);
  expect(valuation.rows.map((r) => `${r.sku}@${r.warehouseCode}`)).toContain('BRICK-CLAY-1000@SANDTON');
  // The Inventory account carries exactly the value of the stock.
  const account = await sql<{ balance: string }>`
    select sum(l.base_debit - l.base_credit)::text as balance from journal_lines l
    join accounts a on a.tenant_id = l.tenant_id and a.id = l.account_id
    where l.tenant_id = ${demo.id} and a.code = '1200'`.execute(t.db);
  expect(new Decimal(account.rows[0]!.balance).equals(valuation.totals.value)).toBe(true);
});
