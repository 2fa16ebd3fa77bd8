/**
 * Trial balance for one fiscal year through the API (`GET /api/v1/accounting/reports/trial-balance`),
 * for a tenant with 1M and one with 10M journal lines (BENCH_TB_LINES) among 100 tenants (the
 * others with 20,000 lines each), over two fiscal years of entries of 4 lines.
 *
 * Measured twice per tenant: with every period open (the report reads the running totals per
 * period and account: rollups plus the deltas not folded yet) and after the 24 months were closed
 * through the ledger's own service (closing a month stores its totals per account; the report then
 * reads those). Beside each, the best plain SQL for the same answer: the same running totals
 * summed, and, once closed, the stored totals summed; the year's lines summed from the covering
 * index are timed too, for comparison. The answers are compared. When the API misses its target,
 * the product's own query is run under EXPLAIN (ANALYZE, BUFFERS) and the plan goes into the notes.
 *
 * The largest tenant's other statements (balance sheet, profit and loss, a general ledger page) are
 * timed the same way in both states (statements.ts).
 *
 * The data are loaded with plain SQL (generate_series), triggers and foreign keys off
 * (session_replication_role = replica: the seed balances by construction), the secondary indexes
 * dropped and rebuilt for large loads; the running totals are then built from the lines as the
 * migration builds them, and 1,000 more entries per measured tenant are inserted one statement
 * each with triggers on, leaving their deltas unfolded; then everything is vacuumed and analyzed.
 */
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { closePeriod, trialBalance as trialBalanceService } from '../../shared/modules/accounting/index.js';
import type { Tx } from '../../shared/platform/db/database.js';
import type { DB } from '../../shared/platform/db/schema.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { Api } from '../lib/api.js';
import type { BenchContext } from '../lib/context.js';
import { inTenantTx } from '../lib/db.js';
import { httpPart, timeReport, timeSql, type ReportTimings } from '../lib/report-timing.js';
import { count, fmt, type LatencySummary } from '../lib/stats.js';
import { timeStatements } from './statements.js';
import {
  createTenants,
  DAYS,
  FIRST_DAY,
  withoutSecondaryIndexes,
  YEAR,
  type BenchTenant,
} from '../lib/tenants.js';

const LINES_PER_ENTRY = 4;
const CHUNK_LINES = 1_000_000;
/** Entries posted after the bulk load, one statement each, whose deltas are not folded yet. */
const TAIL_ENTRIES = 1_000;
const TARGET_MS = 50;
const tbService = (trx: Tx) => trialBalanceService(trx, YEAR.from, YEAR.to);

const PLAIN_FROM_LINES = `
  with s as (
    select account_id, sum(base_debit) as debit, sum(base_credit) as credit from journal_lines
     where tenant_id = $1 and entry_date between $2 and $3 group by account_id)
  select a.code, a.name, a.type, s.debit::text, s.credit::text
    from s join accounts a on a.tenant_id = $1 and a.id = s.account_id order by a.code`;

// With every period open: the rollups of the year's months plus the deltas not folded yet.
const PLAIN_FROM_RUNNING_TOTALS = `
  with s as (
    select account_id, sum(debit) as debit, sum(credit) as credit from (
      select t.account_id, t.base_debit as debit, t.base_credit as credit
        from period_account_rollups t join periods p on p.tenant_id = t.tenant_id and p.id = t.period_id
       where t.tenant_id = $1 and p.start_date >= $2 and p.end_date <= $3
      union all
      select t.account_id, t.base_debit, t.base_credit
        from period_account_deltas t join periods p on p.tenant_id = t.tenant_id and p.id = t.period_id
       where t.tenant_id = $1 and p.start_date >= $2 and p.end_date <= $3) as amounts
    group by account_id)
  select a.code, a.name, a.type, s.debit::text, s.credit::text
    from s join accounts a on a.tenant_id = $1 and a.id = s.account_id order by a.code`;

const PLAIN_FROM_TOTALS = `
  with s as (
    select t.account_id, sum(t.base_debit) as debit, sum(t.base_credit) as credit
      from period_account_totals t join periods p on p.tenant_id = t.tenant_id and p.id = t.period_id
     where t.tenant_id = $1 and p.start_date >= $2 and p.end_date <= $3 group by t.account_id)
  select a.code, a.name, a.type, s.debit::text, s.credit::text
    from s join accounts a on a.tenant_id = $1 and a.id = s.account_id order by a.code`;

interface Measured {
  lines: number;
  open: {
    api: LatencySummary;
    service: LatencySummary;
    plain: LatencySummary;
    plainLines: LatencySummary;
    deltas: number;
    same: boolean;
  };
  closed?: {
    api: LatencySummary;
    service: LatencySummary;
    plainTotals: LatencySummary;
    plainLines: LatencySummary;
    same: boolean;
  };
}

export async function trialBalance(ctx: BenchContext): Promise<void> {
  const devhost = await ctx.devhost();
  const { tbLines, tbTenants, tbLinesPerOtherTenant, reportRuns } = ctx.options;
  const sizes = [...tbLines].sort((a, b) => a - b);
  const others = Math.max(0, tbTenants - sizes.length);
  const total = sizes.reduce((s, n) => s + n, 0) + others * tbLinesPerOtherTenant;
  ctx.log(
    `trial balance: ${sizes.length + others} tenants, ${sizes.map((n) => fmt(n)).join(' and ')} journal lines for the measured ` +
      `ones, ${fmt(tbLinesPerOtherTenant)} for each of ${others} others: ${fmt(total)} lines to load`,
  );
  const measured = await createTenants(
    ctx.database,
    sizes.map((_, i) => `tb-${i}`),
  );
  const rest = await createTenants(
    ctx.database,
    Array.from({ length: others }, (_, i) => `tb-other-${i}`),
  );

  const seeder = new pg.Client({ connectionString: ctx.database.url });
  await seeder.connect();
  const loadStart = Date.now();
  try {
    await seeder.query('set session_replication_role = replica');
    const load = async () => {
      let loaded = 0;
      const progress = (n: number) => {
        loaded += n;
        ctx.log(
          `  ${fmt(loaded)} / ${fmt(total)} lines (${fmt((loaded / Math.max(1, (Date.now() - loadStart) / 1000)) | 0)} lines/s)`,
        );
      };
      for (const [i, tenant] of measured.entries()) await seedLines(seeder, tenant, sizes[i]!, progress);
      let batch = 0;
      for (const tenant of rest) {
        await seedLines(seeder, tenant, tbLinesPerOtherTenant, () => undefined);
        batch += tbLinesPerOtherTenant;
        if (batch >= CHUNK_LINES || tenant === rest[rest.length - 1]) {
          progress(batch);
          batch = 0;
        }
      }
    };
    if (total > 2_000_000)
      await withoutSecondaryIndexes(ctx.database, ['journal_entries', 'journal_lines'], load, ctx.log);
    else await load();
    await seeder.query('set session_replication_role = origin');
    // The load ran with triggers off, so the per-period totals that postings keep were not kept:
    // build them as the migration does for an existing journal.
    ctx.log('  per-period totals of the loaded lines');
    // Only the tenants loaded here: others (the demo tenant of the write workloads) posted through
    // the product, and their totals are kept already.
    await seeder.query(
      `
      insert into period_account_rollups (tenant_id, period_id, account_id, base_debit, base_credit)
      select l.tenant_id, p.id, l.account_id, sum(l.base_debit), sum(l.base_credit)
        from journal_lines l
        join periods p on p.tenant_id = l.tenant_id and l.entry_date between p.start_date and p.end_date
       where l.tenant_id = any($1::uuid[])
       group by l.tenant_id, p.id, l.account_id`,
      [[...measured, ...rest].map((t) => t.id)],
    );
    // Then entries posted one by one with triggers on, as since the last fold: their deltas.
    ctx.log(`  ${fmt(TAIL_ENTRIES)} more entries per measured tenant, one statement each`);
    for (const [i, tenant] of measured.entries()) {
      const seeded = Math.ceil(sizes[i]! / LINES_PER_ENTRY);
      for (let n = seeded + 1; n <= seeded + TAIL_ENTRIES; n++) await insertEntries(seeder, tenant, n, n);
    }
    ctx.log('  vacuum analyze');
    await seeder.query(
      'vacuum (analyze) journal_entries, journal_lines, period_account_rollups, period_account_deltas',
    );
  } finally {
    await seeder.end();
  }
  const loadSeconds = (Date.now() - loadStart) / 1000;
  ctx.log(`  loaded in ${loadSeconds.toFixed(0)} s`);

  const sqlClient = new pg.Client({ connectionString: ctx.database.url });
  await sqlClient.connect();
  const results: Measured[] = [];
  const plans: Record<string, string> = {};
  try {
    const apis = await Promise.all(
      measured.map(
        async (t) => new Api(devhost.url, await devhost.token(t.slug, 'bench-accountant', ['Finance.Clerk'])),
      ),
    );
    const path = `/api/v1/accounting/reports/trial-balance?from=${YEAR.from}&to=${YEAR.to}`;
    const args = (t: BenchTenant) => [t.id, YEAR.from, YEAR.to];
    // The year's lines summed, the way a report without stored totals must.
    const sumOfLines = (t: BenchTenant) =>
      timeSql(sqlClient, t.id, PLAIN_FROM_LINES, args(t), Math.min(reportRuns, 10));

    for (const [i, tenant] of measured.entries()) {
      ctx.log(
        `trial balance, ${fmt(sizes[i]!)} lines, every period open: API and plain SQL, ${reportRuns} runs each`,
      );
      const report = (sql: string) => ({
        api: apis[i]!,
        path,
        db: ctx.database.db,
        client: sqlClient,
        tenantId: tenant.id,
        service: tbService,
        sql,
        values: args(tenant),
      });
      const deltas = await deltaRows(sqlClient, tenant);
      const { api, plain, service } = await timeReport(report(PLAIN_FROM_RUNNING_TOTALS), reportRuns);
      const plainLines = await sumOfLines(tenant);
      const same =
        (await sameAnswer(apis[i]!, path, sqlClient, tenant, PLAIN_FROM_RUNNING_TOTALS)) &&
        (await sameAnswer(apis[i]!, path, sqlClient, tenant, PLAIN_FROM_LINES));
      results.push({ lines: sizes[i]!, open: { api, service, plain, plainLines, deltas, same } });
      if (api.p50 > TARGET_MS)
        plans[`${fmt(sizes[i]!)} lines, periods open`] = await explainProduct(ctx, sqlClient, tenant);
    }

    // The other statements, over the largest tenant's books.
    const last = measured.length - 1;
    ctx.log(`the other statements, ${fmt(sizes[last]!)} lines, every period open`);
    const statementsOpen = await timeStatements(ctx, apis[last]!, sqlClient, measured[last]!.id, false);

    ctx.log(
      'closing the 24 months of the measured tenants through the ledger service (each stores its totals)',
    );
    const closeStart = Date.now();
    for (const tenant of measured) await closeAllPeriods(ctx, tenant);
    const closeSeconds = (Date.now() - closeStart) / 1000;
    ctx.log(`  closed in ${closeSeconds.toFixed(1)} s`);

    for (const [i, tenant] of measured.entries()) {
      ctx.log(
        `trial balance, ${fmt(sizes[i]!)} lines, the year closed: API and plain SQL, ${reportRuns} runs each`,
      );
      const {
        api,
        plain: plainTotals,
        service,
      } = await timeReport(
        {
          api: apis[i]!,
          path,
          db: ctx.database.db,
          client: sqlClient,
          tenantId: tenant.id,
          service: tbService,
          sql: PLAIN_FROM_TOTALS,
          values: args(tenant),
        },
        reportRuns,
      );
      const plainLines = await sumOfLines(tenant);
      const same = await sameAnswer(apis[i]!, path, sqlClient, tenant, PLAIN_FROM_TOTALS);
      results[i]!.closed = { api, service, plainTotals, plainLines, same };
      if (api.p50 > TARGET_MS)
        plans[`${fmt(sizes[i]!)} lines, year closed`] = await explainProduct(ctx, sqlClient, tenant);
    }

    ctx.log(`the other statements, ${fmt(sizes[last]!)} lines, months closed`);
    const statementsClosed = await timeStatements(ctx, apis[last]!, sqlClient, measured[last]!.id, true);

    const largest = sizes[sizes.length - 1]!;
    for (const r of results) {
      const label = `${count(r.lines)} lines, ${tbTenants} tenants`;
      const target = r.lines === largest ? { max: TARGET_MS, text: `p50 ≤ ${TARGET_MS} ms` } : undefined;
      ctx.rows.push({
        workload: 'trial balance (one year)',
        metric: `p50, ${label}, periods open (running totals)`,
        ours: r.open.api.p50,
        raw: r.open.plain.p50,
        unit: 'ms',
        better: 'lower',
        digits: 1,
        target,
      });
      if (r.closed)
        ctx.rows.push({
          workload: 'trial balance (one year)',
          metric: `p50, ${label}, year closed (stored totals)`,
          ours: r.closed.api.p50,
          raw: r.closed.plainTotals.p50,
          unit: 'ms',
          better: 'lower',
          digits: 1,
          target,
        });
    }
    for (const [state, timings] of [
      ['periods open', statementsOpen],
      ['months closed', statementsClosed],
    ] as const)
      for (const [name, t] of Object.entries(timings as Record<string, ReportTimings>))
        ctx.rows.push({
          workload: `statements (${count(largest)} lines)`,
          metric: `p50, ${name}, ${state}`,
          ours: t.api.p50,
          raw: t.plain.p50,
          unit: 'ms',
          better: 'lower',
          digits: 1,
        });
    for (const r of results) {
      if (!r.open.same || (r.closed && !r.closed.same))
        ctx.notes.push(`Trial balance, ${fmt(r.lines)} lines: the API's totals differ from the plain SQL's.`);
    }
    const big = results[results.length - 1]!;
    const split = (label: string, api: LatencySummary, service: LatencySummary, plain: LatencySummary) =>
      `${label}: API ${fmt(api.p50, 1)} ms = the service in process ${fmt(service.p50, 1)} ms (plain SQL ` +
      `${fmt(plain.p50, 1)} ms) + HTTP, auth and JSON ${httpPart(api, service)}`;
    ctx.notes.push(
      `Trial balance, where the time goes (p50): ${results
        .flatMap((r) => [
          split(`${fmt(r.lines)} lines open`, r.open.api, r.open.service, r.open.plain),
          ...(r.closed
            ? [split(`${fmt(r.lines)} lines closed`, r.closed.api, r.closed.service, r.closed.plainTotals)]
            : []),
        ])
        .join('; ')}.`,
    );
    ctx.notes.push(
      `Trial balance: ${fmt(total)} journal lines loaded in ${loadSeconds.toFixed(0)} s; closing 24 months of the measured ` +
        `tenants took ${closeSeconds.toFixed(1)} s. The year's lines are ${fmt(big.lines / 2)}. With every period open the ` +
        `API reads the year's 12 months × ~60 accounts of running totals (rollups kept by folding the deltas that each ` +
        `posting appends) plus the deltas not folded yet (${fmt(big.open.deltas)} rows when the runs began: ` +
        `${fmt(TAIL_ENTRIES)} entries posted one by one after the load; the devhost's fold timer may fold them during the ` +
        `runs); the best plain SQL reads the same rows. Summing the year's lines instead costs p50 ` +
        `${fmt(big.open.plainLines.p50, 1)} ms in plain SQL (once closed: ${fmt(big.closed?.plainLines.p50 ?? NaN, 1)} ms). ` +
        `With the year closed the API reads the totals stored at close.` +
        (big.open.api.p50 > TARGET_MS ? ` The ${TARGET_MS} ms target is missed with the periods open.` : ''),
    );
    for (const [label, plan] of Object.entries(plans))
      ctx.notes.push(`EXPLAIN ANALYZE of the API's query, ${label}:\n${plan}`);
    ctx.details.trialBalance = {
      tenants: tbTenants,
      totalLines: total,
      loadSeconds,
      closeSeconds,
      results,
      plans,
    };
  } finally {
    await sqlClient.end();
  }
}

async function seedLines(
  client: pg.Client,
  tenant: BenchTenant,
  lines: number,
  progress: (n: number) => void,
) {
  const entries = Math.ceil(lines / LINES_PER_ENTRY);
  const perChunk = CHUNK_LINES / LINES_PER_ENTRY;
  for (let first = 1; first <= entries; first += perChunk) {
    const last = Math.min(entries, first + perChunk - 1);
    await insertEntries(client, tenant, first, last);
    progress((last - first + 1) * LINES_PER_ENTRY);
  }
}

/** Entries `first`..`last` of 4 lines each on a day of the two years, at random accounts, in one statement. */
async function insertEntries(client: pg.Client, tenant: BenchTenant, first: number, last: number) {
  await client.query(
    `with accts as (select array_agg(id order by code) as ids, count(*)::int as n from accounts where tenant_id = $1),
     e as (
       insert into journal_entries (tenant_id, id, number, entry_date, period_id, memo, currency, exchange_rate, posted_by)
       select $1, gen_random_uuid(), 'B-' || g, d.day, p.id, 'Bench entry ' || g, 'ZAR', 1, 'bench'
         from generate_series($2::int, $3::int) g
         cross join lateral (select $4::date + (g % $5::int) as day) d
         join periods p on p.tenant_id = $1 and d.day between p.start_date and p.end_date
       returning id, entry_date),
     src as (
       select e.id, e.entry_date, round((random() * 20000)::numeric, 2) + 0.01 as a, round((random() * 5000)::numeric, 2) + 0.01 as b,
              accts.ids[1 + floor(random() * accts.n)::int] as a1, accts.ids[1 + floor(random() * accts.n)::int] as a2,
              accts.ids[1 + floor(random() * accts.n)::int] as a3, accts.ids[1 + floor(random() * accts.n)::int] as a4
         from e cross join accts)
     insert into journal_lines (tenant_id, entry_id, line_no, account_id, entry_date, debit, credit, base_debit, base_credit)
     select $1, src.id, v.n,
            case v.n when 1 then src.a1 when 2 then src.a2 when 3 then src.a3 else src.a4 end,
            src.entry_date, x.debit, x.credit, x.debit, x.credit
       from src cross join (values (1), (2), (3), (4)) v(n)
       cross join lateral (select case v.n when 1 then src.a when 2 then src.b else 0 end as debit,
                                  case v.n when 3 then src.a when 4 then src.b else 0 end as credit) x`,
    [tenant.id, first, last, FIRST_DAY, DAYS],
  );
}

async function deltaRows(client: pg.Client, tenant: BenchTenant): Promise<number> {
  const result = await client.query<{ n: string }>(
    'select count(*) as n from period_account_deltas where tenant_id = $1',
    [tenant.id],
  );
  return Number(result.rows[0]?.n);
}

async function closeAllPeriods(ctx: BenchContext, tenant: BenchTenant) {
  const actor = { tenantId: tenant.id, objectId: 'system:bench', name: 'Bench' };
  const periods = await withTenant(ctx.database.db, tenant.id, (trx) =>
    trx.selectFrom('periods').select(['id', 'version']).orderBy('start_date').execute(),
  );
  for (const p of periods)
    await withTenant(ctx.database.db, tenant.id, (trx) => closePeriod(trx, actor, p.id, p.version));
}

/** The API's totals equal the plain SQL's, to the cent. */
async function sameAnswer(api: Api, path: string, client: pg.Client, tenant: BenchTenant, plain: string) {
  const answer = await api.get<{ totals: { debit: string; credit: string }; rows: unknown[] }>(path);
  const rows = await inTenantTx(client as unknown as pg.PoolClient, tenant.id, () =>
    client.query<{ debit: string; credit: string }>(plain, [tenant.id, YEAR.from, YEAR.to]),
  );
  const sum = (k: 'debit' | 'credit') => rows.rows.reduce((s, r) => s + Number(r[k]), 0).toFixed(2);
  return (
    answer.body.rows.length === rows.rows.length &&
    Number(answer.body.totals.debit).toFixed(2) === sum('debit') &&
    Number(answer.body.totals.credit).toFixed(2) === sum('credit')
  );
}

/** The report's own SQL, captured from the service as it runs, under EXPLAIN (ANALYZE, BUFFERS). */
async function explainProduct(ctx: BenchContext, client: pg.Client, tenant: BenchTenant): Promise<string> {
  const captured: CompiledQuery[] = [];
  const pool = new pg.Pool({ connectionString: ctx.database.url, max: 1 });
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  try {
    await withTenant(db, tenant.id, (trx) => trialBalanceService(trx, YEAR.from, YEAR.to));
  } finally {
    await db.destroy();
  }
  const query = captured.find((q) => q.sql.includes('with sums as'));
  if (!query) return '(the report query was not captured)';
  const plan = await inTenantTx(client as unknown as pg.PoolClient, tenant.id, () =>
    client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${query.sql}`, [...query.parameters]),
  );
  return plan.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n');
}
