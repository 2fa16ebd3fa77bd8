/**
 * Financial statements over 1,000,000 journal lines of one tenant among several, against a real
 * PostgreSQL: the services (trial balance, balance sheet, profit and loss, a general ledger page)
 * beside the best plain SQL for the same answer, as a ratio.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/accounting-reports.ts
 *
 * It creates a database of its own on that server (dropped at the end unless BENCH_KEEP=1), seeds
 * it with plain SQL (generate_series), analyzes, and times each call as the best of several runs
 * after a warm-up. Then it closes 21 of the 24 months through the ledger's own service, which
 * stores each closed month's totals, and times the statements again.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import {
  balanceSheet,
  closePeriod,
  ensurePeriod,
  generalLedger,
  profitAndLoss,
  setUpBooks,
  tenantBooks,
  trialBalance,
} from '../shared/modules/accounting/index.js';
import { createDb, createPool, type Db, type Tx } from '../shared/platform/db/database.js';
import { migrateToLatest } from '../shared/platform/db/migrator.js';
import { withTenant } from '../shared/platform/db/tenant.js';

const LINES_TARGET = Number(process.env.BENCH_LINES ?? 1_000_000);
const OTHER_TENANTS = 4;
const LINES_PER_OTHER = 100_000;
const RUNS = 7;
/** Two fiscal years (the tenants' years start in March): FY2025 and FY2026. */
const FIRST = '2024-03-01';
const DAYS = 730;

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('Set DATABASE_URL to a PostgreSQL server (the bench creates and drops its own database).');
  process.exit(1);
}

const dbName = `tessera_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`create database ${dbName}`);
const benchUrl = new URL(url);
benchUrl.pathname = `/${dbName}`;
const db: Db = createDb(createPool(benchUrl.toString(), 4));

async function time<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  let best = Infinity;
  let result: T = await work(); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    result = await work();
    best = Math.min(best, performance.now() - start);
  }
  return { ms: best, result };
}

async function compare(
  what: string,
  service: (trx: Tx) => Promise<unknown>,
  plain: (trx: Tx) => Promise<unknown>,
) {
  const s = await time(() => withTenant(db, target, service));
  const p = await time(() => withTenant(db, target, plain));
  console.log(
    `${what.padEnd(58)} service ${s.ms.toFixed(1).padStart(8)} ms   plain SQL ${p.ms.toFixed(1).padStart(8)} ms   ratio ${(s.ms / p.ms).toFixed(2)}`,
  );
}

let target = '';
try {
  const t0 = performance.now();
  await migrateToLatest(db);

  // Tenants and their books.
  const tenants = Array.from({ length: OTHER_TENANTS + 1 }, (_, i) => ({
    id: randomUUID(),
    slug: `bench-${i}`,
  }));
  target = tenants[0]!.id;
  for (const t of tenants) {
    await sql`insert into tenants (id, slug, name, entra_tenant_id, base_currency, locale, time_zone,
      fiscal_year_start_month, approval_threshold)
      values (${t.id}, ${t.slug}, ${t.slug}, ${randomUUID()}, 'ZAR', 'en-ZA', 'Africa/Johannesburg', 3, 0)`.execute(
      db,
    );
    await withTenant(db, t.id, async (trx) => {
      await setUpBooks(trx, t.id, 'ZAR');
      const books = await tenantBooks(trx);
      for (let m = 0; m < 24; m++) await ensurePeriod(trx, books, monthStart(m));
    });
  }

  // Journal entries of two lines each, spread over the two years, then their lines. The deferred
  // balance and open-period triggers are skipped for the bulk load (replica mode): the seed
  // balances by construction (both lines of an entry carry the same amount).
  for (const [i, t] of tenants.entries()) {
    const entries = (i === 0 ? LINES_TARGET : LINES_PER_OTHER) / 2;
    await db.connection().execute(async (conn) => {
      await sql`set session_replication_role = replica`.execute(conn);
      await sql`
        insert into journal_entries (tenant_id, id, number, entry_date, period_id, memo, currency, exchange_rate, posted_by)
        select ${t.id}::uuid, gen_random_uuid(), 'B-' || g, d.day, p.id, 'Bench entry ' || g, 'ZAR', 1, 'bench'
        from generate_series(1, ${entries}::int) g
        cross join lateral (select ${FIRST}::date + (g % ${DAYS}) as day) d
        join periods p on p.tenant_id = ${t.id}::uuid and d.day between p.start_date and p.end_date`.execute(
        conn,
      );
      await sql`
        with accts as (select array_agg(id order by code) as ids from accounts where tenant_id = ${t.id}::uuid),
        src as (
          select e.id, e.entry_date, round((random() * 20000)::numeric, 4) + 0.0001 as amount,
                 1 + floor(random() * 60)::int as a1, 1 + floor(random() * 60)::int as a2
          from journal_entries e where e.tenant_id = ${t.id}::uuid)
        insert into journal_lines (tenant_id, entry_id, line_no, account_id, entry_date, debit, credit, base_debit, base_credit)
        select ${t.id}::uuid, src.id, v.n, accts.ids[case when v.n = 1 then src.a1 else src.a2 end], src.entry_date,
               case when v.n = 1 then src.amount else 0 end, case when v.n = 2 then src.amount else 0 end,
               case when v.n = 1 then src.amount else 0 end, case when v.n = 2 then src.amount else 0 end
        from src cross join accts cross join (values (1), (2)) v(n)`.execute(conn);
      await sql`set session_replication_role = origin`.execute(conn);
    });
  }
  // Vacuum as autovacuum would in production: it sets the visibility map that index-only scans need.
  await sql`vacuum analyze`.execute(db);
  const total = await sql<{ n: string }>`select count(*)::text as n from journal_lines`.execute(db);
  console.log(
    `Seeded ${Number(total.rows[0]?.n).toLocaleString('en')} journal lines (${LINES_TARGET.toLocaleString('en')} for the measured tenant, ${OTHER_TENANTS} other tenants) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );

  const yearFrom = '2025-03-01';
  const yearTo = '2026-02-28';
  const asOf = '2026-01-31';

  // The best plain SQL: aggregate the covering index first, then join the small chart of accounts.
  const plainTrialBalance = (trx: Tx) =>
    sql`with s as (
          select account_id, sum(base_debit) as debit, sum(base_credit) as credit from journal_lines
          where tenant_id = ${target}::uuid and entry_date between ${yearFrom} and ${yearTo} group by account_id)
        select a.code, s.debit, s.credit from s join accounts a on a.tenant_id = ${target}::uuid and a.id = s.account_id
        order by a.code`.execute(trx);
  const plainBalanceSheet = (trx: Tx) =>
    sql`with s as (
          select account_id, sum(base_debit - base_credit) as balance,
                 sum(base_debit - base_credit) filter (where entry_date <= '2025-01-31') as comparative
          from journal_lines where tenant_id = ${target}::uuid and entry_date <= ${asOf} group by account_id)
        select a.code, a.type, s.balance, s.comparative
        from s join accounts a on a.tenant_id = ${target}::uuid and a.id = s.account_id order by a.code`.execute(
      trx,
    );
  const plainProfitAndLoss = (trx: Tx) =>
    sql`select a.code, sum(l.base_credit - l.base_debit) from journal_lines l
        join accounts a on a.tenant_id = l.tenant_id and a.id = l.account_id
        where l.tenant_id = ${target}::uuid and a.type in ('revenue', 'expense')
          and (l.entry_date between '2025-12-01' and '2025-12-31' or l.entry_date between '2025-11-01' and '2025-11-30')
        group by a.code, l.entry_date >= '2025-12-01'`.execute(trx);
  const plainLedgerPage = (trx: Tx) =>
    sql`select l.entry_date, e.number, l.base_debit, l.base_credit,
          sum(l.base_debit - l.base_credit) over (order by l.entry_date, l.entry_id, l.line_no)
        from journal_lines l join journal_entries e on e.tenant_id = l.tenant_id and e.id = l.entry_id
        join accounts a on a.tenant_id = l.tenant_id and a.id = l.account_id
        where l.tenant_id = ${target}::uuid and a.code = '1000' and l.entry_date between '2025-12-01' and '2025-12-31'
        order by l.entry_date, l.entry_id, l.line_no limit 100`
      .execute(trx)
      .then(async (page) => ({
        page,
        // The opening balance and the range's totals, as the service's answer has them.
        totals: await sql`select sum(l.base_debit - l.base_credit) filter (where l.entry_date < '2025-12-01'),
              sum(l.base_debit) filter (where l.entry_date >= '2025-12-01'),
              sum(l.base_credit) filter (where l.entry_date >= '2025-12-01')
            from journal_lines l join accounts a on a.tenant_id = l.tenant_id and a.id = l.account_id
            where l.tenant_id = ${target}::uuid and a.code = '1000' and l.entry_date <= '2025-12-31'`.execute(
          trx,
        ),
      }));

  const suite = async (label: string) => {
    console.log(`-- ${label}`);
    await compare(
      'trial balance, one fiscal year',
      (trx) => trialBalance(trx, yearFrom, yearTo),
      plainTrialBalance,
    );
    await compare(
      'balance sheet, all history to a date, with comparison',
      (trx) => balanceSheet(trx, { date: asOf, compareTo: '2025-01-31' }),
      plainBalanceSheet,
    );
    await compare(
      'profit and loss, one month beside the month before',
      (trx) => profitAndLoss(trx, { from: '2025-12-01', to: '2025-12-31' }),
      plainProfitAndLoss,
    );
    await compare(
      'general ledger, first page of 100 with balances',
      (trx) => generalLedger(trx, { account: '1000', from: '2025-12-01', to: '2025-12-31', limit: 100 }),
      plainLedgerPage,
    );
    console.log('');
  };

  await suite('every period open: the statements read journal lines only');

  // Close March 2024 to November 2025 through the service: each close stores the month's totals.
  const closeStart = performance.now();
  const periods = await withTenant(db, target, (trx) =>
    trx.selectFrom('periods').select(['id', 'version']).orderBy('start_date').limit(21).execute(),
  );
  const actor = { tenantId: target, objectId: 'system:bench', name: 'Bench' };
  for (const p of periods) await withTenant(db, target, (trx) => closePeriod(trx, actor, p.id, p.version));
  console.log(
    `Closed ${periods.length} periods in ${(performance.now() - closeStart).toFixed(0)} ms (${((performance.now() - closeStart) / periods.length).toFixed(1)} ms each, totals stored)\n`,
  );
  const plainSummaryBalanceSheet = (trx: Tx) =>
    sql`select account_id, sum(d - c) from (
          select account_id, base_debit d, base_credit c from period_account_totals where tenant_id = ${target}::uuid
          union all
          select account_id, base_debit, base_credit from journal_lines
          where tenant_id = ${target}::uuid and entry_date between '2025-12-01' and ${asOf}) x
        group by account_id`.execute(trx);
  await suite('21 of 24 periods closed: closed months read from their stored totals');
  await compare(
    'balance sheet vs plain SQL over the same stored totals',
    (trx) => balanceSheet(trx, { date: asOf, compareTo: '2025-01-31' }),
    plainSummaryBalanceSheet,
  );
} finally {
  await db.destroy();
  if (process.env.BENCH_KEEP !== '1') await admin.query(`drop database if exists ${dbName}`);
  await admin.end();
}

function monthStart(m: number): string {
  const d = new Date(Date.UTC(2024, 2 + m, 1));
  return d.toISOString().slice(0, 10);
}
