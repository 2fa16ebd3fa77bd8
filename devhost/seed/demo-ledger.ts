import { postEntry, setUpBooks, type PostingRequest } from '../../shared/modules/accounting/index.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { todayIn } from '../../shared/platform/clock.js';
import type { Db } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { Decimal } from '../../shared/platform/money.js';

/** A small deterministic generator, so every fresh devhost shows the same books. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Who the demo data is recorded as, in the audit log. */
export const DEMO_ACTOR = { objectId: 'system:demo-data', name: 'Demo data' };

export function monthStart(today: string, monthsBack: number): { year: number; month: number } {
  const index = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1 - monthsBack;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

export const day = (m: { year: number; month: number }, d: number) =>
  `${m.year}-${String(m.month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const money = (value: number) => new Decimal(value).toDecimalPlaces(2).toFixed(2);
const minus = (a: string, b: string) => new Decimal(a).minus(b).toFixed(2);

/**
 * A year of a construction company's journal for the demo tenant (ZAR): capital, plant, monthly
 * rent, salaries with PAYE, fuel, bank charges and depreciation: what is not invoiced to a customer
 * or billed by a supplier. Contract revenue, materials, subcontractors, plant hire and utilities
 * come from the invoices and bills of `seedDemoTrade`, which also files the VAT returns. The acme
 * tenant (EUR) gets a few entries. Posted through the ledger's own service, each with a source id,
 * so running it again changes nothing.
 */
export async function seedDemoLedger(db: Db): Promise<number> {
  let posted = 0;
  for (const tenant of DEMO_TENANTS) {
    const entries =
      tenant.baseCurrency === 'ZAR'
        ? demoCompanyYear(todayIn(tenant.timeZone))
        : acmeEntries(todayIn(tenant.timeZone));
    const exists = await withTenant(db, tenant.id, (trx) =>
      trx.selectFrom('journal_entries').select('id').limit(1).executeTakeFirst(),
    );
    if (exists) continue;
    await withTenant(db, tenant.id, (trx) => setUpBooks(trx, tenant.id, tenant.baseCurrency));
    for (const [i, entry] of entries.entries()) {
      await withTenant(db, tenant.id, (trx) =>
        postEntry(
          trx,
          { ...DEMO_ACTOR, tenantId: tenant.id },
          { ...entry, source: { type: 'demo', id: `${tenant.slug}-${i}` }, allowControlAccounts: true },
        ),
      );
      posted++;
    }
  }
  return posted;
}

type Entry = Omit<PostingRequest, 'source'>;

function demoCompanyYear(today: string): Entry[] {
  const next = random(20261122);
  const between = (low: number, high: number) => low + (high - low) * next();
  const entries: Entry[] = [];
  const first = monthStart(today, 11);
  entries.push({
    date: day(first, 1),
    memo: 'Share capital paid in',
    currency: 'ZAR',
    lines: [
      { account: '1000', debit: '2500000.00' },
      { account: '3000', credit: '2500000.00' },
    ],
  });
  // Financed over 48 months at 11.75 %; the VAT is paid (and claimed) at once.
  let financed = new Decimal('1150000.00');
  entries.push({
    date: day(first, 3),
    memo: 'TLB and concrete mixer bought on an instalment sale agreement',
    currency: 'ZAR',
    lines: [
      { account: '1500', debit: '1150000.00' },
      { account: '1300', debit: '172500.00' },
      { account: '2550', credit: financed.toFixed(2) },
      { account: '1000', credit: '172500.00' },
    ],
  });
  for (let back = 11; back >= 0; back--) {
    const m = monthStart(today, back);
    const lastDay = back === 0 ? Number(today.slice(8, 10)) : 28;
    const on = (d: number) => day(m, Math.min(d, lastDay));
    if (back < 11) {
      const interest = financed.times('0.1175').dividedBy(12).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
      const capital = new Decimal('23958.33');
      financed = financed.minus(capital);
      entries.push({
        date: on(3),
        memo: 'Instalment sale agreement: plant',
        currency: 'ZAR',
        lines: [
          { account: '2550', debit: capital.toFixed(2) },
          { account: '6800', debit: interest.toFixed(2) },
          { account: '1000', credit: capital.plus(interest).toFixed(2) },
        ],
      });
    }
    entries.push({
      date: on(1),
      memo: 'Office and yard rent',
      currency: 'ZAR',
      lines: [
        { account: '6100', debit: '38000.00' },
        { account: '1300', debit: '5700.00' },
        { account: '1000', credit: '43700.00' },
      ],
    });
    const fuel = between(18_000, 32_000);
    entries.push({
      date: on(18),
      memo: 'Diesel for plant and vehicles',
      currency: 'ZAR',
      lines: [
        { account: '6300', debit: money(fuel) },
        { account: '1000', credit: money(fuel) },
      ],
    });
    if (lastDay >= 25) {
      const gross = money(between(380_000, 430_000));
      const paye = new Decimal(gross).times('0.22').toFixed(2);
      entries.push({
        date: on(25),
        memo: 'Salaries and wages',
        currency: 'ZAR',
        lines: [
          { account: '6000', debit: gross },
          { account: '2200', credit: paye },
          { account: '1000', credit: minus(gross, paye) },
        ],
      });
    }
    if (back < 11)
      entries.push({
        date: on(7),
        memo: 'PAYE, UIF and SDL paid to SARS',
        currency: 'ZAR',
        lines: [
          { account: '2200', debit: '88000.00' },
          { account: '1000', credit: '88000.00' },
        ],
      });
    const charges = money(between(900, 1_600));
    entries.push({
      date: on(28),
      memo: 'Bank charges',
      currency: 'ZAR',
      lines: [
        { account: '6500', debit: charges },
        { account: '1000', credit: charges },
      ],
    });
    entries.push({
      date: on(28),
      memo: 'Depreciation: plant',
      currency: 'ZAR',
      lines: [
        { account: '6550', debit: '19166.67' },
        { account: '1510', credit: '19166.67' },
      ],
    });
  }
  return entries;
}

function acmeEntries(today: string): Entry[] {
  const m = monthStart(today, 1);
  return [
    {
      date: day(m, 1),
      memo: 'Share capital paid in',
      currency: 'EUR',
      lines: [
        { account: '1000', debit: '250000.00' },
        { account: '3000', credit: '250000.00' },
      ],
    },
    {
      date: day(m, 2),
      memo: 'Office rent',
      currency: 'EUR',
      lines: [
        { account: '6100', debit: '4200.00' },
        { account: '1000', credit: '4200.00' },
      ],
    },
    {
      date: day(m, 20),
      memo: 'Travel to site visits',
      currency: 'EUR',
      lines: [
        { account: '6700', debit: '1260.40' },
        { account: '1000', credit: '1260.40' },
      ],
    },
  ];
}
