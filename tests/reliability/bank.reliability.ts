/**
 * Bank: the ledger under concurrent transfers while the database terminates the app's connections.
 *
 * BANK_ACCOUNTS bank accounts (8) are funded by one opening entry (R 100 000.00 each, against
 * share capital). BANK_CLIENTS clients (8) then post journal entries through the API
 * (`POST /api/v1/accounting/journal-entries`) for BANK_SECONDS (30): each moves a random amount
 * in cents out of one bank account into one to three others. Every client intent has its own
 * Idempotency-Key and memo; a client sends the same request with the same key again after a
 * connection error or a 5xx, until it gets a definite answer, and never makes a second intent of
 * one transfer. Meanwhile:
 * - a killer terminates every backend of the test database (`pg_terminate_backend` over its own
 *   connection to the maintenance database) at seeded random moments, 0.3–2 s apart;
 * - two readers read the trial balance through the API, again and again.
 *
 * Asserted:
 * - every trial balance read balances (debits = credits, the balances sum to zero) and the bank
 *   accounts hold the funded total, during the run and after it;
 * - every intent was acknowledged (201), and its entry exists exactly once, with the id of the
 *   acknowledgement and the lines the client sent; no transfer entry exists that no client intent
 *   made; each key's stored response names that entry;
 * - straight from the database: the bank accounts' lines sum to the funded total, all lines
 *   balance;
 * - no 5xx was ever answered except a clean 503 problem+json with Retry-After (a transaction that
 *   lost its connection while committing, or ran out of retries); the killer terminated backends.
 *
 * Needs the PostgreSQL server (`DATABASE_URL`): PGlite has one backend and nothing to terminate.
 * `RELIABILITY_SEED=<n>` replays the transfers and the kill moments.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { startDevhost, type Devhost } from '../../devhost/devhost.js';
import { random as seededRandom } from '../../devhost/seed/demo-ledger.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { todayIn } from '../../shared/platform/clock.js';
import { createDb, createPool, type Db } from '../../shared/platform/db/database.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { adminUrl } from '../support/pg.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2_147_483_647);
const ACCOUNTS = Number(process.env.BANK_ACCOUNTS ?? 8);
const CLIENTS = Number(process.env.BANK_CLIENTS ?? 8);
const READERS = 2;
const SECONDS = Number(process.env.BANK_SECONDS ?? 30);
const FUNDING_CENTS = 10_000_000n; // R 100 000.00 per account
const SERVER = process.env.DATABASE_URL;
if (!SERVER)
  console.warn(
    'bank: skipped: needs the PostgreSQL server (DATABASE_URL); PGlite has one backend and nothing to terminate',
  );
else
  console.info(
    `bank: RELIABILITY_SEED=${SEED} (${ACCOUNTS} accounts, ${CLIENTS} clients, ${READERS} readers, ${SECONDS} s)`,
  );

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Cents (a bigint) as an exact decimal string: 12345n → "123.45". */
const amountOf = (cents: bigint) => {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
};
/** An exact decimal string as cents; refuses anything finer than a cent. */
const centsOf = (amount: string): bigint => {
  const match = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(amount);
  if (!match) throw new Error(`not a decimal: ${amount}`);
  const fraction = (match[3] ?? '').padEnd(4, '0');
  if (!fraction.endsWith('00')) throw new Error(`finer than a cent: ${amount}`);
  const cents = BigInt(match[2]!) * 100n + BigInt(fraction.slice(0, 2));
  return match[1] ? -cents : cents;
};

let database: TestDatabase | undefined;
let db: Db | undefined;
let devhost: Devhost | undefined;
let killerClient: pg.Client | undefined;
afterAll(async () => {
  await killerClient?.end().catch(() => undefined);
  await devhost?.stop();
  await db?.destroy();
  await database?.close();
});

interface Line {
  account: string;
  debit?: string;
  credit?: string;
}
interface Intent {
  key: string;
  memo: string;
  lines: Line[];
  entryId?: string;
  status?: number;
}

const stats = {
  posts: 0,
  attempts: 0,
  connectionErrors: 0,
  unavailable: 0,
  /** 503s for a connection lost while committing: the outcome was unknown to the server's caller. */
  inDoubt: 0,
  replays: 0,
  reads: 0,
  readRetries: 0,
  kills: 0,
  terminated: 0,
  killMoments: [] as number[],
  serverErrors: [] as string[],
  readViolations: [] as string[],
  refused: [] as string[],
};

/**
 * Judges a 5xx: a 503 must be problem+json with Retry-After (then the client waits and sends the
 * same request again); anything else is recorded as a failure of the run.
 */
function serverError(what: string, response: Response, text: string): void {
  const clean =
    response.status === 503 &&
    /^application\/problem\+json/.test(response.headers.get('content-type') ?? '') &&
    response.headers.get('retry-after') !== null &&
    (() => {
      try {
        const problem = JSON.parse(text) as { status?: unknown; type?: unknown; detail?: unknown };
        return (
          problem.status === 503 && typeof problem.type === 'string' && typeof problem.detail === 'string'
        );
      } catch {
        return false;
      }
    })();
  if (clean) {
    stats.unavailable++;
    if (/while saving/.test(text)) stats.inDoubt++;
  } else stats.serverErrors.push(`${what}: ${response.status} ${text.slice(0, 300)}`);
}

it.skipIf(!SERVER)(
  `${CLIENTS} clients move money between ${ACCOUNTS} bank accounts for ${SECONDS} s while backends are terminated: every read balances, every acknowledged posting exists once, totals are conserved`,
  async () => {
    const setupStarted = Date.now();
    database = await createTestDatabase();
    // The app's own pool, as in Azure (DATABASE_URL): it must outlive terminated backends.
    db = createDb(createPool(database.url!, 10));
    const hostErrors: string[] = [];
    devhost = await startDevhost({
      db,
      port: 0,
      blobInMemory: true,
      demoData: false,
      timers: false,
      // A delivery cut off by a terminated connection is taken over after 2 s, not Azure's 60 s.
      leaseMs: 2_000,
      log: (entry) => {
        if (entry.level === 'error' || entry.level === 'critical')
          hostErrors.push(`[${entry.functionName ?? entry.category}] ${entry.message}`);
      },
    });
    await devhost.settle();
    const url = devhost.url;
    const token = await devhost.token('demo', 'bank-clerk', ['Finance.Clerk']);
    const tenant = DEMO_TENANTS[0]!;
    const today = todayIn(tenant.timeZone);
    const banks = Array.from({ length: ACCOUNTS }, (_, i) => `BANK-${String(i + 1).padStart(2, '0')}`);
    const funded = FUNDING_CENTS * BigInt(ACCOUNTS);

    /** A POST retried with its key until it gets a definite answer (2xx or 4xx). */
    const post = async (
      intent: Intent,
      route: string,
      body: unknown,
    ): Promise<{ status: number; body: any }> => {
      stats.posts++;
      for (let attempt = 0; ; attempt++) {
        if (attempt > 200) throw new Error(`${intent.key}: no definite answer after ${attempt} attempts`);
        stats.attempts++;
        let response: Response;
        let text: string;
        try {
          response = await fetch(`${url}${route}`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'idempotency-key': intent.key,
            },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
          });
          text = await response.text();
        } catch {
          stats.connectionErrors++;
          await sleep(50 + Math.min(attempt, 10) * 20);
          continue;
        }
        if (response.status >= 500) {
          serverError(`POST ${route} ${intent.key}`, response, text);
          const retryAfter = Number(response.headers.get('retry-after') ?? '1');
          await sleep(Math.min(retryAfter * 1000, 1000) * (0.2 + Math.random() * 0.3));
          continue;
        }
        if (response.headers.get('idempotent-replayed') === 'true') stats.replays++;
        return { status: response.status, body: text ? JSON.parse(text) : undefined };
      }
    };
    const get = async (route: string): Promise<any> => {
      for (let attempt = 0; ; attempt++) {
        if (attempt > 200) throw new Error(`GET ${route}: no answer after ${attempt} attempts`);
        let response: Response;
        let text: string;
        try {
          response = await fetch(`${url}${route}`, {
            headers: { authorization: `Bearer ${token}` },
            signal: AbortSignal.timeout(30_000),
          });
          text = await response.text();
        } catch {
          stats.connectionErrors++;
          stats.readRetries++;
          await sleep(50);
          continue;
        }
        if (response.status >= 500) {
          serverError(`GET ${route}`, response, text);
          stats.readRetries++;
          await sleep(100);
          continue;
        }
        expect(response.status, text).toBe(200);
        return JSON.parse(text);
      }
    };

    // Master data: the bank accounts and the opening entry.
    for (const code of banks) {
      const made = await post(
        { key: `bank-${SEED}-account-${code}`, memo: '', lines: [] },
        '/api/v1/accounting/accounts',
        {
          code,
          name: `Bank ${code}`,
          type: 'asset',
        },
      );
      expect(made.status, JSON.stringify(made.body)).toBe(201);
    }
    const opening: Intent = {
      key: `bank-${SEED}-opening`,
      memo: `bank opening ${SEED}`,
      lines: [
        ...banks.map((account) => ({ account, debit: amountOf(FUNDING_CENTS) })),
        { account: '3000', credit: amountOf(funded) },
      ],
    };
    const opened = await post(opening, '/api/v1/accounting/journal-entries', {
      date: today,
      memo: opening.memo,
      currency: 'ZAR',
      lines: opening.lines,
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);

    const trialBalance = `/api/v1/accounting/reports/trial-balance?from=2000-01-01&to=${today}`;
    /** What is wrong with a trial balance, if anything. */
    const judgeTrialBalance = (report: {
      rows: { account: string; debit: string; credit: string; balance: string }[];
      totals: { debit: string; credit: string };
    }): string | undefined => {
      const debit = centsOf(report.totals.debit);
      const credit = centsOf(report.totals.credit);
      if (debit !== credit) return `debits ${report.totals.debit} ≠ credits ${report.totals.credit}`;
      const sum = report.rows.reduce((s, r) => s + centsOf(r.balance), 0n);
      if (sum !== 0n) return `balances sum to ${amountOf(sum)}`;
      const bank = report.rows
        .filter((r) => banks.includes(r.account))
        .reduce((s, r) => s + centsOf(r.balance), 0n);
      if (bank !== funded) return `bank accounts hold ${amountOf(bank)}, funded ${amountOf(funded)}`;
      return undefined;
    };
    expect(judgeTrialBalance(await get(trialBalance))).toBeUndefined();

    // The run.
    const intents: Intent[] = [];
    const endAt = Date.now() + SECONDS * 1000;
    let running = true;

    const client = async (c: number) => {
      const random = seededRandom(SEED + 1 + c);
      for (let n = 0; Date.now() < endAt; n++) {
        const from = banks[Math.floor(random() * banks.length)]!;
        const others = banks.filter((b) => b !== from);
        const legs = 1 + Math.floor(random() * 3);
        const lines: Line[] = [];
        let total = 0n;
        for (let l = 0; l < legs; l++) {
          const to = others.splice(Math.floor(random() * others.length), 1)[0]!;
          const cents = 1n + BigInt(Math.floor(random() * 250_000)); // R 0.01 – R 2 500.00
          total += cents;
          lines.push({ account: to, debit: amountOf(cents) });
        }
        lines.push({ account: from, credit: amountOf(total) });
        const intent: Intent = {
          key: `bank-${SEED}-c${c}-${n}`,
          memo: `bank transfer ${SEED} c${c} #${n}`,
          lines,
        };
        intents.push(intent);
        const answer = await post(intent, '/api/v1/accounting/journal-entries', {
          date: today,
          memo: intent.memo,
          currency: 'ZAR',
          lines,
        });
        intent.status = answer.status;
        if (answer.status === 201) intent.entryId = answer.body.id as string;
        else
          stats.refused.push(`${intent.key}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
        if (random() < 0.3) await sleep(Math.floor(random() * 20));
      }
    };

    const reader = async (r: number) => {
      const random = seededRandom(SEED + 10_000 + r);
      while (running) {
        const report = await get(trialBalance);
        stats.reads++;
        const wrong = judgeTrialBalance(report);
        if (wrong) stats.readViolations.push(wrong);
        await sleep(50 + Math.floor(random() * 200));
      }
    };

    killerClient = new pg.Client({ connectionString: adminUrl(SERVER!) });
    await killerClient.connect();
    const dbName = new URL(database.url!).pathname.slice(1);
    const killer = async () => {
      const random = seededRandom(SEED);
      while (Date.now() < endAt) {
        const wait = 300 + Math.floor(random() * 1700);
        stats.killMoments.push(wait);
        await sleep(wait);
        const { rows } = await killerClient!.query<{ n: string }>(
          `select count(*) filter (where t) as n from (
             select pg_terminate_backend(pid) as t from pg_stat_activity
             where datname = $1 and pid <> pg_backend_pid()) killed`,
          [dbName],
        );
        stats.kills++;
        stats.terminated += Number(rows[0]?.n ?? 0);
      }
    };

    const setupSeconds = (Date.now() - setupStarted) / 1000;
    const started = Date.now();
    const reading = Array.from({ length: READERS }, (_, r) => reader(r));
    await Promise.all([killer(), ...Array.from({ length: CLIENTS }, (_, c) => client(c))]);
    running = false;
    await Promise.all(reading);
    const elapsed = (Date.now() - started) / 1000;

    console.info(
      `bank: ${intents.length} transfers in ${elapsed.toFixed(1)} s (${(intents.length / elapsed).toFixed(0)}/s) ` +
        `over ${stats.attempts} POST attempts; ${stats.kills} kills terminated ${stats.terminated} backends ` +
        `(${stats.killMoments.slice(0, 12).join(', ')}… ms apart); ${stats.unavailable} clean 503s (${stats.inDoubt} in doubt), ` +
        `${stats.replays} idempotent replays, ${stats.connectionErrors} connection errors; ` +
        `${stats.reads} trial balance reads (${stats.readRetries} retried); ${hostErrors.length} host errors logged; ` +
        `setup took ${setupSeconds.toFixed(1)} s`,
    );
    if (hostErrors.length > 0)
      console.info(`bank: host errors, first ones:\n${hostErrors.slice(0, 5).join('\n')}`);

    // Nothing but clean 503s; every read balanced; every intent acknowledged.
    expect(stats.serverErrors, `RELIABILITY_SEED=${SEED}`).toEqual([]);
    expect(stats.readViolations, `RELIABILITY_SEED=${SEED}`).toEqual([]);
    expect(stats.refused, `RELIABILITY_SEED=${SEED}`).toEqual([]);
    expect(stats.kills).toBeGreaterThan(0);
    expect(stats.terminated).toBeGreaterThan(0);
    expect(intents.length).toBeGreaterThan(CLIENTS);
    expect(intents.filter((i) => !i.entryId)).toEqual([]);

    // The trial balance after the run.
    expect(judgeTrialBalance(await get(trialBalance))).toBeUndefined();

    // Each intent's entry exists exactly once, as acknowledged; no transfer entry without an intent.
    const entries = (
      await sql<{ id: string; memo: string; lines: { code: string; debit: string; credit: string }[] }>`
        select e.id, e.memo,
          json_agg(json_build_object('code', a.code, 'debit', l.debit::text, 'credit', l.credit::text)
                   order by l.line_no) as lines
        from journal_entries e
        join journal_lines l on l.entry_id = e.id and l.tenant_id = e.tenant_id
        join accounts a on a.id = l.account_id and a.tenant_id = l.tenant_id
        where e.memo like 'bank %'
        group by e.id, e.memo`.execute(db)
    ).rows;
    const byMemo = new Map<string, typeof entries>();
    for (const entry of entries) byMemo.set(entry.memo, [...(byMemo.get(entry.memo) ?? []), entry]);
    const known = new Set([opening.memo, ...intents.map((i) => i.memo)]);
    expect(
      [...byMemo.keys()].filter((memo) => !known.has(memo)),
      'entries no client intended',
    ).toEqual([]);
    expect(
      [...byMemo].filter(([, list]) => list.length !== 1).map(([memo, list]) => `${memo}×${list.length}`),
      'intents posted more than once',
    ).toEqual([]);
    const mismatches: string[] = [];
    for (const intent of intents) {
      const entry = byMemo.get(intent.memo)?.[0];
      if (!entry) {
        mismatches.push(`${intent.key}: acknowledged ${intent.entryId} but no entry`);
        continue;
      }
      if (entry.id !== intent.entryId)
        mismatches.push(`${intent.key}: acknowledged ${intent.entryId}, entry ${entry.id}`);
      const sent = intent.lines.map((l) => `${l.account} ${l.debit ?? '-'} ${l.credit ?? '-'}`);
      const stored = entry.lines.map(
        (l) =>
          `${l.code} ${centsOf(l.debit) === 0n ? '-' : amountOf(centsOf(l.debit))} ${
            centsOf(l.credit) === 0n ? '-' : amountOf(centsOf(l.credit))
          }`,
      );
      if (JSON.stringify(sent) !== JSON.stringify(stored))
        mismatches.push(`${intent.key}: sent ${sent.join(', ')}; stored ${stored.join(', ')}`);
    }
    expect(mismatches.slice(0, 20), `RELIABILITY_SEED=${SEED}`).toEqual([]);

    // Each key's stored response names its entry.
    const keys = (
      await sql<{ key: string; status_code: number; body: string | null }>`
        select key, status_code, response_body as body from idempotency_keys
        where key like ${`bank-${SEED}-c%`}`.execute(db)
    ).rows;
    const keyed = new Map(keys.map((k) => [k.key, k]));
    const keyMismatches = intents
      .filter((intent) => {
        const stored = keyed.get(intent.key);
        return (
          stored?.status_code !== 201 ||
          (JSON.parse(stored.body ?? '{}') as { id?: string }).id !== intent.entryId
        );
      })
      .map((intent) => intent.key);
    expect(keyMismatches.slice(0, 20)).toEqual([]);
    expect(keys).toHaveLength(intents.length);

    // Straight from the lines: money conserved in the bank accounts, every line balanced.
    const totals = (
      await sql<{ bank: string; debit: string; credit: string }>`
        select coalesce(sum(l.debit - l.credit) filter (where a.code = any(${banks}::text[])), 0)::text as bank,
               sum(l.debit)::text as debit, sum(l.credit)::text as credit
        from journal_lines l join accounts a on a.id = l.account_id and a.tenant_id = l.tenant_id`.execute(db)
    ).rows[0]!;
    expect(centsOf(totals.bank)).toBe(funded);
    expect(centsOf(totals.debit)).toBe(centsOf(totals.credit));
  },
  600_000,
);
