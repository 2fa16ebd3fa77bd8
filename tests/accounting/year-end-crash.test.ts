/**
 * Year-end close under SIGKILL: the devhost process running the close is killed right after the
 * request is acknowledged and again at later steps of the flow; each time a new process starts
 * over the same data, and the year ends up closed once, with one closing entry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, expect, inject, it } from 'vitest';
import {
  COMPUTE_RESULT_ACTIVITY,
  POST_CLOSING_ENTRY_ACTIVITY,
} from '../../orchestrations/year-end-close/names.js';
import { Decimal } from '../../shared/platform/money.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { apiClient, type Api } from '../support/devhost.js';

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

interface Host {
  child: ChildProcess;
  /** Once the process serves: the demo tenant's Admin, Finance.Clerk and Finance.Approver, signed in at its issuer. */
  serving: Promise<Api>;
  /** Settles with the log line the process stopped itself at (DEVHOST_STOP_ON). */
  stopped: Promise<string>;
}

/**
 * A devhost in a process of its own over the test's data, with empty books and two-second leases
 * (what a killed process held is taken over two seconds later). With `stopOn`, the process stops
 * itself the moment the devhost logs a matching line, which may be before it serves.
 */
function startHost(env: NodeJS.ProcessEnv, stopOn?: RegExp): Host {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/devhost-process.ts', dataDir!], {
    env: {
      ...process.env,
      DEVHOST_LEASE_MS: '2000',
      DEVHOST_DEMO_DATA: 'false',
      ...(stopOn ? { DEVHOST_STOP_ON: stopOn.source } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const printed = new Map<string, (value: string) => void>();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`The devhost exited (${code ?? signal}).`))),
  );
  const line = (key: 'url' | 'stopped') =>
    Promise.race([new Promise<string>((resolve) => printed.set(key, resolve)), exited]);
  createInterface({ input: child.stdout! }).on('line', (text) => {
    for (const [key, value] of Object.entries(JSON.parse(text) as Record<string, string>))
      printed.get(key)?.(value);
  });
  const serving = line('url').then(async (url) => {
    // Each process signs with a key of its own: sign in again after every start.
    const response = await fetch(`${url}/api/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        tenant: 'demo',
        user: 'petra',
        roles: ['Admin', 'Finance.Clerk', 'Finance.Approver'],
      }),
    });
    return apiClient(url, ((await response.json()) as { accessToken: string }).accessToken);
  });
  const stopped = line('stopped');
  serving.catch(() => undefined);
  stopped.catch(() => undefined);
  return { child, serving, stopped };
}

async function sigkill(host: Host): Promise<void> {
  if (host.child.exitCode === null && host.child.signalCode === null) {
    const exited = new Promise((resolve) => host.child.once('exit', resolve));
    host.child.kill('SIGKILL');
    await exited;
  }
  children.delete(host.child);
}

async function flowStatus(api: Api, location: string): Promise<any> {
  const response = await api.get(location);
  expect(response.status, response.text).toBe(200);
  return response.body;
}

async function completed(api: Api, location: string): Promise<any> {
  // A request's event claimed by a killed process is relayed again once its 30-second claim ends.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const flow = await flowStatus(api, location);
    if (flow.runtimeStatus === 'Completed') return flow;
    expect(['Pending', 'Running'], JSON.stringify(flow)).toContain(flow.runtimeStatus);
    if (Date.now() > deadline) throw new Error(`The flow is still ${JSON.stringify(flow)}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// FY2021 of the demo tenant (March 2020 to February 2021): revenue 150 000.10, rent 12 345.6789,
// and 2 USD of travel at 14.75.
const YEAR = { name: 'FY2021', start: '2020-03-01', end: '2021-02-28' };
const RESULT = new Decimal('150000.10').minus('12345.6789').minus('29.50');

/** Posts the year's entries and closes its twelve periods; returns the year's id. */
async function bookTheYear(api: Api): Promise<string> {
  const post = async (date: string, lines: unknown[], currency = 'ZAR') => {
    const response = await api.post('/api/v1/accounting/journal-entries', {
      date,
      memo: 'Year-end crash test',
      currency,
      lines,
    });
    expect(response.status, response.text).toBe(201);
  };
  await post('2020-03-02', [
    { account: '1000', debit: '500000' },
    { account: '3000', credit: '500000' },
  ]);
  await post('2020-06-15', [
    { account: '1000', debit: '150000.10' },
    { account: '4200', credit: '150000.10' },
  ]);
  await post('2020-11-30', [
    { account: '6100', debit: '12345.6789' },
    { account: '1000', credit: '12345.6789' },
  ]);
  const rate = await api.post('/api/v1/accounting/exchange-rates', {
    currency: 'USD',
    date: '2021-01-01',
    rate: '14.75',
  });
  expect(rate.status, rate.text).toBe(201);
  await post(
    '2021-02-26',
    [
      { account: '6700', debit: '2' },
      { account: '1000', credit: '2' },
    ],
    'USD',
  );
  const periods = await api.get(`/api/v1/accounting/periods?year=${YEAR.name.slice(2)}`);
  expect(periods.body.items).toHaveLength(12);
  for (const period of periods.body.items as { id: string; version: number }[]) {
    const closed = await api.request('POST', `/api/v1/accounting/periods/${period.id}/close`, {
      headers: { 'if-match': `"${period.version}"` },
    });
    expect(closed.status, closed.text).toBe(200);
  }
  const years = await api.get('/api/v1/accounting/fiscal-years');
  return (years.body.items as { id: string; name: string }[]).find((y) => y.name === YEAR.name)!.id;
}

it('closes the year once though the devhost is killed at several points of the close', async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tessera-year-end-'));
  const env: NodeJS.ProcessEnv = {};
  if (process.env.DATABASE_URL) {
    database = await createTestDatabase();
    env.DATABASE_URL = database.url;
  } else {
    // Start from the suite's migrated database rather than creating and migrating one.
    const pglite = new PGlite(path.join(dataDir, 'pglite'), {
      loadDataDir: new Blob([await readFile(inject('pgliteDumpPath'))]),
    });
    await pglite.close();
  }

  let host = startHost(env);
  let api = await host.serving;
  const yearId = await bookTheYear(api);
  const response = await api.post(`/api/v1/accounting/fiscal-years/${yearId}/close`, undefined);
  expect(response.status, response.text).toBe(202);
  const location = response.headers.get('location') as string;
  // Killed as soon as the close is acknowledged: the flow may not have started yet.
  await sigkill(host);

  // Killed once the result is computed, before the closing entry is posted; then once the entry is
  // posted and recorded as such, before the year is marked closed. Each new process picks the flow
  // up where the killed one left it, and stops itself when the activity's completion is recorded.
  const seen: string[] = [];
  for (const activity of [COMPUTE_RESULT_ACTIVITY, POST_CLOSING_ENTRY_ACTIVITY]) {
    host = startHost(env, new RegExp(`^durable: activity ${activity} of .*: completed$`));
    seen.push(
      await Promise.race([
        host.stopped.then((line) => line.split(' of ')[0]!),
        // A flow already past the point completes instead: that fails below rather than waiting.
        // (Its polls fail once the process is killed, after the race is decided.)
        host.serving
          .then((client) => completed(client, location))
          .then(
            () => 'the flow completed first',
            (error: unknown) => String(error),
          ),
      ]),
    );
    await sigkill(host);
  }
  expect(seen).toEqual([
    `durable: activity ${COMPUTE_RESULT_ACTIVITY}`,
    `durable: activity ${POST_CLOSING_ENTRY_ACTIVITY}`,
  ]);

  host = startHost(env);
  api = await host.serving;
  const flow = await completed(api, location);
  expect(flow.output.netResult).toEqual({ amount: RESULT.toFixed(4), currency: 'ZAR' });
  expect(flow.customStatus).toMatchObject({ step: 'completed' });

  // Exactly one closing entry, on the year's last day, naming the year.
  const entries = await api.get(`/api/v1/accounting/journal-entries?from=${YEAR.end}&to=${YEAR.end}`);
  const closing = (
    entries.body.items as { id: string; source: { type: string; id: string } | null }[]
  ).filter((e) => e.source?.type === 'accounting.year-end');
  expect(closing.map((e) => [e.id, e.source!.id])).toEqual([[flow.output.closingEntryId, yearId]]);

  // Retained earnings hold the year's result; its revenue and expense accounts are zero.
  const tb = await api.get(`/api/v1/accounting/reports/trial-balance?from=${YEAR.start}&to=${YEAR.end}`);
  expect(tb.status, tb.text).toBe(200);
  const rows = tb.body.rows as { account: string; type: string; balance: string }[];
  expect(new Decimal(rows.find((r) => r.account === '3100')!.balance).toFixed(4)).toBe(
    RESULT.negated().toFixed(4),
  );
  for (const row of rows)
    if (row.type === 'revenue' || row.type === 'expense') expect(row.balance, row.account).toBe('0.00');

  // The year is closed, once; the whole ledger balances.
  const years = await api.get('/api/v1/accounting/fiscal-years');
  expect(years.body.items.find((y: { id: string }) => y.id === yearId)?.status).toBe('closed');
  const audit = await api.get('/api/v1/admin/audit?action=fiscal_year.closed');
  expect(audit.body.items).toHaveLength(1);
  const all = await api.get('/api/v1/accounting/reports/trial-balance?from=2000-01-01&to=2099-12-31');
  expect(new Decimal(all.body.totals.debit).greaterThan(0)).toBe(true);
  expect(all.body.totals.debit).toBe(all.body.totals.credit);
  await sigkill(host);
}, 180_000);
