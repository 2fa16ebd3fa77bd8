/**
 * Master data for the sales and journal workloads, in the demo tenant, made through the API as a
 * user would: two warehouses, a catalogue of stock items with plenty of stock received into both,
 * and customers without a credit limit. Orders are small enough (5 lines of 1 to 3 units) never to
 * need finance's approval, as the workloads specify.
 *
 * It then reads back, as the database owner, what the raw-SQL baselines need to write the same rows:
 * ids, prices, tax rates, the accounts by role, the open period.
 */
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import type { Role } from '../../shared/platform/auth/roles.js';
import { Api } from './api.js';
import type { BenchContext } from './context.js';
import type { DevhostProcess } from './devhost.js';
import { pickDistinct, randomInt } from './stats.js';

export const DEMO_TENANT = DEMO_TENANTS[0]!;
/** What the workloads' users may do: sell, deliver, invoice, post journals. */
export const CLERK_ROLES: Role[] = ['Sales.Manager', 'Finance.Clerk'];

export interface FixtureItem {
  id: string;
  sku: string;
  name: string;
  price: string;
  taxCode: string;
  taxRate: string;
}

export interface SalesFixture {
  tenantId: string;
  warehouses: { id: string; code: string }[];
  items: FixtureItem[];
  customers: { id: string; code: string; name: string; paymentTermsDays: number }[];
  /** Account ids by code, and the codes of the accounts with a role. */
  accounts: Map<string, string>;
  roleAccounts: Record<'receivable' | 'inventory' | 'vat_output' | 'cost_of_sales', string>;
  /** Four accounts people may post to by hand: the journal workload's entries. */
  journalAccounts: string[];
  periodId: string;
  today: string;
  /** An API client per workload user, and their identity as the audit log records it. */
  users: { api: Api; objectId: string; name: string }[];
}

let cached: Promise<SalesFixture> | undefined;

export function salesFixture(ctx: BenchContext): Promise<SalesFixture> {
  cached ??= build(ctx);
  return cached;
}

async function build(ctx: BenchContext): Promise<SalesFixture> {
  const ITEMS = ctx.options.quick ? 40 : 120;
  const CUSTOMERS = ctx.options.quick ? 20 : 200;
  const devhost = await ctx.devhost();
  const admin = new Api(devhost.url, await devhost.token(DEMO_TENANT.slug, 'bench-admin', ['Admin']));
  ctx.log(`seeding the demo tenant through the API: 2 warehouses, ${ITEMS} items, ${CUSTOMERS} customers`);
  // The tenant's books come from its onboarding event: wait for the chart of accounts.
  for (let i = 0; ; i++) {
    const accounts = await admin.call<{ items: unknown[] }>(
      'GET',
      '/api/v1/accounting/accounts?limit=5',
      undefined,
      [200, 404],
    );
    if (accounts.status === 200 && accounts.body.items.length > 0) break;
    if (i > 600)
      throw new Error('The demo tenant has no chart of accounts a minute after the devhost started.');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const warehouses: { id: string; code: string }[] = [];
  for (const code of ['BWH1', 'BWH2'])
    warehouses.push(
      (
        await admin.post<{ id: string; code: string }>('/api/v1/inventory/warehouses', {
          code,
          name: `Bench warehouse ${code}`,
          kind: 'warehouse',
        })
      ).body,
    );
  const created: { id: string; sku: string }[] = [];
  await parallel(ITEMS, 8, async (i) => {
    const sku = `BENCH-${String(i).padStart(4, '0')}`;
    const item = await admin.post<{ id: string; sku: string }>('/api/v1/inventory/items', {
      sku,
      name: `Bench item ${i}`,
      uom: 'ea',
      kind: 'stock',
      salesPrice: { amount: `${40 + (i % 60)}.50`, currency: 'ZAR' },
      taxCode: 'VAT15',
    });
    created.push(item.body);
  });
  for (const w of warehouses)
    await admin.post('/api/v1/inventory/receipts', {
      warehouse: w.code,
      reference: `Bench stock ${w.code}`,
      lines: created.map((item, i) => ({
        item: item.sku,
        quantity: '10000000',
        unitCost: { amount: `${20 + (i % 17)}.25`, currency: 'ZAR' },
      })),
    });
  await parallel(CUSTOMERS, 8, async (i) => {
    await admin.post('/api/v1/accounting/customers', {
      code: `BC${String(i).padStart(4, '0')}`,
      name: `Bench customer ${i}`,
      paymentTermsDays: 30,
    });
  });

  const tenantId = DEMO_TENANT.id;
  const q = <T>(text: string, values: unknown[] = []) => ctx.database.query<T>(text, values);
  const items = await q<{
    id: string;
    sku: string;
    name: string;
    price: string;
    tax_code: string;
    rate: string;
  }>(
    `select i.id, i.sku, i.name, i.sales_price::text as price, i.tax_code, t.rate::text as rate
       from items i join tax_codes t on t.tenant_id = i.tenant_id and t.code = i.tax_code
      where i.tenant_id = $1 and i.sku like 'BENCH-%' order by i.sku`,
    [tenantId],
  );
  const customers = await q<{ id: string; code: string; name: string; payment_terms_days: number }>(
    `select id, code, name, payment_terms_days from parties where tenant_id = $1 and kind = 'customer' and code like 'BC%'`,
    [tenantId],
  );
  const accounts = await q<{
    id: string;
    code: string;
    role: string | null;
    manual_posting: boolean;
    type: string;
  }>(`select id, code, role, manual_posting, type from accounts where tenant_id = $1 and active`, [tenantId]);
  const today = (
    await q<{ today: string }>(`select (now() at time zone $1)::date::text as today`, [DEMO_TENANT.timeZone])
  )[0]!.today;
  const period = await q<{ id: string }>(
    `select id from periods where tenant_id = $1 and start_date <= $2 and end_date >= $2 and status = 'open'`,
    [tenantId, today],
  );
  if (!period[0]) throw new Error(`The demo tenant has no open period for ${today}.`);
  const byRole = (role: string) => {
    const account = accounts.find((a) => a.role === role);
    if (!account) throw new Error(`The demo tenant has no ${role} account.`);
    return account.code;
  };
  const users: SalesFixture['users'] = [];
  for (let i = 0; i < ctx.options.clients; i++) {
    const name = `bench-clerk-${i}`;
    const api = new Api(devhost.url, await devhost.token(DEMO_TENANT.slug, name, CLERK_ROLES));
    await api.get('/api/v1/accounting/accounts?limit=1');
    const user = await q<{ object_id: string; display_name: string }>(
      `select object_id::text, display_name from users where tenant_id = $1 and email = $2`,
      [tenantId, `${name}@${DEMO_TENANT.slug}.example`],
    );
    users.push({ api, objectId: user[0]?.object_id ?? name, name: user[0]?.display_name ?? name });
  }
  return {
    tenantId,
    warehouses,
    items: items.map((i) => ({
      id: i.id,
      sku: i.sku,
      name: i.name,
      price: i.price,
      taxCode: i.tax_code,
      taxRate: i.rate,
    })),
    customers: customers.map((c) => ({
      id: c.id,
      code: c.code,
      name: c.name,
      paymentTermsDays: c.payment_terms_days,
    })),
    accounts: new Map(accounts.map((a) => [a.code, a.id])),
    roleAccounts: {
      receivable: byRole('receivable'),
      inventory: byRole('inventory'),
      vat_output: byRole('vat_output'),
      cost_of_sales: byRole('cost_of_sales'),
    },
    journalAccounts: ['6100', '6200', '1000', '1010'].filter((code) =>
      accounts.some((a) => a.code === code && a.manual_posting),
    ),
    periodId: period[0].id,
    today,
    users,
  };
}

/** Runs `count` tasks, `width` at a time. */
export async function parallel(
  count: number,
  width: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** One order's lines: 5 distinct items from one warehouse, 1 to 3 units each. */
export function orderLines(
  fixture: SalesFixture,
): { item: FixtureItem; warehouseId: string; quantity: number }[] {
  const warehouse = fixture.warehouses[randomInt(fixture.warehouses.length)]!;
  return pickDistinct(fixture.items, 5).map((item) => ({
    item,
    warehouseId: warehouse.id,
    quantity: 1 + randomInt(3),
  }));
}

export function randomCustomer(fixture: SalesFixture) {
  return fixture.customers[randomInt(fixture.customers.length)]!;
}

export type { DevhostProcess };
