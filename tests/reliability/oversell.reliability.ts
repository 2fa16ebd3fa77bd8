/**
 * Oversell: OVERSELL_ORDERS (200) sales orders at once over 20 items in two warehouses with scarce
 * stock, while the database refuses a share of first attempts with serialization failures and
 * deadlocks.
 *
 * Each client is one quote-to-order intent over HTTP: create a quote of one to three stock lines
 * (random items, warehouses and quantities, well under the approval threshold), send it, accept it
 * (which starts the durable quote-to-order flow: credit check, stock reservation all or none,
 * order), then follow the flow to its end. Every POST carries its own Idempotency-Key and is sent
 * again with the same key after a connection error or a 5xx. Each (item, warehouse) holds about
 * 55 % of what the orders together ask of it, so roughly half of the flows can be served.
 *
 * Faults: the devhost runs on a pool whose clients answer chosen statements, on their first
 * attempt, with an error raised by the server (`RAISE … USING ERRCODE`), so the transaction is
 * really aborted. A seeded share (OVERSELL_FAULT_SHARE, 20 %) of the units of work, chosen by a
 * hash of the seed and the unit's key, gets a serialization failure (40001) or a deadlock (40P01):
 * - the Idempotency-Key claim that opens every POST (keyed by the Idempotency-Key);
 * - the reservation rows, inserted after the stock balances were updated in the same transaction
 *   (keyed by the flow), so the retry must find the balances rolled back;
 * - the sales order header (keyed by the flow).
 * The same unit is never refused twice, so its retry succeeds.
 *
 * Asserted:
 * - zero oversell: `reserved <= on_hand` and `reserved >= 0` for every item and warehouse, and a
 *   balance's `reserved` equal to what its active reservations hold, checked by a monitor every
 *   ~50 ms during the run (over a connection of its own, without faults) and at the end;
 * - the stock ledger equals the balances (the moves' quantities and values sum to `on_hand` and
 *   `value`), nothing left the warehouses, the trial balance balances and the inventory account
 *   equals the stock valuation;
 * - every answer was a success or a clean 409/422 problem+json: no 5xx, ever; no step of a flow
 *   failed in the host (no error logged by the durable driver or a function);
 * - every flow Completed, ordered or stock_short, as its client saw it; one quote per client;
 * - no lost or doubled order: each ordered flow has exactly one order (the one its output names)
 *   whose lines are reserved by active reservations of that flow, line for line; a flow short of
 *   stock has no order and holds nothing; what the balances reserve is what the orders hold; no
 *   approval was asked for;
 * - the faults were hit: each kind of statement and both SQLSTATEs; every refused claim and order
 *   ran again up to the statement refused (a refused reservation runs again too, but may then
 *   find the stock gone and end short of stock).
 *
 * Needs the PostgreSQL server (`DATABASE_URL`): on PGlite's one backend nothing runs concurrently.
 * `RELIABILITY_SEED=<n>` replays the orders, the stock, the clients' timing and the fault choices.
 */
import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { startDevhost, type Devhost } from '../../devhost/devhost.js';
import { random as seededRandom } from '../../devhost/seed/demo-ledger.js';
import { createPool, type Db } from '../../shared/platform/db/database.js';
import { withFewerRoundTrips } from '../../shared/platform/db/round-trips.js';
import type { DB } from '../../shared/platform/db/schema.js';
import { Decimal } from '../../shared/platform/money.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2_147_483_647);
const ORDERS = Number(process.env.OVERSELL_ORDERS ?? 200);
const ITEMS = 20;
const WAREHOUSES = 2;
const FAULT_SHARE = Number(process.env.OVERSELL_FAULT_SHARE ?? 0.2);
/** What each (item, warehouse) holds, as a share of what the orders together ask of it. */
const STOCK_SHARE = 0.55;
const SERVER = process.env.DATABASE_URL;
if (!SERVER)
  console.warn(
    'oversell: skipped: needs the PostgreSQL server (DATABASE_URL); on PGlite nothing runs concurrently',
  );
else
  console.info(
    `oversell: RELIABILITY_SEED=${SEED} (${ORDERS} orders, ${ITEMS} items, ${WAREHOUSES} warehouses, ${FAULT_SHARE * 100} % of first attempts refused)`,
  );

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- Faults: a pool whose clients refuse chosen statements once --------------------------------

type Target = 'idempotency claim' | 'reservation' | 'sales order';
type Sqlstate = '40001' | '40P01';
const TARGETS: { target: Target; table: string; column: string }[] = [
  { target: 'idempotency claim', table: 'idempotency_keys', column: 'key' },
  { target: 'reservation', table: 'stock_reservations', column: 'reference_id' },
  { target: 'sales order', table: 'sales_orders', column: 'flow_instance_id' },
];

/** The top-level, comma-separated parts of a parenthesised list starting at `open`. */
function listAt(text: string, open: number): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) {
      parts.push(text.slice(start, i).trim());
      return parts;
    } else if (c === ',' && depth === 1) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return parts;
}

/** The top-level, comma-separated items of a SELECT list starting at `start`, up to its FROM. */
function selectListAt(text: string, start: number): string[] {
  const items: string[] = [];
  let depth = 0;
  let from = start;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) break;
    else if (c === ',' && depth === 0) {
      items.push(text.slice(from, i).trim());
      from = i + 1;
    } else if (depth === 0 && /^\sfrom\s/i.test(text.slice(i, i + 6))) break;
  }
  items.push(
    text
      .slice(from, text.length)
      .split(/\sfrom\s/i)[0]!
      .trim(),
  );
  return items;
}

/**
 * The value an INSERT gives `column` in its first row, when that value is a parameter or a
 * literal: an
 * `insert … values (…)` statement, or an `insert … select …` inside a data-modifying statement
 * (the sales order, written with its number, lines, event and audit record in one statement).
 */
function insertedValue(text: string, params: readonly unknown[], table: string, column: string): unknown {
  const head = new RegExp(`(?:^\\s*|\\bas\\s*\\(\\s*)insert\\s+into\\s+"?${table}"?\\s*\\(`, 'i').exec(text);
  if (!head) return undefined;
  const open = head.index + head[0].length - 1;
  const columns = listAt(text, open).map((c) => c.replace(/"/g, ''));
  const index = columns.indexOf(column);
  if (index < 0) return undefined;
  const after = text.slice(open);
  const close = after.indexOf(')');
  const rest = after.slice(close + 1);
  const values = /^\s*values\s*\(/i.exec(rest);
  const select = /^\s*select\s/i.exec(rest);
  const row = values
    ? listAt(text, open + close + 1 + values[0].length - 1)
    : select
      ? selectListAt(text, open + close + 1 + select[0].length)
      : [];
  const parameter = /^\$(\d+)(::[\w ]+)?$/.exec(row[index] ?? '');
  if (parameter) return params[Number(parameter[1]) - 1];
  // A statement that travels without parameters carries its values as escaped literals.
  const quoted = /^(E?)'((?:[^']|'')*)'(::[\w ]+)?$/.exec(row[index] ?? '');
  if (!quoted) return undefined;
  const value = quoted[2]!.replace(/''/g, "'");
  return quoted[1] ? value.replace(/\\\\/g, '\\') : value;
}

const faults = {
  injected: [] as { target: Target; sqlstate: Sqlstate; key: string }[],
  refused: new Set<string>(),
  retried: new Set<string>(),
};

/** Whether a unit of work is refused on its first attempt, and how: a hash of the seed and its key. */
function faultFor(target: Target, key: string): Sqlstate | undefined {
  const digest = createHash('sha256').update(`${SEED}:${target}:${key}`).digest();
  if (digest.readUInt32BE(0) / 2 ** 32 >= FAULT_SHARE) return undefined;
  return digest[4]! % 2 === 0 ? '40001' : '40P01';
}

function faultyClient(client: PostgresPoolClient): PostgresPoolClient {
  const query = (text: unknown, params?: readonly unknown[]) => {
    if (typeof text === 'string' && params) {
      for (const { target, table, column } of TARGETS) {
        const value = insertedValue(text, params, table, column);
        if (typeof value !== 'string') continue;
        const id = `${target}:${value}`;
        if (faults.refused.has(id)) {
          faults.retried.add(id);
          break;
        }
        const sqlstate = faultFor(target, value);
        if (!sqlstate) break;
        faults.refused.add(id);
        faults.injected.push({ target, sqlstate, key: value });
        return client.query(
          `do $$ begin raise exception 'fault injected by the oversell test' using errcode = '${sqlstate}'; end $$`,
          [],
        );
      }
    }
    return (client.query as (...args: unknown[]) => unknown)(text, params);
  };
  return { query: query as PostgresPoolClient['query'], release: () => client.release() };
}

function faultyPool(pool: PostgresPool): PostgresPool {
  return {
    connect: async () => faultyClient(await pool.connect()),
    end: () => pool.end(),
  };
}

// ---- HTTP clients ------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

const stats = {
  requests: 0,
  connectionErrors: 0,
  replays: 0,
  statuses: new Map<number, number>(),
  badAnswers: [] as string[],
};

let database: TestDatabase | undefined;
let devhost: Devhost | undefined;
let appDb: Db | undefined;
afterAll(async () => {
  await devhost?.stop();
  await appDb?.destroy();
  await database?.close();
});

interface Flow {
  index: number;
  lines: { item: number; warehouse: number; quantity: number }[];
  quoteId?: string;
  instanceId?: string;
  output?: { outcome: string; orderId: string | null; approvalId: string | null; reason: string | null };
}

it.skipIf(!SERVER)(
  `${ORDERS} concurrent orders over ${ITEMS} scarce items with serialization failures and deadlocks injected: no oversell, no lost order, no 5xx`,
  async () => {
    const setupStarted = Date.now();
    database = await createTestDatabase();
    const monitorDb = database.db;
    const hostErrors: string[] = [];
    appDb = new Kysely<DB>({
      // The app's connections as in production (fewer round trips), with faults injected above them.
      dialect: new PostgresDialect({ pool: faultyPool(withFewerRoundTrips(createPool(database.url!, 10))) }),
    });
    devhost = await startDevhost({
      db: appDb,
      port: 0,
      blobInMemory: true,
      demoData: false,
      timers: false,
      log: (entry) => {
        if (entry.level === 'error' || entry.level === 'critical')
          hostErrors.push(`[${entry.functionName ?? entry.category}] ${entry.message}`);
      },
    });
    await devhost.settle();
    const url = devhost.url;
    const token = await devhost.token('demo', 'oversell-rep', [
      'Sales.Rep',
      'Inventory.Clerk',
      'Finance.Clerk',
    ]);

    /** One request, sent again with the same key after a connection error or a 5xx. */
    const call = async (method: string, route: string, body?: unknown, key?: string): Promise<Answer> => {
      for (let attempt = 0; ; attempt++) {
        if (attempt > 100) throw new Error(`${method} ${route}: no answer after ${attempt} attempts`);
        const headers: Record<string, string> = { authorization: `Bearer ${token}` };
        if (key) headers['idempotency-key'] = key;
        if (body !== undefined) headers['content-type'] = 'application/json';
        stats.requests++;
        let response: Response;
        let text: string;
        try {
          response = await fetch(`${url}${route}`, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(60_000),
          });
          text = await response.text();
        } catch {
          stats.connectionErrors++;
          await sleep(100 + Math.min(attempt, 10) * 50);
          continue;
        }
        stats.statuses.set(response.status, (stats.statuses.get(response.status) ?? 0) + 1);
        const problem = /^application\/problem\+json/.test(response.headers.get('content-type') ?? '');
        if (response.status >= 500) {
          stats.badAnswers.push(`${method} ${route}: ${response.status} ${text.slice(0, 300)}`);
          await sleep(500);
          continue;
        }
        if (
          response.status >= 400 &&
          !([409, 422].includes(response.status) && problem && cleanProblem(text, response.status))
        )
          stats.badAnswers.push(`${method} ${route}: ${response.status} ${text.slice(0, 300)}`);
        if (response.headers.get('idempotent-replayed') === 'true') stats.replays++;
        return {
          status: response.status,
          body: text ? JSON.parse(text) : undefined,
          headers: response.headers,
        };
      }
    };
    let keys = 0;
    const post = (route: string, body?: unknown) => call('POST', route, body, `oversell-${SEED}-${++keys}`);
    const created = async (route: string, body: unknown) => {
      const answer = await post(route, body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body as { id: string; code: string; sku: string };
    };

    // The orders, then the stock they compete for.
    const random = seededRandom(SEED);
    const flows: Flow[] = Array.from({ length: ORDERS }, (_, index) => {
      const count = 1 + Math.floor(random() * 3);
      const items = new Set<number>();
      while (items.size < count) items.add(Math.floor(random() * ITEMS));
      return {
        index,
        lines: [...items].map((item) => ({
          item,
          warehouse: Math.floor(random() * WAREHOUSES),
          quantity: 1 + Math.floor(random() * 5),
        })),
      };
    });
    const demand = new Map<string, number>();
    for (const flow of flows)
      for (const line of flow.lines)
        demand.set(
          `${line.item}:${line.warehouse}`,
          (demand.get(`${line.item}:${line.warehouse}`) ?? 0) + line.quantity,
        );

    const tag = SEED.toString(36).toUpperCase();
    const warehouses: { id: string; code: string }[] = [];
    for (let w = 0; w < WAREHOUSES; w++)
      warehouses.push(
        await created('/api/v1/inventory/warehouses', {
          code: `OV${w}${tag}`,
          name: `Oversell ${w}`,
          kind: 'yard',
        }),
      );
    const items: { id: string; sku: string }[] = [];
    for (let i = 0; i < ITEMS; i++)
      items.push(
        await created('/api/v1/inventory/items', {
          sku: `OV${i}-${tag}`,
          name: `Scarce item ${i}`,
          uom: 'each',
          kind: 'stock',
          salesPrice: { amount: `${100 + i * 40}.00`, currency: 'ZAR' },
          taxCode: 'VAT15',
        }),
      );
    const onHand = new Map<string, number>();
    for (let w = 0; w < WAREHOUSES; w++) {
      const lines = [];
      for (let i = 0; i < ITEMS; i++) {
        const quantity = Math.max(1, Math.round((demand.get(`${i}:${w}`) ?? 0) * STOCK_SHARE));
        onHand.set(`${items[i]!.id}:${warehouses[w]!.id}`, quantity);
        lines.push({
          item: items[i]!.sku,
          quantity: String(quantity),
          unitCost: { amount: `${50 + i * 20}.00`, currency: 'ZAR' },
        });
      }
      const receipt = await post('/api/v1/inventory/receipts', {
        warehouse: warehouses[w]!.code,
        reference: `GRN oversell ${w}`,
        lines,
      });
      expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);
    }
    const customer = await created('/api/v1/accounting/customers', {
      code: `OV${tag}`,
      name: 'Oversell Construction',
      paymentTermsDays: 30,
    });

    // The monitor: the balances, read every ~50 ms while the clients run.
    const violations: string[] = [];
    let monitoring = true;
    let polls = 0;
    const monitor = async () => {
      while (monitoring) {
        const { rows } = await sql<{
          item_id: string;
          warehouse_id: string;
          on_hand: string;
          reserved: string;
          held: string;
        }>`
          select b.item_id, b.warehouse_id, b.on_hand::text, b.reserved::text,
                 coalesce(r.held, 0)::text as held
          from stock_balances b
          left join (
            select tenant_id, item_id, warehouse_id, sum(quantity - issued - released) as held
            from stock_reservations where status = 'active' group by tenant_id, item_id, warehouse_id
          ) r on r.tenant_id = b.tenant_id and r.item_id = b.item_id and r.warehouse_id = b.warehouse_id
          where b.on_hand - b.reserved < 0 or b.reserved < 0 or b.reserved <> coalesce(r.held, 0)`.execute(
          monitorDb,
        );
        polls++;
        for (const row of rows) violations.push(`poll ${polls}: ${JSON.stringify(row)}`);
        await sleep(50);
      }
    };

    const client = async (flow: Flow) => {
      const random = seededRandom(SEED + 1 + flow.index);
      await sleep(Math.floor(random() * 3_000));
      const quote = await post('/api/v1/sales/quotes', {
        customerId: customer.id,
        reference: `oversell-${flow.index}`,
        lines: flow.lines.map((l) => ({
          itemId: items[l.item]!.id,
          warehouseId: warehouses[l.warehouse]!.id,
          quantity: String(l.quantity),
        })),
      });
      expect(quote.status, JSON.stringify(quote.body)).toBe(201);
      flow.quoteId = quote.body.id as string;
      const sent = await post(`/api/v1/sales/quotes/${flow.quoteId}/send`);
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      const accepted = await post(`/api/v1/sales/quotes/${flow.quoteId}/accept`);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
      flow.instanceId = accepted.body.instanceId as string;
      const location = accepted.headers.get('location')!;
      const deadline = Date.now() + 240_000;
      for (let wait = 1_500; ; wait = Math.min(wait * 1.6, 6_000)) {
        await sleep(wait + Math.floor(random() * 300));
        const status = await call('GET', location);
        expect(status.status, JSON.stringify(status.body)).toBe(200);
        if (['Completed', 'Failed', 'Terminated'].includes(status.body.runtimeStatus)) {
          expect(status.body.runtimeStatus, JSON.stringify(status.body)).toBe('Completed');
          flow.output = status.body.output;
          return;
        }
        if (Date.now() > deadline)
          throw new Error(`flow ${flow.index} never ended: ${JSON.stringify(status.body)}`);
      }
    };

    const setupSeconds = (Date.now() - setupStarted) / 1000;
    const started = Date.now();
    const monitoring$ = monitor();
    await Promise.all(flows.map(client)).finally(() => (monitoring = false));
    await monitoring$;
    const elapsed = (Date.now() - started) / 1000;

    const outcomes = new Map<string, number>();
    for (const flow of flows)
      outcomes.set(String(flow.output?.outcome), (outcomes.get(String(flow.output?.outcome)) ?? 0) + 1);
    const hits = new Map<string, number>();
    for (const f of faults.injected)
      hits.set(`${f.target} ${f.sqlstate}`, (hits.get(`${f.target} ${f.sqlstate}`) ?? 0) + 1);
    console.info(
      `oversell: ${ORDERS} flows ended in ${elapsed.toFixed(1)} s (setup ${setupSeconds.toFixed(1)} s): ` +
        `${JSON.stringify(Object.fromEntries(outcomes))}; ${stats.requests} requests ` +
        `${JSON.stringify(Object.fromEntries([...stats.statuses].sort(([a], [b]) => a - b)))}, ` +
        `${stats.connectionErrors} connection errors, ${stats.replays} replays; ${faults.injected.length} faults injected ` +
        `${JSON.stringify(Object.fromEntries(hits))}, ${faults.retried.size} of their units ran again; ` +
        `the monitor read the balances ${polls} times`,
    );

    // Answers: successes or clean refusals, never a 5xx; no step of a flow failed in the host.
    expect(stats.badAnswers, `RELIABILITY_SEED=${SEED}`).toEqual([]);
    expect(hostErrors.slice(0, 20), `RELIABILITY_SEED=${SEED}`).toEqual([]);
    // Zero oversell, during the run.
    expect(violations.slice(0, 20), `RELIABILITY_SEED=${SEED}`).toEqual([]);
    expect(polls).toBeGreaterThan(10);

    // Every flow ended, ordered or short of stock; scarcity really bit.
    expect(
      flows
        .filter((f) => !['ordered', 'stock_short'].includes(String(f.output?.outcome)))
        .map((f) => [f.index, f.output]),
    ).toEqual([]);
    const ordered = flows.filter((f) => f.output?.outcome === 'ordered');
    const short = flows.filter((f) => f.output?.outcome === 'stock_short');
    expect(ordered.length).toBeGreaterThan(0);
    expect(short.length).toBeGreaterThan(0);
    expect(ordered.every((f) => f.output?.orderId && !f.output.approvalId)).toBe(true);
    expect(short.every((f) => f.output?.orderId === null && /stock/i.test(f.output.reason ?? ''))).toBe(true);

    // The faults were hit, of every kind. Every refused claim and order ran again to the statement
    // refused; a refused reservation runs again too, but may then find the stock gone (its flow
    // ends short of stock, as checked above).
    for (const { target } of TARGETS)
      expect(faults.injected.filter((f) => f.target === target).length, target).toBeGreaterThan(0);
    for (const sqlstate of ['40001', '40P01'])
      expect(faults.injected.filter((f) => f.sqlstate === sqlstate).length, sqlstate).toBeGreaterThan(0);
    expect(
      [...faults.refused].filter((id) => !id.startsWith('reservation:') && !faults.retried.has(id)),
    ).toEqual([]);

    await verify(monitorDb, flows, {
      customer: customer.id,
      items: items.map((i) => i.id),
      warehouses: warehouses.map((w) => w.id),
      onHand,
    });

    // The general ledger: balanced, and the inventory account is worth what the stock is.
    const today = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const ledger = await call('GET', `/api/v1/accounting/reports/trial-balance?from=2000-01-01&to=${today}`);
    expect(ledger.status, JSON.stringify(ledger.body)).toBe(200);
    expect(new Decimal(ledger.body.totals.debit).toFixed(2)).toBe(
      new Decimal(ledger.body.totals.credit).toFixed(2),
    );
    const valuation = await call('GET', '/api/v1/inventory/reports/valuation');
    expect(valuation.status, JSON.stringify(valuation.body)).toBe(200);
    const inventoryAccount = ledger.body.rows.find((r: { account: string }) => r.account === '1200');
    expect(new Decimal(inventoryAccount?.balance ?? 0).toFixed(2)).toBe(
      new Decimal(valuation.body.totals.value).toFixed(2),
    );
  },
  600_000,
);

/** A problem document with its type, title, detail and the status it was answered with. */
function cleanProblem(text: string, status: number): boolean {
  try {
    const problem = JSON.parse(text) as {
      type?: unknown;
      title?: unknown;
      detail?: unknown;
      status?: unknown;
    };
    return (
      typeof problem.type === 'string' &&
      typeof problem.title === 'string' &&
      typeof problem.detail === 'string' &&
      problem.status === status
    );
  } catch {
    return false;
  }
}

async function rows<T>(db: Db, query: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await query.execute(db)).rows;
}

async function verify(
  db: Db,
  flows: Flow[],
  ids: { customer: string; items: string[]; warehouses: string[]; onHand: Map<string, number> },
): Promise<void> {
  const ordered = flows.filter((f) => f.output?.outcome === 'ordered');
  const short = flows.filter((f) => f.output?.outcome === 'stock_short');
  const instanceIds = flows.map((f) => f.instanceId!);

  // One quote per client.
  const quotes = await rows<{ id: string; reference: string }>(
    db,
    sql`select id, reference from sales_quotes where customer_id = ${ids.customer}`,
  );
  expect(quotes.map((q) => q.id).sort()).toEqual(flows.map((f) => f.quoteId!).sort());

  // One order per ordered flow, the one its output names; none for the others.
  const orders = await rows<{ id: string; flow_instance_id: string; quote_id: string }>(
    db,
    sql`select id, flow_instance_id, quote_id from sales_orders where customer_id = ${ids.customer}`,
  );
  expect(orders.map((o) => `${o.flow_instance_id}:${o.id}`).sort()).toEqual(
    ordered.map((f) => `${f.instanceId}:${f.output!.orderId}`).sort(),
  );

  // Each order's lines are held, line for line, by active reservations of its flow; a flow short
  // of stock holds nothing.
  const lines = await rows<{ flow: string; item_id: string; warehouse_id: string; quantity: string }>(
    db,
    sql`select o.flow_instance_id as flow, l.item_id, l.warehouse_id, l.quantity::text
        from sales_order_lines l join sales_orders o on o.id = l.order_id and o.tenant_id = l.tenant_id
        where o.customer_id = ${ids.customer} and l.stocked`,
  );
  const reservations = await rows<{
    flow: string;
    item_id: string;
    warehouse_id: string;
    held: string;
    status: string;
  }>(
    db,
    sql`select reference_id as flow, item_id, warehouse_id, (quantity - issued - released)::text as held, status
        from stock_reservations where reference_type = 'sales.order' and reference_id = any(${instanceIds}::text[])`,
  );
  const line = (flow: string, item: string, warehouse: string, quantity: string) =>
    `${flow} ${item} ${warehouse} ${new Decimal(quantity).toFixed(4)}`;
  expect(
    reservations
      .filter((r) => r.status === 'active')
      .map((r) => line(r.flow, r.item_id, r.warehouse_id, r.held))
      .sort(),
  ).toEqual(lines.map((l) => line(l.flow, l.item_id, l.warehouse_id, l.quantity)).sort());
  const shortIds = new Set(short.map((f) => f.instanceId!));
  expect(reservations.filter((r) => shortIds.has(r.flow) && r.status === 'active')).toEqual([]);
  expect(ordered.every((f) => lines.some((l) => l.flow === f.instanceId))).toBe(true);

  // The balances: nothing left the warehouses, nothing oversold, reserved = what the orders hold;
  // the stock ledger sums to them.
  const balances = await rows<{
    item_id: string;
    warehouse_id: string;
    on_hand: string;
    reserved: string;
    value: string;
  }>(
    db,
    sql`select item_id, warehouse_id, on_hand::text, reserved::text, value::text from stock_balances
        where item_id = any(${ids.items}::uuid[])`,
  );
  expect(balances).toHaveLength(ids.items.length * ids.warehouses.length);
  const moves = await rows<{ item_id: string; warehouse_id: string; quantity: string; value: string }>(
    db,
    sql`select item_id, warehouse_id, sum(quantity)::text as quantity, sum(value)::text as value from stock_moves
        where item_id = any(${ids.items}::uuid[]) group by item_id, warehouse_id`,
  );
  const moveOf = new Map(moves.map((m) => [`${m.item_id}:${m.warehouse_id}`, m]));
  for (const b of balances) {
    const key = `${b.item_id}:${b.warehouse_id}`;
    const onHand = new Decimal(b.on_hand);
    const reserved = new Decimal(b.reserved);
    expect(onHand.toFixed(4), key).toBe(new Decimal(ids.onHand.get(key)!).toFixed(4));
    expect(
      reserved.greaterThanOrEqualTo(0) && onHand.minus(reserved).greaterThanOrEqualTo(0),
      `${key} oversold: ${b.reserved} of ${b.on_hand}`,
    ).toBe(true);
    const held = lines
      .filter((l) => `${l.item_id}:${l.warehouse_id}` === key)
      .reduce((sum, l) => sum.plus(l.quantity), new Decimal(0));
    expect(reserved.toFixed(4), key).toBe(held.toFixed(4));
    expect(new Decimal(moveOf.get(key)?.quantity ?? 0).toFixed(4), key).toBe(onHand.toFixed(4));
    expect(new Decimal(moveOf.get(key)?.value ?? 0).toFixed(4), key).toBe(new Decimal(b.value).toFixed(4));
  }

  // No approval was needed: every order was under the threshold.
  const approvals = await rows<{ n: string }>(
    db,
    sql`select count(*)::text as n from approval_requests where flow_instance_id = any(${instanceIds}::text[])`,
  );
  expect(approvals[0]?.n).toBe('0');
}
