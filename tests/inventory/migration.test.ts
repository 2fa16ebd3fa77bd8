/**
 * The inventory migration on a database whose tenants already have books: down and up again.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setUpBooks } from '../../shared/modules/accounting/index.js';
import { DEMO_TENANTS, seedDemoTenants } from '../../shared/modules/admin/index.js';
import { createItem, postReceipt } from '../../shared/modules/inventory/index.js';
import { createMigrator, migrateToLatest } from '../../shared/platform/db/migrator.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { systemActor, ZAR } from './helpers.js';

const [demo, acme] = DEMO_TENANTS as [(typeof DEMO_TENANTS)[0], (typeof DEMO_TENANTS)[0]];
const BEFORE_INVENTORY = '2026-11-22T0004-period-totals';
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemoTenants(t.db);
  for (const tenant of [demo, acme])
    await withTenant(t.db, tenant.id, (trx) => setUpBooks(trx, tenant.id, tenant.baseCurrency));
  // demo posts through Goods received not invoiced before the migration is undone.
  await withTenant(t.db, demo.id, async (trx) => {
    await createItem(trx, systemActor(demo.id), {
      sku: 'MIG-1',
      name: 'Cement',
      uom: 'bag',
      kind: 'stock',
      salesPrice: ZAR('119.00'),
      taxCode: 'VAT15',
    });
    await postReceipt(trx, systemActor(demo.id), {
      warehouse: 'MAIN',
      date: '2026-11-02',
      lines: [{ item: 'MIG-1', quantity: '10', unitCost: ZAR('92.50') }],
    });
  });
});
afterAll(async () => t?.close());

/** Accounts of interest and number series per tenant slug, read as the owner. */
async function books() {
  const accounts = await sql<{ slug: string; code: string; role: string | null; manual_posting: boolean }>`
    select t.slug, a.code, a.role, a.manual_posting from accounts a join tenants t on t.id = a.tenant_id
    where a.code in ('2060', '5000', '5050') order by t.slug, a.code`.execute(t.db);
  const series = await sql<{ slug: string; code: string }>`
    select t.slug, s.code from number_series s join tenants t on t.id = s.tenant_id
    where s.code in ('ADJ', 'TRF', 'GRN') order by t.slug, s.code`.execute(t.db);
  return { accounts: accounts.rows, series: series.rows.map((s) => `${s.slug}:${s.code}`) };
}

it('gives existing books the inventory accounts and series, and takes them back on the way down', async () => {
  const migrated = await books();
  expect(migrated.accounts).toEqual([
    { slug: 'acme', code: '2060', role: 'grni', manual_posting: false },
    { slug: 'acme', code: '5000', role: 'cost_of_sales', manual_posting: true },
    { slug: 'acme', code: '5050', role: 'stock_adjustment', manual_posting: true },
    { slug: 'demo', code: '2060', role: 'grni', manual_posting: false },
    { slug: 'demo', code: '5000', role: 'cost_of_sales', manual_posting: true },
    { slug: 'demo', code: '5050', role: 'stock_adjustment', manual_posting: true },
  ]);

  const result = await createMigrator(t.db).migrateTo(BEFORE_INVENTORY);
  expect(result.error).toBeUndefined();
  const down = await books();
  // demo's 2060 has postings, so it stays (the journal is append-only), without its role.
  expect(down.accounts).toEqual([
    { slug: 'acme', code: '5000', role: null, manual_posting: true },
    { slug: 'demo', code: '2060', role: null, manual_posting: false },
    { slug: 'demo', code: '5000', role: null, manual_posting: true },
  ]);
  expect(down.series).toEqual(['acme:GRN', 'demo:GRN']);
  const tables = await sql<{ n: string }>`
    select count(*)::text as n from pg_tables where schemaname = 'public' and tablename like 'stock_%'`.execute(
    t.db,
  );
  expect(tables.rows[0]!.n).toBe('0');
  await expect(
    sql`insert into accounts (tenant_id, id, code, name, type, role)
    values (${demo.id}, gen_random_uuid(), '9999', 'X', 'expense', 'grni')`.execute(t.db),
  ).rejects.toThrow(/accounts_role_check/);

  await migrateToLatest(t.db);
  expect(await books()).toEqual(migrated);
  // Row-level security is forced again on the tables the migration changed across tenants.
  const forced = await sql<{ relname: string; relforcerowsecurity: boolean }>`
    select relname, relforcerowsecurity from pg_class
    where relname in ('tenants', 'accounts', 'number_series', 'number_counters') order by relname`.execute(
    t.db,
  );
  expect(forced.rows.every((r) => r.relforcerowsecurity)).toBe(true);
});
