/**
 * Crash: 100 quote-to-order flows driven by 100 clients over HTTP (quote created, sent, accepted,
 * the durable flow followed to its end, approvals decided by finance) while the devhost process is
 * SIGKILLed at random moments and started again over the same database, several times. The
 * devhost keeps everything that must survive in that database: the durable instances, history and
 * pending activities (schema `devhost`), the Service Bus emulation's messages, the outbox and the
 * idempotency keys. (Blobs stay in memory: the flow writes none.)
 *
 * Clients behave as real ones: every POST carries an Idempotency-Key and is sent again with the
 * same key after a connection error (and after a 401 when the restarted devhost signs with a new
 * key); they never invent a second request for the same intent.
 *
 * Every tenth quote is over the tenant's approval threshold: finance approves it, except one that
 * is rejected. One quote asks for more of an item than is in stock. After the last restart:
 * - every flow is Completed with the outcome its quote calls for, and every client saw it end;
 * - each effect happened exactly once: one quote per client, one `quote.sent` and `quote.accepted`
 *   each, one flow and one FlowStartRequested event per acceptance, one order (and one
 *   SalesOrderConfirmed event, one `sales_order.confirmed` audit record) per ordered quote, none
 *   for the others, one reservation per stock line of each flow that reserved (released for the
 *   rejected one), reserved stock = what the orders hold, one approval request (and one
 *   ApprovalRequested/ApprovalDecided event) per approval flow, one QuoteOrderFailed per failure;
 *   no journal entry (the flow posts none), no notification twice, no durable work left over;
 * - no 5xx was ever answered.
 *
 * `RELIABILITY_SEED=<n>` replays the kill moments and the clients' timing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { random as seededRandom } from '../../devhost/seed/demo-ledger.js';
import { createDb, type Db } from '../../shared/platform/db/database.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { pglitePool } from '../support/pg.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2_147_483_647);
const FLOWS = Number(process.env.CRASH_FLOWS ?? 100);
const KILLS = Number(process.env.CRASH_KILLS ?? 6);
console.info(`crash: RELIABILITY_SEED=${SEED} (${FLOWS} flows, ${KILLS} kills)`);

/** Seeded (mulberry32): the kill moments replay from the seed, each client's timing from seed + its number. */
const killerRandom = seededRandom(SEED);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dataDir: string | undefined;
let database: TestDatabase | undefined;
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await database?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// ---- The devhost process, killed and started again ------------------------------------------

interface Host {
  child: ChildProcess;
  url: string;
  generation: number;
  tokens: Map<string, Promise<string>>;
}

const USERS: Record<string, string[]> = {
  rita: ['Sales.Rep', 'Inventory.Clerk', 'Finance.Clerk'],
  fiona: ['Finance.Approver'],
};

let env: NodeJS.ProcessEnv = {};
let current: Host | undefined;
/** Resolves when a devhost serves; replaced while one is being started. */
let serving: Promise<Host> | undefined;
let generation = 0;
const startTimes: number[] = [];

function startHost(): Promise<Host> {
  const startedAt = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/devhost-process.ts', dataDir!], {
    env: { ...process.env, DEVHOST_LEASE_MS: '2000', DEVHOST_DEMO_DATA: 'false', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const starting = new Promise<Host>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const host: Host = {
        child,
        url: (JSON.parse(line) as { url: string }).url,
        generation: ++generation,
        tokens: new Map(),
      };
      current = host;
      startTimes.push(Date.now() - startedAt);
      resolve(host);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`devhost exited (${code ?? signal}) before serving`)),
    );
  });
  starting.catch(() => undefined);
  serving = starting;
  return starting;
}

async function killHost(): Promise<void> {
  const host = current!;
  current = undefined;
  const exited = new Promise((resolve) => host.child.once('exit', resolve));
  host.child.kill('SIGKILL');
  await exited;
  children.delete(host.child);
}

function tokenOf(host: Host, user: string): Promise<string> {
  let token = host.tokens.get(user);
  if (!token) {
    token = fetch(`${host.url}/api/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'demo', user, roles: USERS[user] }),
    }).then(async (response) => ((await response.json()) as { accessToken: string }).accessToken);
    token.catch(() => host.tokens.delete(user));
    host.tokens.set(user, token);
  }
  return token;
}

// ---- A client that retries as a real one does ----------------------------------------------

const stats = {
  requests: 0,
  connectionErrors: 0,
  staleTokens: 0,
  replays: 0,
  resent: 0,
  serverErrors: [] as string[],
};

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/**
 * One request, retried until it gets an answer: after a connection error (the devhost was
 * killed, or is starting) with the same Idempotency-Key, after a 401 from a restarted devhost with
 * a new token. A 5xx is recorded (none may happen) and retried as a client would.
 */
async function call(
  user: string,
  method: string,
  route: string,
  body?: unknown,
  key?: string,
): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 400) throw new Error(`${method} ${route}: no answer after ${attempt} attempts`);
    const host = current ?? (await serving?.catch(() => undefined));
    if (!host) {
      await sleep(100);
      continue;
    }
    let response: Response;
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${await tokenOf(host, user)}` };
      if (key) headers['idempotency-key'] = key;
      if (body !== undefined) headers['content-type'] = 'application/json';
      stats.requests++;
      response = await fetch(`${host.url}${route}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
    } catch {
      stats.connectionErrors++;
      await sleep(50 + Math.min(attempt, 10) * 50);
      continue;
    }
    const text = await response.text();
    if (response.status === 401 && host.generation !== current?.generation) {
      stats.staleTokens++;
      continue;
    }
    if (response.status >= 500) {
      stats.serverErrors.push(`${method} ${route}: ${response.status} ${text.slice(0, 200)}`);
      await sleep(200);
      continue;
    }
    if (response.headers.get('idempotent-replayed') === 'true') stats.replays++;
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }
}

/**
 * A POST with a new Idempotency-Key. With `resendAfterMs` the client behaves as one whose answer
 * was lost on the way: it sends the same request with the same key again that much later (often
 * across a restart) and must get the first answer back, replayed.
 */
async function post(
  user: string,
  route: string,
  body: unknown,
  key: string = randomUUID(),
  resendAfterMs?: number,
): Promise<Answer> {
  const first = await call(user, 'POST', route, body, key);
  if (resendAfterMs === undefined || first.status >= 300) return first;
  await sleep(resendAfterMs);
  const again = await call(user, 'POST', route, body, key);
  expect(again.headers.get('idempotent-replayed'), `${route} sent again`).toBe('true');
  expect([again.status, again.body?.id ?? again.body?.instanceId]).toEqual([
    first.status,
    first.body?.id ?? first.body?.instanceId,
  ]);
  stats.resent++;
  return again;
}

// ---- The scenario ---------------------------------------------------------------------------

type Expected = 'ordered' | 'rejected' | 'stock_short';
interface Flow {
  index: number;
  expected: Expected;
  approval: boolean;
  quoteId?: string;
  instanceId?: string;
  output?: { outcome: string; orderId: string | null; approvalId: string | null };
}

it(`${FLOWS} quote-to-order flows survive ${KILLS} SIGKILLs of the devhost, each effect exactly once`, async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tessera-reliability-crash-'));
  if (process.env.DATABASE_URL) {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url };
  } else {
    console.info(
      'crash: no DATABASE_URL: the devhost processes share an embedded PGlite under the data folder',
    );
  }
  await startHost();

  // Master data, once.
  const created = async (route: string, body: unknown) => {
    const answer = await post('rita', route, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body as { id: string; code: string; sku: string };
  };
  const tag = SEED.toString(36).toUpperCase();
  const warehouse = await created('/api/v1/inventory/warehouses', {
    code: `CR${tag}`,
    name: 'Crash yard',
    kind: 'yard',
  });
  const item = (sku: string, kind: 'stock' | 'service', price: string) =>
    created('/api/v1/inventory/items', {
      sku,
      name: `Item ${sku}`,
      uom: kind === 'service' ? 'day' : 'bag',
      kind,
      salesPrice: { amount: price, currency: 'ZAR' },
      taxCode: 'VAT15',
    });
  const bags = await item(`BAG${tag}`, 'stock', '120.00');
  const scarce = await item(`SCA${tag}`, 'stock', '50.00');
  const crane = await item(`CRN${tag}`, 'service', '100000.00');
  for (const [sku, quantity] of [
    [bags.sku, String(FLOWS * 3 + 40)],
    [scarce.sku, '5'],
  ] as const) {
    const receipt = await post('rita', '/api/v1/inventory/receipts', {
      warehouse: warehouse.code,
      reference: `GRN ${sku}`,
      lines: [{ item: sku, quantity, unitCost: { amount: '40.00', currency: 'ZAR' } }],
    });
    expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);
  }
  const customer = await created('/api/v1/accounting/customers', {
    code: `C${tag}`,
    name: 'Crash Test Construction',
    paymentTermsDays: 30,
  });

  // Every tenth flow needs approval (3 crane days: R 345 000 with VAT, over the R 250 000
  // threshold); the one at 50 % is rejected; the last asks for 10 of an item with 5 in stock.
  const flows: Flow[] = Array.from({ length: FLOWS }, (_, index) => ({
    index,
    approval: index % 10 === 0,
    expected:
      index === Math.floor(FLOWS / 2 / 10) * 10
        ? 'rejected'
        : index === FLOWS - 1
          ? 'stock_short'
          : 'ordered',
  }));
  const rejectQuotes = new Set<string>();

  const client = async (flow: Flow) => {
    const random = seededRandom(SEED + 1 + flow.index);
    await sleep(Math.floor(random() * 8_000));
    const lossy = random() < 0.2;
    const resend = () => (lossy ? Math.floor(random() * 3_000) : undefined);
    const lines: unknown[] =
      flow.expected === 'stock_short'
        ? [{ itemId: scarce.id, warehouseId: warehouse.id, quantity: '10' }]
        : [{ itemId: bags.id, warehouseId: warehouse.id, quantity: '3' }];
    if (flow.approval) lines.push({ itemId: crane.id, quantity: '3' });
    const quote = await post(
      'rita',
      '/api/v1/sales/quotes',
      {
        customerId: customer.id,
        reference: `crash-${flow.index}`,
        lines,
      },
      randomUUID(),
      resend(),
    );
    expect(quote.status, JSON.stringify(quote.body)).toBe(201);
    flow.quoteId = quote.body.id as string;
    if (flow.expected === 'rejected') rejectQuotes.add(flow.quoteId);
    const sent = await post(
      'rita',
      `/api/v1/sales/quotes/${flow.quoteId}/send`,
      undefined,
      randomUUID(),
      resend(),
    );
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const accepted = await post(
      'rita',
      `/api/v1/sales/quotes/${flow.quoteId}/accept`,
      undefined,
      randomUUID(),
      resend(),
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    flow.instanceId = accepted.body.instanceId as string;
    const location = accepted.headers.get('location')!;
    const deadline = Date.now() + 300_000;
    for (;;) {
      const status = await call('rita', 'GET', location);
      if (
        status.status === 200 &&
        ['Completed', 'Failed', 'Terminated'].includes(status.body.runtimeStatus)
      ) {
        expect(status.body.runtimeStatus, JSON.stringify(status.body)).toBe('Completed');
        flow.output = status.body.output;
        return;
      }
      if (Date.now() > deadline)
        throw new Error(`flow ${flow.index} never ended: ${JSON.stringify(status.body)}`);
      await sleep(300 + Math.floor(random() * 300));
    }
  };

  // Finance decides what waits: approves, except the quote chosen for rejection. A decision is
  // retried with the same key; a request decided already (by an earlier attempt) is left alone.
  let clientsDone = false;
  const approver = async () => {
    while (!clientsDone) {
      const pending = await call('fiona', 'GET', '/api/v1/approvals?status=pending&limit=200');
      for (const request of pending.body?.items ?? []) {
        const decision = rejectQuotes.has(request.subject?.id) ? 'reject' : 'approve';
        const answer = await post(
          'fiona',
          `/api/v1/approvals/${request.id}/decision`,
          { decision, ...(decision === 'reject' ? { comment: 'Too large for this customer' } : {}) },
          `decide-${request.id}`,
        );
        expect([200, 409, 422], JSON.stringify(answer.body)).toContain(answer.status);
      }
      await sleep(400);
    }
  };

  // The chaos: SIGKILL at random moments while the clients and the flows run, start again.
  const inFlight: number[] = [];
  const killer = async () => {
    const moments: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const wait = 300 + Math.floor(killerRandom() * 3_500);
      moments.push(wait);
      await sleep(wait);
      inFlight.push(flows.filter((f) => f.quoteId && !f.output).length);
      await killHost();
      await startHost();
    }
    console.info(
      `crash: killed ${KILLS} times, each after ${moments.join(', ')} ms of serving, ` +
        `with ${inFlight.join(', ')} flows under way (quote made, flow not yet ended)`,
    );
  };

  const started = Date.now();
  const approving = approver();
  await Promise.all([killer(), ...flows.map(client)]).finally(() => (clientsDone = true));
  await approving;
  console.info(
    `crash: all ${FLOWS} flows ended ${Math.round((Date.now() - started) / 1000)} s after the first client; ` +
      `${stats.requests} requests, ${stats.connectionErrors} connection errors retried, ${stats.staleTokens} ` +
      `stale tokens, ${stats.replays} idempotent replays (${stats.resent} requests sent twice on purpose); devhost starts took ${startTimes.join(', ')} ms`,
  );

  // Every client saw its flow end the way its quote calls for.
  expect(stats.serverErrors).toEqual([]);
  expect(flows.map((f) => f.output?.outcome)).toEqual(flows.map((f) => f.expected));
  expect(flows.filter((f) => f.approval).every((f) => f.output?.approvalId)).toBe(true);

  // Stop the last devhost cleanly and read its database.
  const last = current!;
  const exited = new Promise((resolve) => last.child.once('exit', resolve));
  last.child.kill('SIGTERM');
  await exited;
  children.delete(last.child);
  let db: Db;
  let closeDb = async () => undefined as void;
  if (database) db = database.db;
  else {
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = new PGlite(path.join(dataDir, 'pglite'));
    await pglite.waitReady;
    db = createDb(pglitePool(pglite));
    closeDb = async () => {
      await db.destroy();
      await pglite.close();
    };
  }
  try {
    await verify(db, flows, {
      bags: bags.id,
      scarce: scarce.id,
      warehouse: warehouse.id,
      customer: customer.id,
    });
  } finally {
    await closeDb();
  }
}, 600_000);

async function rows<T>(db: Db, query: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await query.execute(db)).rows;
}

/** Counts per key, for keys seen more than once. */
function duplicates(values: (string | null | undefined)[]): string[] {
  const seen = new Map<string, number>();
  for (const v of values) if (v) seen.set(v, (seen.get(v) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([v, n]) => `${v}×${n}`);
}

async function verify(
  db: Db,
  flows: Flow[],
  ids: { bags: string; scarce: string; warehouse: string; customer: string },
): Promise<void> {
  const quoteIds = flows.map((f) => f.quoteId!);
  const instanceIds = flows.map((f) => f.instanceId!);
  const ordered = flows.filter((f) => f.expected === 'ordered');
  const failed = flows.filter((f) => f.expected !== 'ordered');
  const approvals = flows.filter((f) => f.approval);

  // One quote per client: a retried create never made a second.
  const quotes = await rows<{ id: string; status: string; flow_instance_id: string }>(
    db,
    sql`select id, status, flow_instance_id from sales_quotes where customer_id = ${ids.customer}`,
  );
  expect(quotes).toHaveLength(flows.length);
  const quoteById = new Map(quotes.map((q) => [q.id, q]));
  for (const flow of flows) {
    const quote = quoteById.get(flow.quoteId!)!;
    expect(quote.flow_instance_id).toBe(flow.instanceId);
    expect(quote.status).toBe(
      { ordered: 'ordered', rejected: 'rejected', stock_short: 'sent' }[flow.expected],
    );
  }

  // The quotes' own steps, once each.
  // (A flow that ends without an order puts its quote back to `sent`: that is not the client's step.)
  const audit = await rows<{ action: string; entity_id: string }>(
    db,
    sql`select action, entity_id from audit_log where entity_id = any(${quoteIds}::text[])
        and (action <> 'quote.sent' or details->>'from' = 'draft')`,
  );
  for (const action of ['quote.created', 'quote.sent', 'quote.accepted']) {
    const ofAction = audit.filter((a) => a.action === action).map((a) => a.entity_id);
    expect(duplicates(ofAction), action).toEqual([]);
    expect(new Set(ofAction).size, action).toBe(flows.length);
  }

  // One flow per acceptance, each Completed, with no work left behind.
  const starts = await rows<{ instance_id: string }>(
    db,
    sql`select payload->>'instanceId' as instance_id from outbox where type = 'platform.FlowStartRequested'
        and payload->>'instanceId' = any(${instanceIds}::text[])`,
  );
  expect(duplicates(starts.map((s) => s.instance_id))).toEqual([]);
  expect(starts).toHaveLength(flows.length);
  const instances = await rows<{ instance_id: string; runtime_status: string }>(
    db,
    sql`select instance_id, runtime_status from devhost.durable_instances where instance_id = any(${instanceIds}::text[])`,
  );
  expect(instances).toHaveLength(flows.length);
  expect(instances.filter((i) => i.runtime_status !== 'Completed')).toEqual([]);
  const leftover = await rows<{ n: string }>(
    db,
    sql`select (select count(*) from devhost.durable_activities where instance_id = any(${instanceIds}::text[]))
             + (select count(*) from devhost.durable_messages where instance_id = any(${instanceIds}::text[])) as n`,
  );
  expect(Number(leftover[0]?.n)).toBe(0);
  const flowRows = await rows<{ instance_id: string }>(
    db,
    sql`select instance_id from flows where instance_id = any(${instanceIds}::text[])`,
  );
  expect(duplicates(flowRows.map((f) => f.instance_id))).toEqual([]);

  // One order per ordered quote, made by its flow; none for the others.
  const orders = await rows<{
    id: string;
    quote_id: string;
    flow_instance_id: string;
    approval_id: string | null;
  }>(
    db,
    sql`select id, quote_id, flow_instance_id, approval_id from sales_orders where quote_id = any(${quoteIds}::uuid[])`,
  );
  expect(duplicates(orders.map((o) => o.quote_id))).toEqual([]);
  expect(orders.map((o) => o.quote_id).sort()).toEqual(ordered.map((f) => f.quoteId!).sort());
  for (const order of orders)
    expect(order.flow_instance_id).toBe(quoteById.get(order.quote_id)!.flow_instance_id);
  const confirmed = await rows<{ order_id: string; quote_id: string }>(
    db,
    sql`select payload->>'orderId' as order_id, payload->>'quoteId' as quote_id from outbox
        where type = 'sales.SalesOrderConfirmed' and payload->>'quoteId' = any(${quoteIds}::text[])`,
  );
  expect(duplicates(confirmed.map((c) => c.quote_id))).toEqual([]);
  expect(confirmed.map((c) => c.order_id).sort()).toEqual(orders.map((o) => o.id).sort());
  const orderAudit = await rows<{ entity_id: string }>(
    db,
    sql`select entity_id from audit_log where action = 'sales_order.confirmed' and entity_id = any(${orders.map((o) => o.id)}::text[])`,
  );
  expect(duplicates(orderAudit.map((a) => a.entity_id))).toEqual([]);
  expect(orderAudit).toHaveLength(orders.length);
  const failures = await rows<{ quote_id: string; outcome: string }>(
    db,
    sql`select payload->>'quoteId' as quote_id, payload->>'outcome' as outcome from outbox
        where type = 'sales.QuoteOrderFailed' and payload->>'quoteId' = any(${quoteIds}::text[])`,
  );
  expect(failures.map((f) => `${f.quote_id}:${f.outcome}`).sort()).toEqual(
    failed.map((f) => `${f.quoteId}:${f.expected}`).sort(),
  );

  // Reservations: one per stock line of each flow that reserved, live while its order holds it,
  // released for the rejected flow, none for the one short of stock; the balance agrees.
  const reservations = await rows<{
    reference_id: string;
    key: string;
    item_id: string;
    quantity: string;
    released: string;
    status: string;
  }>(
    db,
    sql`select reference_id, key, item_id, quantity::text, released::text, status from stock_reservations
        where reference_id = any(${instanceIds}::text[])`,
  );
  expect(duplicates(reservations.map((r) => `${r.reference_id}/${r.key}`))).toEqual([]);
  const byInstance = new Map(reservations.map((r) => [r.reference_id, r]));
  for (const flow of flows) {
    const reservation = byInstance.get(flow.instanceId!);
    if (flow.expected === 'stock_short') expect(reservation).toBeUndefined();
    else {
      expect(reservation, `reservation of flow ${flow.index}`).toBeDefined();
      expect(Number(reservation!.quantity)).toBe(3);
      expect(Number(reservation!.released)).toBe(flow.expected === 'rejected' ? 3 : 0);
    }
  }
  const reservedAudit = await rows<{ action: string; entity_id: string; n: string }>(
    db,
    sql`select action, coalesce(details->>'referenceId', entity_id) as entity_id, count(*)::text as n from audit_log
        where action in ('stock.reserved', 'stock.released') group by 1, 2`,
  );
  expect(reservedAudit.filter((a) => a.n !== '1')).toEqual([]);
  const balances = await rows<{ item_id: string; on_hand: string; reserved: string }>(
    db,
    sql`select item_id, on_hand::text, reserved::text from stock_balances where warehouse_id = ${ids.warehouse}`,
  );
  const balance = (item: string) => balances.find((b) => b.item_id === item)!;
  expect(Number(balance(ids.bags).on_hand)).toBe(flows.length * 3 + 40);
  expect(Number(balance(ids.bags).reserved)).toBe(ordered.length * 3);
  expect(Number(balance(ids.scarce).reserved)).toBe(0);

  // Approvals: one request per approval flow, decided once.
  const requests = await rows<{ flow_instance_id: string; status: string; id: string }>(
    db,
    sql`select id, flow_instance_id, status from approval_requests where flow_instance_id = any(${instanceIds}::text[])`,
  );
  expect(duplicates(requests.map((r) => r.flow_instance_id))).toEqual([]);
  expect(requests.map((r) => r.flow_instance_id).sort()).toEqual(approvals.map((f) => f.instanceId!).sort());
  for (const request of requests) {
    const flow = flows.find((f) => f.instanceId === request.flow_instance_id)!;
    expect(request.status).toBe(flow.expected === 'rejected' ? 'rejected' : 'approved');
  }
  const approvalEvents = await rows<{ type: string; approval_id: string }>(
    db,
    sql`select type, payload->>'approvalId' as approval_id from outbox
        where type in ('approvals.ApprovalRequested', 'approvals.ApprovalDecided')
          and payload->>'approvalId' = any(${requests.map((r) => r.id)}::text[])`,
  );
  for (const type of ['approvals.ApprovalRequested', 'approvals.ApprovalDecided']) {
    const ofType = approvalEvents.filter((e) => e.type === type).map((e) => e.approval_id);
    expect(duplicates(ofType), type).toEqual([]);
    expect(ofType, type).toHaveLength(requests.length);
  }

  // The flow posts nothing to the ledger; no notification twice.
  const ledger = await rows<{ n: string }>(
    db,
    sql`select count(*)::text as n from journal_entries where source_id::text = any(${[...quoteIds, ...orders.map((o) => o.id)]}::text[])`,
  );
  expect(ledger[0]?.n).toBe('0');
  const notices = await rows<{ key: string; user_id: string }>(
    db,
    sql`select key, user_id from notifications`,
  );
  expect(duplicates(notices.map((n) => `${n.key}/${n.user_id}`))).toEqual([]);
}
