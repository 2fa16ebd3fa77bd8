/**
 * Read replica: reports are served by a streaming hot standby of the primary, and a user who has
 * just written sees the write in their next report even while the standby lags behind.
 *
 * Needs DATABASE_URL (the primary) and DATABASE_READ_URL (a hot standby of it, on another port:
 * `tests/reliability/start-replica.sh` makes one); skipped with a printed reason otherwise. The
 * test database is created on the primary and streams to the standby under the same name; the
 * devhost reads reports from that copy.
 *
 * Asserted, over HTTP to an in-process devhost whose read database is the standby:
 * - the read database is in recovery (a real standby), and with replay running the trial balance
 *   shows what was posted once the standby has replayed it;
 * - with replay paused on the standby (`pg_wal_replay_pause()`), after a journal entry and a goods
 *   receipt committed on the primary:
 *   - the trial balance and the stock valuation read without a token show the state before them:
 *     they were served by the standby (the primary has the new state), and the standby's copy of
 *     the database counted the scans;
 *   - read with the consistency token of an earlier write the standby has already replayed, they
 *     are still served by the standby (the token sends a read to the primary only when needed);
 *   - read with the token of the new write, they show it (read-your-writes): served by the
 *     primary, the standby counted no scan;
 *   - a malformed token is refused with 400 naming the header;
 *   - a report run asked for now renders a CSV that shows the new entry: the render step waited
 *     for the standby, and read the primary when it did not catch up;
 * - replay resumed, the standby catches up and serves the new state without a token, and a report
 *   run renders from the standby (its copy of the database counted the scans).
 *
 * Replay is resumed in a `finally`, whatever happens. `RELIABILITY_SEED=<n>` replays the amounts.
 */
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { startDevhost, type Devhost } from '../../devhost/devhost.js';
import { random as seededRandom } from '../../devhost/seed/demo-ledger.js';
import { createDb, type Db } from '../../shared/platform/db/database.js';
import { CONSISTENCY_TOKEN_HEADER, lsnAtOrAfter } from '../../shared/platform/db/read-your-writes.js';
import { parseCsv } from '../support/csv.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { apiClient, type Api } from '../support/devhost.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2_147_483_647);
const PRIMARY_URL = process.env.DATABASE_URL;
const READ_URL = process.env.DATABASE_READ_URL;
const configured = Boolean(PRIMARY_URL && READ_URL);
console.info(`replica: RELIABILITY_SEED=${SEED}`);
if (!configured)
  console.info(
    'replica: skipped: set DATABASE_URL and DATABASE_READ_URL (a hot standby of it; tests/reliability/start-replica.sh starts one)',
  );

const random = seededRandom(SEED);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let database: TestDatabase | undefined;
let replicaDb: Db | undefined;
let devhost: Devhost | undefined;
/** The standby's maintenance database: replay control and positions, never the test database. */
let standby: pg.Client | undefined;
/** The standby's copy of the test database, for its statistics. */
let standbyCopy: pg.Client | undefined;

afterAll(async () => {
  await standby?.query('select pg_wal_replay_resume()').catch(() => undefined);
  await devhost?.stop();
  await replicaDb?.destroy();
  await standbyCopy?.end().catch(() => undefined);
  await standby?.end().catch(() => undefined);
  // The standby drops its copy when it replays the drop; its connections to it are closed first.
  await database?.close();
});

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await sleep(50);
  }
}

async function replayed(): Promise<string> {
  const result = await standby!.query<{ lsn: string }>('select pg_last_wal_replay_lsn()::text as lsn');
  return result.rows[0]!.lsn;
}

/** Scans of the app's tables in the standby's copy of the test database, as its statistics count them. */
async function standbyScans(): Promise<number> {
  await standbyCopy!.query('select pg_stat_clear_snapshot()');
  const result = await standbyCopy!.query<{ n: string }>(
    `select coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)::text as n from pg_stat_user_tables`,
  );
  return Number(result.rows[0]!.n);
}

/**
 * How many scans the standby's copy counted since `before`, once its statistics have settled (a
 * backend hands them in when its connection closes, which the devhost's standby pool does after
 * each unit of work).
 */
async function scansSince(before: number): Promise<number> {
  let last = before;
  let stableSince = Date.now();
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    await sleep(100);
    const now = await standbyScans();
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 800) break;
  }
  return last - before;
}

interface Token {
  token: string;
}

/** A POST that must succeed with 201; returns its body and the consistency token it carries. */
async function write(api: Api, route: string, body: unknown): Promise<Token & { body: any }> {
  const response = await api.post(route, body);
  expect(response.status, `${route}: ${response.text}`).toBe(201);
  const token = response.headers.get(CONSISTENCY_TOKEN_HEADER);
  expect(token, `${route} answers with a consistency token`).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
  return { token: token!, body: response.body };
}

const headersFor = (token?: string): Record<string, string> =>
  token ? { [CONSISTENCY_TOKEN_HEADER]: token } : {};

it.skipIf(!configured)(
  'reports come from the standby; a writer sees its own write in the next report, also while the standby lags',
  async () => {
    const started = Date.now();
    database = await createTestDatabase();
    const name = new URL(database.url!).pathname.slice(1);
    standby = new pg.Client({ connectionString: READ_URL });
    await standby.connect();
    const inRecovery = await standby.query<{ standby: boolean }>('select pg_is_in_recovery() as standby');
    expect(inRecovery.rows[0]!.standby, `${READ_URL} is a hot standby`).toBe(true);
    // A run that failed before resuming it would have left replay paused.
    await standby.query('select pg_wal_replay_resume()');

    // The database created on the primary reaches the standby under the same name.
    const replicaUrl = withDatabaseName(READ_URL!, name);
    standbyCopy = await until('the test database on the standby', async () => {
      const client = new pg.Client({ connectionString: replicaUrl });
      try {
        await client.connect();
        return client;
      } catch {
        await client.end().catch(() => undefined);
        return undefined;
      }
    });
    // Each connection to the standby serves one unit of work and closes: its backend then hands in
    // its statistics at once (an idle one may hold them for ten seconds).
    const pool = new pg.Pool({ connectionString: replicaUrl, max: 4, maxUses: 1 });
    pool.on('error', () => undefined);
    replicaDb = createDb(pool);
    const [copy] = (
      await sql<{
        standby: boolean;
        db: string;
      }>`select pg_is_in_recovery() as standby, current_database() as db`.execute(replicaDb)
    ).rows;
    expect(copy).toEqual({ standby: true, db: name });

    devhost = await startDevhost({
      db: database.db,
      readDb: replicaDb,
      port: 0,
      blobInMemory: true,
      demoData: false,
      timers: false,
      log: (entry) => {
        if (entry.level === 'error' || entry.level === 'critical')
          console.error(`[${entry.functionName ?? entry.category}] ${entry.message}`);
      },
    });
    await devhost.settle();
    const clerk = apiClient(
      devhost.url,
      await devhost.token('demo', 'fiona', ['Finance.Clerk', 'Inventory.Clerk']),
    );

    // Master data and a first posting, replayed by the standby.
    const cents = (n: number) => (n / 100).toFixed(2);
    const first = 10_000 + Math.floor(random() * 90_000);
    const second = 10_000 + Math.floor(random() * 90_000);
    const entry = (amount: string, memo: string) => ({
      date: '2026-11-10',
      memo,
      currency: 'ZAR',
      lines: [
        { account: '6500', debit: amount },
        { account: '1000', credit: amount },
      ],
    });
    const warehouse = await write(clerk, '/api/v1/inventory/warehouses', {
      code: 'RPL',
      name: 'Replica yard',
      kind: 'yard',
    });
    const item = await write(clerk, '/api/v1/inventory/items', {
      sku: 'CEMENT',
      name: 'Cement 50 kg',
      uom: 'bag',
      kind: 'stock',
      salesPrice: { amount: '120.00', currency: 'ZAR' },
      taxCode: 'VAT15',
    });
    const receipt = (quantity: string) => ({
      warehouse: 'RPL',
      date: '2026-11-10',
      reference: `GRN ${quantity}`,
      lines: [{ item: 'CEMENT', quantity, unitCost: { amount: '80.00', currency: 'ZAR' } }],
    });
    await write(clerk, '/api/v1/inventory/receipts', receipt('40'));
    const earlier = await write(clerk, '/api/v1/accounting/journal-entries', entry(cents(first), 'First'));
    await until('the standby to replay the first posting', async () =>
      lsnAtOrAfter(await replayed(), earlier.token) ? true : undefined,
    );

    const trialBalance = async (token?: string) => {
      const response = await clerk.get(
        '/api/v1/accounting/reports/trial-balance?from=2026-11-01&to=2026-11-30',
        headersFor(token),
      );
      expect(response.status, response.text).toBe(200);
      const row = (response.body.rows as { account: string; debit: string }[]).find(
        (r) => r.account === '6500',
      );
      return row?.debit ?? '0.00';
    };
    const valuation = async (token?: string) => {
      const response = await clerk.get(
        `/api/v1/inventory/reports/valuation?asOf=2026-11-30&warehouseId=${warehouse.body.id}`,
        headersFor(token),
      );
      expect(response.status, response.text).toBe(200);
      const row = (response.body.rows as { itemId: string; quantity: string }[]).find(
        (r) => r.itemId === item.body.id,
      );
      return Number(row?.quantity ?? 0);
    };
    expect(await trialBalance()).toBe(cents(first));
    expect(await valuation()).toBe(40);

    // Replay paused: the standby stays where it is while the primary moves on.
    let resumed = false;
    let lagging: { debit6500: string; seconds: number };
    try {
      await standby.query('select pg_wal_replay_pause()');
      await until('replay to pause', async () => {
        const state = await standby!.query<{ state: string }>(
          'select pg_get_wal_replay_pause_state() as state',
        );
        return state.rows[0]!.state === 'paused' ? true : undefined;
      });
      const later = await write(clerk, '/api/v1/accounting/journal-entries', entry(cents(second), 'Second'));
      const received = await write(clerk, '/api/v1/inventory/receipts', receipt('25'));
      expect(lsnAtOrAfter(await replayed(), later.token), 'the standby is behind').toBe(false);

      // Without a token: the standby's state, before the new writes.
      let scans = await standbyScans();
      expect(await trialBalance()).toBe(cents(first));
      expect(await valuation()).toBe(40);
      const staleScans = await scansSince(scans);
      expect(staleScans, 'scans on the standby by the reads without a token').toBeGreaterThan(0);

      // With the token of a write the standby has: still the standby.
      scans = await standbyScans();
      expect(await trialBalance(earlier.token)).toBe(cents(first));
      expect(await scansSince(scans), 'scans on the standby by the read with an older token').toBeGreaterThan(
        0,
      );

      // With the token of the new writes: the writer sees them, from the primary.
      scans = await standbyScans();
      expect(await trialBalance(later.token)).toBe(cents(first + second));
      expect(await valuation(received.token)).toBe(65);
      expect(await scansSince(scans), 'scans on the standby by the reads with the new tokens').toBe(0);

      const malformed = await clerk.get(
        '/api/v1/accounting/reports/trial-balance?from=2026-11-01&to=2026-11-30',
        headersFor('not-a-token'),
      );
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors[0].path).toBe(`header.${CONSISTENCY_TOKEN_HEADER}`);

      // A report run asked for now shows the new entry: rendering waited for the standby, then
      // read the primary.
      lagging = await runTrialBalance(clerk);
      expect(lagging.debit6500).toBe(cents(first + second));

      await standby.query('select pg_wal_replay_resume()');
      resumed = true;
    } finally {
      if (!resumed) await standby.query('select pg_wal_replay_resume()');
    }

    // Replay resumed: the standby catches up and serves the new state to everyone.
    await until('the standby to catch up', async () =>
      (await trialBalance()) === cents(first + second) ? true : undefined,
    );
    expect(await valuation()).toBe(65);
    // A run now renders from the standby, which has everything.
    const scans = await standbyScans();
    const caughtUp = await runTrialBalance(clerk);
    expect(caughtUp.debit6500).toBe(cents(first + second));
    expect(await scansSince(scans), 'scans on the standby by the report run').toBeGreaterThan(0);
    console.info(
      `replica: reports served by the standby, the writer's own reads by the primary while replay was paused; ` +
        `report runs ${lagging.seconds.toFixed(1)} s with the standby behind, ${caughtUp.seconds.toFixed(1)} s caught up; ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s in all`,
    );
  },
  120_000,
);

/** Asks for a trial balance run of November as CSV, waits for it, and reads account 6500's debit. */
async function runTrialBalance(api: Api): Promise<{ debit6500: string; seconds: number }> {
  const started = Date.now();
  const requested = await api.post('/api/v1/reports/runs', {
    reportType: 'trialBalance',
    from: '2026-11-01',
    to: '2026-11-30',
    formats: ['csv'],
    recipients: [],
  });
  expect(requested.status, requested.text).toBe(202);
  const run = await until(
    'the report run',
    async () => {
      const response = await api.get(`/api/v1/reports/runs/${requested.body.id}`);
      expect(response.status, response.text).toBe(200);
      if (response.body.status === 'failed') throw new Error(`The run failed: ${response.text}`);
      return response.body.status === 'succeeded' ? response.body : undefined;
    },
    60_000,
  );
  const link = await api.get(`/api/v1/reports/runs/${run.id}/download?format=csv`);
  expect(link.status, link.text).toBe(200);
  // The first row names the columns; each account's row starts with its code.
  const [columns, ...rows] = parseCsv(await (await fetch(link.body.url)).text());
  const debit = rows.find((r) => r[0] === '6500')?.[columns!.findIndex((c) => /debit/i.test(c))];
  expect(debit, 'account 6500 in the CSV').toBeDefined();
  return { debit6500: Number(debit).toFixed(2), seconds: (Date.now() - started) / 1000 };
}
