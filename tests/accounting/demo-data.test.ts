import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { day, monthStart, seedDemoLedger } from '../../devhost/seed/demo-ledger.js';
import { seedDemoTrade } from '../../devhost/seed/demo-trade.js';
import {
  agingReport,
  profitAndLoss,
  trialBalance,
  vatReport,
} from '../../shared/modules/accounting/index.js';
import { DEMO_TENANTS, seedDemoTenants } from '../../shared/modules/admin/index.js';
import { todayIn } from '../../shared/platform/clock.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { Decimal } from '../../shared/platform/money.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const [demo, acme] = DEMO_TENANTS as [(typeof DEMO_TENANTS)[0], (typeof DEMO_TENANTS)[0]];
const BUCKETS = ['current', 'days1To30', 'days31To60', 'days61To90', 'over90'] as const;
const TABLES = [
  'parties',
  'trade_documents',
  'trade_document_lines',
  'trade_settlements',
  'trade_allocations',
  'exchange_rates',
  'journal_entries',
  'journal_lines',
  'audit_log',
  'outbox',
];

let t: TestDatabase;
const seeded: { ledger: number; trade: number }[] = [];
const counts: Record<string, string>[] = [];

/** Row counts per tenant and table, read as the owner. */
async function rowCounts(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of TABLES) {
    const { rows } = await sql<{ tenant_id: string; n: string }>`
      select tenant_id, count(*)::text as n from ${sql.table(table)} group by tenant_id`.execute(t.db);
    for (const row of rows) out[`${table}:${row.tenant_id}`] = row.n;
  }
  return out;
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemoTenants(t.db);
  for (let run = 0; run < 2; run++) {
    seeded.push({ ledger: await seedDemoLedger(t.db), trade: await seedDemoTrade(t.db) });
    counts.push(await rowCounts());
  }
}, 180_000);
afterAll(async () => t?.close());

const inTenant = <T>(tenant: (typeof DEMO_TENANTS)[0], work: Parameters<typeof withTenant<T>>[2]) =>
  withTenant(t.db, tenant.id, work);

/** An account's balance (debit − credit) over all the books up to today. */
async function balanceOf(tenant: (typeof DEMO_TENANTS)[0], account: string): Promise<string> {
  const tb = await inTenant(tenant, (trx) => trialBalance(trx, '2000-01-01', todayIn(tenant.timeZone)));
  return new Decimal(tb.rows.find((r) => r.account === account)?.balance ?? 0).toFixed(4);
}

describe(`demo data (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('seeds both tenants once: a second run changes nothing', () => {
    expect(seeded[0]!.ledger).toBeGreaterThan(0);
    expect(seeded[0]!.trade).toBeGreaterThan(100);
    expect(seeded[1]).toEqual({ ledger: 0, trade: 0 });
    expect(counts[1]).toEqual(counts[0]);
    for (const tenant of [demo, acme]) {
      expect(Number(counts[0]![`parties:${tenant.id}`]), tenant.slug).toBeGreaterThanOrEqual(4);
      expect(Number(counts[0]![`trade_settlements:${tenant.id}`]), tenant.slug).toBeGreaterThan(0);
    }
  });

  it.each([demo, acme])('keeps the books of $slug balanced', async (tenant) => {
    const tb = await inTenant(tenant, (trx) => trialBalance(trx, '2000-01-01', todayIn(tenant.timeZone)));
    expect(new Decimal(tb.totals.debit).greaterThan(0)).toBe(true);
    expect(tb.totals.debit).toBe(tb.totals.credit);
  });

  it('ages the demo receivables and payables in every bucket', async () => {
    for (const ledger of ['receivable', 'payable'] as const) {
      const aging = await inTenant(demo, (trx) => agingReport(trx, ledger));
      for (const bucket of BUCKETS)
        expect(new Decimal(aging.totals.base[bucket]).greaterThan(0), `${ledger} ${bucket}`).toBe(true);
      // A customer invoiced in dollars.
      if (ledger === 'receivable')
        expect(aging.totals.byCurrency.map((c) => c.currency)).toEqual(['USD', 'ZAR']);
    }
  });

  it.each([demo, acme])(
    'has control accounts of $slug equal to the aged totals in the base currency',
    async (tenant) => {
      const ar = await inTenant(tenant, (trx) => agingReport(trx, 'receivable'));
      const ap = await inTenant(tenant, (trx) => agingReport(trx, 'payable'));
      expect(new Decimal(ar.totals.base.total).greaterThan(0)).toBe(true);
      expect(new Decimal(ap.totals.base.total).greaterThan(0)).toBe(true);
      expect(await balanceOf(tenant, '1100')).toBe(new Decimal(ar.totals.base.total).toFixed(4));
      expect(await balanceOf(tenant, '2000')).toBe(new Decimal(ap.totals.base.total).negated().toFixed(4));
    },
  );

  it('counts trading revenue and costs once: the journal seed leaves them to invoices and bills', async () => {
    const { rows } = await sql<{ code: string }>`
      select distinct a.code from journal_entries e
      join journal_lines l on l.tenant_id = e.tenant_id and l.entry_id = e.id
      join accounts a on a.tenant_id = l.tenant_id and a.id = l.account_id
      where e.source_type = 'demo' and a.code in ('1100', '2000', '4100', '4200', '5100', '5200', '5300', '6150')`.execute(
      t.db,
    );
    expect(rows).toEqual([]);
    // Last month's VAT comes from documents only, apart from the rent's input VAT. (A whole month:
    // early in a month, the month so far may hold no customer invoice yet.)
    const today = todayIn(demo.timeZone);
    const from = day(monthStart(today, 1), 1);
    const [year, month] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
    const to = new Date(Date.UTC(year, month - 1, 0)).toISOString().slice(0, 10);
    const vat = await inTenant(demo, (trx) => vatReport(trx, from, to));
    expect(new Decimal(vat.documents.outputVat).greaterThan(0)).toBe(true);
    expect(vat.otherVatPostings.output).toBe('0.00');
    expect(vat.ledger.outputVat).toBe(vat.documents.outputVat);
  });

  it('shows a profitable year for the demo company', async () => {
    const today = todayIn(demo.timeZone);
    const pl = await inTenant(demo, (trx) =>
      profitAndLoss(trx, { from: day(monthStart(today, 11), 1), to: today }),
    );
    const revenue = new Decimal(pl.sections.find((s) => s.type === 'revenue')!.total);
    const result = new Decimal(pl.netResult);
    expect(revenue.greaterThan(10_000_000)).toBe(true);
    expect(result.greaterThan(0)).toBe(true);
    expect(result.lessThan(revenue.times('0.25'))).toBe(true);
  });
});
