/**
 * 20 quote-to-order flows, the devhost SIGKILLed at random moments while they run and started
 * again over the same data each time: every flow ends, nothing stays reserved that no order holds,
 * and no order, approval request or event exists twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, expect, it } from 'vitest';
import { apiClient, type Api } from '../support/devhost.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createCustomer, createItem, createWarehouse, receive, stockOf } from './sales-helpers.js';

const children = new Set<ChildProcess>();
let dataDir: string | undefined;
let database: TestDatabase | undefined;

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});
afterAll(async () => {
  await database?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function start(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/devhost-process.ts', dataDir!], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`devhost exited with ${code} before serving`)));
  });
  return { child, url: (JSON.parse(line) as { url: string }).url };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  children.delete(child);
}

async function signIn(url: string, user: string, roles: string[]): Promise<Api> {
  const response = await fetch(`${url}/api/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'demo', user, roles }),
  });
  return apiClient(url, ((await response.json()) as { accessToken: string }).accessToken);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Approves what is waiting; some requests may not exist yet, or be decided already. */
async function approvePending(approver: Api): Promise<void> {
  const pending = await approver.get('/api/v1/approvals?status=pending&limit=200');
  for (const request of pending.body.items ?? [])
    await approver.post(`/api/v1/approvals/${request.id}/decision`, { decision: 'approve' });
}

it('every flow ends after SIGKILLs at random moments, with nothing leaked or doubled', async () => {
  const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
  let state = seed;
  const random = () => ((state = (state * 48_271) % 2_147_483_647) / 2_147_483_647) % 1;
  console.info(`quote-to-order crash test: CRASH_SEED=${seed}`);

  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tessera-q2o-crash-'));
  const env: NodeJS.ProcessEnv = { DEVHOST_LEASE_MS: '2000', DEVHOST_DEMO_DATA: 'false' };
  if (process.env.DATABASE_URL) {
    database = await createTestDatabase();
    env.DATABASE_URL = database.url;
  }

  let host = await start(env);
  let rep = await signIn(host.url, 'rita', ['Sales.Rep', 'Inventory.Clerk', 'Finance.Clerk']);
  const warehouse = await createWarehouse(rep);
  const bags = await createItem(rep, { price: '120.00', uom: 'bag' });
  const crane = await createItem(rep, { kind: 'service', price: '100000.00' });
  await receive(rep, warehouse.code, bags.sku, '100', '80.00');
  const customer = await createCustomer(rep);
  const quoteIds: string[] = [];
  for (let i = 0; i < 20; i++) {
    // Every fourth order is over the R 250 000 approval threshold.
    const lines: unknown[] = [{ itemId: bags.id, warehouseId: warehouse.id, quantity: '3' }];
    if (i % 4 === 0) lines.push({ itemId: crane.id, quantity: '3' });
    const quote = await rep.post('/api/v1/sales/quotes', { customerId: customer.id, lines });
    expect(quote.status, quote.text).toBe(201);
    quoteIds.push(quote.body.id);
  }
  const accepted = await Promise.all(
    quoteIds.map((id) => rep.post(`/api/v1/sales/quotes/${id}/accept`, undefined)),
  );
  expect(accepted.map((r) => r.status)).toEqual(quoteIds.map(() => 202));
  const locations = accepted.map((r) => r.headers.get('location')!);

  for (let round = 0; round < 3; round++) {
    await sleep(Math.floor(random() * 2_500));
    await kill(host.child);
    host = await start(env);
    if (round > 0) await approvePending(await signIn(host.url, 'fiona', ['Finance.Approver']));
  }
  rep = await signIn(host.url, 'rita', ['Sales.Rep', 'Inventory.Clerk', 'Finance.Clerk']);
  const approver = await signIn(host.url, 'fiona', ['Finance.Approver']);

  const deadline = Date.now() + 150_000;
  let statuses: any[] = [];
  for (;;) {
    await approvePending(approver);
    statuses = await Promise.all(locations.map(async (location) => (await rep.get(location)).body));
    if (statuses.every((s) => s.runtimeStatus === 'Completed')) break;
    if (Date.now() > deadline)
      throw new Error(
        `flows still running: ${JSON.stringify(statuses.filter((s) => s.runtimeStatus !== 'Completed'))}`,
      );
    await sleep(500);
  }

  expect(statuses.map((s) => s.output.outcome)).toEqual(quoteIds.map(() => 'ordered'));
  const orders = await rep.get(`/api/v1/sales/orders?customerId=${customer.id}&limit=200`);
  expect(orders.body.items).toHaveLength(20);
  expect(new Set(orders.body.items.map((o: any) => o.quote.id)).size).toBe(20);
  expect(await stockOf(rep, bags.id, warehouse.id)).toEqual({
    onHand: '100',
    reserved: '60',
    available: '40',
  });
  const requests = await approver.get('/api/v1/approvals?status=approved&limit=200');
  expect(requests.body.items).toHaveLength(5);
  const auditor = await signIn(host.url, 'audrey', ['Auditor']);
  const confirmed = await auditor.get('/api/v1/admin/audit?action=sales_order.confirmed&limit=200');
  expect(confirmed.body.items).toHaveLength(20);
  await kill(host.child);
}, 300_000);
