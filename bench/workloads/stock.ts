/**
 * Stock reports over 1M stock moves (BENCH_STOCK_MOVES) of one tenant: 500 items in 4 warehouses
 * (2,000 balances), two years of receipts and issues up to today.
 * - stock valuation today (`GET /api/v1/inventory/reports/valuation`): every item and warehouse
 *   with its quantity, average cost and value, and the total;
 * - stock valuation 30 days ago (`?asOf=`): today's balances less the moves since then;
 * - on hand, the first page of 100 (`GET /api/v1/inventory/stock?limit=100`).
 * Beside each, the best plain SQL for the same answer, in a tenant transaction as the app role.
 */
import pg from 'pg';
import type { Tx } from '../../shared/platform/db/database.js';
import { Api } from '../lib/api.js';
import type { BenchContext } from '../lib/context.js';
import { inTenantTx } from '../lib/db.js';
import { listStock, stockValuation } from '../../shared/modules/inventory/index.js';
import { httpPart, timeReport } from '../lib/report-timing.js';
import { count, fmt, now, summarize, timeRuns } from '../lib/stats.js';
import { Decimal, Money } from '../../shared/platform/money.js';
import {
  divideHalfEven,
  parseScaled,
  scaledAmountString,
  scaledQuantityString,
} from '../../shared/platform/scaled.js';
import { createTenants, withoutSecondaryIndexes } from '../lib/tenants.js';

const ITEMS = 500;
const WAREHOUSES = 4;
const TARGET_MS = 50;

const PLAIN_VALUATION_TODAY = `
  select b.item_id, i.sku, i.name, i.uom, b.warehouse_id, w.code, b.on_hand::text, b.value::text
    from stock_balances b
    join items i on i.tenant_id = b.tenant_id and i.id = b.item_id
    join warehouses w on w.tenant_id = b.tenant_id and w.id = b.warehouse_id
   where b.tenant_id = $1 and (b.on_hand <> 0 or b.value <> 0)
   order by i.sku, w.code`;

const PLAIN_VALUATION_AS_OF = `
  with later as (
    select item_id, warehouse_id, sum(quantity) as quantity, sum(value) as value from stock_moves
     where tenant_id = $1 and move_date > $2::date group by item_id, warehouse_id)
  select b.item_id, i.sku, i.name, i.uom, b.warehouse_id, w.code,
         (b.on_hand - coalesce(l.quantity, 0))::text as on_hand, (b.value - coalesce(l.value, 0))::text as value
    from stock_balances b
    left join later l on l.item_id = b.item_id and l.warehouse_id = b.warehouse_id
    join items i on i.tenant_id = b.tenant_id and i.id = b.item_id
    join warehouses w on w.tenant_id = b.tenant_id and w.id = b.warehouse_id
   where b.tenant_id = $1 and (b.on_hand - coalesce(l.quantity, 0) <> 0 or b.value - coalesce(l.value, 0) <> 0)
   order by i.sku, w.code`;

const PLAIN_ON_HAND_PAGE = `
  select b.item_id, i.sku, i.name, i.uom, b.warehouse_id, w.code, b.on_hand::text, b.reserved::text, b.value::text
    from stock_balances b
    join items i on i.tenant_id = b.tenant_id and i.id = b.item_id
    join warehouses w on w.tenant_id = b.tenant_id and w.id = b.warehouse_id
   where b.tenant_id = $1
   order by i.sku, w.code limit 101`;

export async function stockReports(ctx: BenchContext): Promise<void> {
  const devhost = await ctx.devhost();
  const moves = ctx.options.stockMoves;
  const runs = ctx.options.reportRuns;
  const [tenant] = await createTenants(ctx.database, ['stock-0']);
  const t = tenant!.id;
  ctx.log(`stock: ${fmt(moves)} stock moves of ${ITEMS} items in ${WAREHOUSES} warehouses`);
  const loadStart = Date.now();
  const seeder = new pg.Client({ connectionString: ctx.database.url });
  await seeder.connect();
  let today = '';
  try {
    today = (
      await seeder.query<{ d: string }>(`select (now() at time zone 'Africa/Johannesburg')::date::text as d`)
    ).rows[0]!.d;
    await seeder.query('set session_replication_role = replica');
    await seeder.query(
      `insert into warehouses (tenant_id, id, code, name, kind)
       select $1, gen_random_uuid(), 'W' || g, 'Warehouse ' || g, 'warehouse' from generate_series(1, $2::int) g`,
      [t, WAREHOUSES],
    );
    await seeder.query(
      `insert into items (tenant_id, id, sku, name, uom, kind, sales_price, tax_code)
       select $1, gen_random_uuid(), 'ST-' || lpad(g::text, 5, '0'), 'Stock item ' || g, 'ea', 'stock', 100 + g % 50, 'VAT15'
         from generate_series(1, $2::int) g`,
      [t, ITEMS],
    );
    const load = async () => {
      // Receipts (3 in 5) of 1–20 and issues of 1–10 at the item's own unit cost, over two years up to today.
      await seeder.query(
        `with i as (select array_agg(id order by sku) as ids from items where tenant_id = $1),
              w as (select array_agg(id order by code) as ids from warehouses where tenant_id = $1)
         insert into stock_moves (tenant_id, id, move_date, item_id, warehouse_id, kind, quantity, unit_cost, value, source_type, source_id)
         select $1, gen_random_uuid(), $2::date - (($3::int - g) * 730 / $3::int), i.ids[1 + g % $4::int], w.ids[1 + (g / $4::int) % $5::int],
                m.kind, m.q, c.cost, m.q * c.cost, 'bench.seed', g::text
           from generate_series(1, $3::int) g cross join i cross join w
           cross join lateral (select 10 + (g % $4::int) % 40 + 0.25 as cost) c
           cross join lateral (select g / $4::int as k) r
           cross join lateral (select case when r.k % 5 < 3 then 'receipt' else 'issue' end as kind,
                                      case when r.k % 5 < 3 then (r.k % 20) + 1 else -((r.k % 10) + 1) end as q) m`,
        [t, today, moves, ITEMS, WAREHOUSES],
      );
    };
    if (moves > 500_000) await withoutSecondaryIndexes(ctx.database, ['stock_moves'], load, ctx.log);
    else await load();
    await seeder.query(
      `insert into stock_balances (tenant_id, item_id, warehouse_id, on_hand, reserved, value)
       select $1, item_id, warehouse_id, sum(quantity), 0, sum(value) from stock_moves where tenant_id = $1 group by item_id, warehouse_id`,
      [t],
    );
    await seeder.query('set session_replication_role = origin');
    await seeder.query('vacuum (analyze) stock_moves, stock_balances, items, warehouses');
  } finally {
    await seeder.end();
  }
  const loadSeconds = (Date.now() - loadStart) / 1000;
  ctx.log(`  loaded in ${loadSeconds.toFixed(0)} s`);

  const asOf = new Date(Date.parse(`${today}T00:00:00Z`) - 30 * 86_400_000).toISOString().slice(0, 10);
  const api = new Api(devhost.url, await devhost.token('stock-0', 'bench-storeman', ['Inventory.Clerk']));
  const client = new pg.Client({ connectionString: ctx.database.url });
  await client.connect();
  try {
    const cases = [
      {
        metric: 'valuation today',
        path: '/api/v1/inventory/reports/valuation',
        sql: PLAIN_VALUATION_TODAY,
        values: [t],
        service: (trx: Tx) => stockValuation(trx, {}),
      },
      {
        metric: 'valuation 30 days ago',
        path: `/api/v1/inventory/reports/valuation?asOf=${asOf}`,
        sql: PLAIN_VALUATION_AS_OF,
        values: [t, asOf],
        service: (trx: Tx) => stockValuation(trx, { asOf }),
      },
      {
        metric: 'on hand, first page of 100',
        path: '/api/v1/inventory/stock?limit=100',
        sql: PLAIN_ON_HAND_PAGE,
        values: [t],
        service: (trx: Tx) => listStock(trx, { limit: 100 }),
      },
    ];
    const measured: Record<string, unknown> = {};
    const breakdown: string[] = [];
    for (const c of cases) {
      ctx.log(`stock ${c.metric}: API and plain SQL, ${runs} runs each`);
      const timed = await timeReport(
        {
          api,
          path: c.path,
          db: ctx.database.db,
          client,
          tenantId: t,
          service: c.service,
          sql: c.sql,
          values: c.values,
        },
        runs,
      );
      const { api: ours, plain, service } = timed;
      const answer = await api.get<{ rows?: unknown[]; items?: unknown[] }>(c.path);
      const rows = await inTenantTx(client as unknown as pg.PoolClient, t, () =>
        client.query(c.sql, c.values),
      );
      const apiRows = answer.body.rows?.length ?? answer.body.items?.length ?? -1;
      const plainRows = c.path.includes('limit=100') ? Math.min(100, rows.rows.length) : rows.rows.length;
      if (apiRows !== plainRows)
        ctx.notes.push(`Stock ${c.metric}: the API answered ${apiRows} rows, the plain SQL ${plainRows}.`);
      measured[c.metric] = { api: ours, plain, service, rows: apiRows };
      breakdown.push(
        `${c.metric}: API ${fmt(ours.p50, 1)} ms = the service in process ${fmt(service.p50, 1)} ms (its SQL and exact ` +
          `decimals; plain SQL ${fmt(plain.p50, 1)} ms) + HTTP, auth and JSON ${httpPart(ours, service)}`,
      );
      ctx.rows.push({
        workload: `stock (${count(moves)} moves)`,
        metric: `p50, ${c.metric} (${apiRows} rows)`,
        ours: ours.p50,
        raw: plain.p50,
        unit: 'ms',
        better: 'lower',
        digits: 1,
        target: { max: TARGET_MS, text: `p50 ≤ ${TARGET_MS} ms` },
      });
    }
    // What one answer's arithmetic and formatting cost: the valuation's way (scaled integers, see
    // shared/platform/scaled.ts) beside a Decimal per value (the average divided and rounded, the
    // amounts shown with Money.toAmountString()), on the same values.
    const rowsShown = ITEMS * WAREHOUSES;
    const values = Array.from({ length: rowsShown }, (_, i) => ({
      quantity: `${1 + (i % 97)}.0000`,
      value: `${1000 + i}.2500`,
    }));
    const scaledWay = () => {
      const start = now();
      for (const v of values) {
        const quantity = parseScaled(v.quantity);
        const value = parseScaled(v.value);
        scaledQuantityString(quantity);
        scaledAmountString(divideHalfEven(value, quantity), 2);
        scaledAmountString(value, 2);
      }
      return now() - start;
    };
    const decimalWay = () => {
      const start = now();
      for (const v of values) {
        const quantity = new Decimal(v.quantity);
        const value = new Decimal(v.value);
        quantity.toFixed();
        Money.of(
          value.dividedBy(quantity).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN),
          'ZAR',
        ).toAmountString();
        Money.of(value, 'ZAR').toAmountString();
      }
      return now() - start;
    };
    const formatting = { scaled: [] as number[], decimal: [] as number[] };
    for (let i = 0; i < 6; i++) {
      // Taking turns, as the reports do; the first round warms up.
      const a = scaledWay();
      const b = decimalWay();
      if (i === 0) continue;
      formatting.scaled.push(a);
      formatting.decimal.push(b);
    }
    const shown = { scaled: summarize(formatting.scaled), decimal: summarize(formatting.decimal) };
    const floor = summarize(await timeRuns(() => api.get('/api/v1/inventory/warehouses?limit=1'), runs, 3));
    ctx.notes.push(
      `Stock: ${fmt(moves)} moves loaded in ${loadSeconds.toFixed(0)} s. The valuation reads the ${ITEMS * WAREHOUSES} balances ` +
        `and subtracts the moves after its date (none for today; ~${fmt((moves * 30) / 730)} for 30 days ago) from the ` +
        `stock_moves_by_date covering index. Where the time goes (p50): ${breakdown.join('; ')}. A ` +
        `${rowsShown}-row answer's quantities, average costs and values, as the valuation computes and shows them ` +
        `(integers of ten-thousandths), take ${fmt(shown.scaled.p50, 1)} ms in this process; with a Decimal per value ` +
        `(Money.toAmountString()) ${fmt(shown.decimal.p50, 1)} ms. An authenticated ` +
        `GET of one warehouse (the API's floor: token check, user, tenant transaction, JSON) takes p50 ${fmt(floor.p50, 1)} ms.`,
    );
    ctx.details.stock = {
      moves,
      items: ITEMS,
      warehouses: WAREHOUSES,
      loadSeconds,
      measured,
      formatting: shown,
      apiFloor: floor,
    };
  } finally {
    await client.end();
  }
}
