import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closePeriod,
  getEntry,
  postEntry,
  reopenPeriod,
  trialBalance,
} from '../../shared/modules/accounting/index.js';
import { accountTotals, foldPeriodDeltas } from '../../shared/modules/accounting/statements-repository.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import type { Tx } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { Decimal } from '../../shared/platform/money.js';
import { startTestDevhost, type Api } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;
const acme = DEMO_TENANTS[1]!;
const onServer = devhost.database.kind === 'postgres';
let clerk: Api;
beforeAll(async () => {
  clerk = await devhost.as('demo', 'fiona', ['Finance.Clerk']);
  const rate = await clerk.post('/api/v1/accounting/exchange-rates', {
    currency: 'USD',
    date: '2026-09-30',
    rate: '18.123457',
  });
  expect(rate.status, rate.text).toBe(201);
});

const actor = (tenantId: string) => ({ tenantId, objectId: 'system:test', name: 'Test' });
const JOURNAL = '/api/v1/accounting/journal-entries';

function entry(
  date: string,
  amount: string,
  currency = 'ZAR',
  accounts: [string, string] = ['6500', '1000'],
) {
  return {
    date,
    memo: `Entry of ${amount} ${currency}`,
    currency,
    lines: [
      { account: accounts[0], debit: amount, memo: 'the debit' },
      { account: accounts[1], credit: amount },
    ],
  };
}

/**
 * The (period, account) pairs whose stored totals (rollups + unfolded deltas) differ from the sum
 * of their journal lines, in one statement; and how many lines there are, so that an empty answer
 * says something.
 */
async function drift(trx: Tx) {
  const result = await sql<{ period_id: string; account_id: string }>`
    with lines as (
      select p.id as period_id, l.account_id, sum(l.base_debit) as debit, sum(l.base_credit) as credit
        from journal_lines l
        join periods p on p.tenant_id = l.tenant_id and l.entry_date between p.start_date and p.end_date
       group by p.id, l.account_id),
    totals as (
      select period_id, account_id, sum(base_debit) as debit, sum(base_credit) as credit
        from (select period_id, account_id, base_debit, base_credit from period_account_rollups
              union all
              select period_id, account_id, base_debit, base_credit from period_account_deltas) as stored
       group by period_id, account_id)
    select coalesce(lines.period_id, totals.period_id) as period_id,
           coalesce(lines.account_id, totals.account_id) as account_id
      from lines full join totals using (period_id, account_id)
     where lines.debit is distinct from totals.debit or lines.credit is distinct from totals.credit`.execute(
    trx,
  );
  const lines = await sql<{ n: string }>`select count(*) as n from journal_lines`.execute(trx);
  return { differing: result.rows, lines: Number(lines.rows[0]?.n) };
}

const deltaRows = async (trx: Tx) =>
  Number((await sql<{ n: string }>`select count(*) as n from period_account_deltas`.execute(trx)).rows[0]?.n);

/** Sums per account code over [from, to] straight from the journal lines. */
async function lineSums(trx: Tx, from: string, to: string) {
  const result = await sql<{ code: string; debit: string; credit: string }>`
    select a.code, sum(l.base_debit)::text as debit, sum(l.base_credit)::text as credit
      from journal_lines l join accounts a on a.tenant_id = l.tenant_id and a.id = l.account_id
     where l.entry_date between ${from} and ${to}
     group by a.code order by a.code`.execute(trx);
  return result.rows.map((r) => ({
    code: r.code,
    debit: new Decimal(r.debit).toFixed(4),
    credit: new Decimal(r.credit).toFixed(4),
  }));
}

async function reportedSums(trx: Tx, tenantId: string, from: string, to: string) {
  const rows = await accountTotals(trx, tenantId, { from, to });
  return rows.map((r) => ({
    code: r.code,
    debit: new Decimal(r.debit).toFixed(4),
    credit: new Decimal(r.credit).toFixed(4),
  }));
}

describe('posting', () => {
  it('answers with what reading the entry back gives, in any currency', async () => {
    for (const body of [entry('2026-10-05', '150.25'), entry('2026-10-06', '99.995', 'USD')]) {
      const posted = await clerk.post(JOURNAL, body, { 'idempotency-key': randomUUID() });
      expect(posted.status, posted.text).toBe(201);
      const read = await clerk.get(`${JOURNAL}/${posted.body.id}`);
      expect(read.status).toBe(200);
      expect(posted.body).toEqual(read.body);
    }
    const source = { type: 'test.document', id: randomUUID() };
    const request = {
      ...entry('2026-10-07', '10.00'),
      source,
      allowControlAccounts: true,
    };
    const first = await withTenant(devhost.db, demo.id, (trx) => postEntry(trx, actor(demo.id), request));
    const again = await withTenant(devhost.db, demo.id, (trx) => postEntry(trx, actor(demo.id), request));
    const read = await withTenant(devhost.db, demo.id, (trx) => getEntry(trx, first.id));
    expect(first).toEqual(read);
    expect(again).toEqual(read);
  });
});

describe('totals per period and account', () => {
  it('equal the journal lines after concurrent postings, after a fold and after more postings', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        clerk.post(
          JOURNAL,
          entry(i % 2 ? '2026-10-14' : '2026-11-03', `${i + 1}.37`, i % 5 ? 'ZAR' : 'USD', [
            i % 3 ? '6500' : '5100',
            '1000',
          ]),
          { 'idempotency-key': randomUUID() },
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(201));

    await withTenant(devhost.db, demo.id, async (trx) => {
      const before = await drift(trx);
      expect(before.lines).toBeGreaterThan(80);
      expect(before.differing).toEqual([]);
      expect(await deltaRows(trx)).toBeGreaterThan(0);
    });
    const folded = await withTenant(devhost.db, demo.id, (trx) => foldPeriodDeltas(trx, demo.id));
    expect(folded).toBeGreaterThan(0);
    await withTenant(devhost.db, demo.id, async (trx) => {
      expect(await deltaRows(trx)).toBe(0);
      expect((await drift(trx)).differing).toEqual([]);
    });

    await clerk.post(JOURNAL, entry('2026-10-20', '1234.5678', 'USD'), { 'idempotency-key': randomUUID() });
    await withTenant(devhost.db, demo.id, async (trx) => {
      expect(await deltaRows(trx)).toBeGreaterThan(0);
      expect((await drift(trx)).differing).toEqual([]);
      // Whole months from the totals, a range that cuts months partly from the lines: both as the lines.
      for (const [from, to] of [
        ['2026-10-01', '2026-11-30'],
        ['2026-10-10', '2026-11-30'],
        ['2026-03-01', '2027-02-28'],
      ] as const)
        expect(await reportedSums(trx, demo.id, from, to)).toEqual(await lineSums(trx, from, to));
    });
  });

  it('are folded by a report only when many deltas wait, and never in a read-only transaction', async () => {
    await clerk.post(JOURNAL, entry('2026-10-21', '5.00'), { 'idempotency-key': randomUUID() });
    await withTenant(devhost.db, demo.id, async (trx) => {
      expect(await foldPeriodDeltas(trx, demo.id, 1_000_000)).toBe(0);
      expect(await deltaRows(trx)).toBeGreaterThan(0);
      await sql`set transaction read only`.execute(trx);
      expect(await foldPeriodDeltas(trx, demo.id)).toBe(0);
      await trialBalance(trx, '2026-10-01', '2026-10-31');
      expect(await deltaRows(trx)).toBeGreaterThan(0);
    });
  });

  it.skipIf(!onServer)(
    'are read right while a fold is under way and after it commits, by readers old and new',
    async () => {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          clerk.post(JOURNAL, entry('2026-10-22', `${i + 2}.11`), { 'idempotency-key': randomUUID() }),
        ),
      );
      const range = ['2026-10-01', '2026-11-30'] as const;
      let folding!: () => void;
      const started = new Promise<void>((resolve) => (folding = resolve));
      let commit!: () => void;
      const gate = new Promise<void>((resolve) => (commit = resolve));
      const fold = withTenant(devhost.db, demo.id, async (trx) => {
        const n = await foldPeriodDeltas(trx, demo.id);
        folding();
        await gate;
        return n;
      });
      await started;

      // A reader whose snapshot predates the fold's commit.
      let snapshotTaken!: () => void;
      const taken = new Promise<void>((resolve) => (snapshotTaken = resolve));
      let readOld!: () => void;
      const afterCommit = new Promise<void>((resolve) => (readOld = resolve));
      const oldReader = withTenant(
        devhost.db,
        demo.id,
        async (trx) => {
          const expected = await lineSums(trx, ...range);
          snapshotTaken();
          await afterCommit;
          expect(await reportedSums(trx, demo.id, ...range)).toEqual(expected);
          expect((await drift(trx)).differing).toEqual([]);
        },
        'repeatable read',
      );
      await taken;

      // While the fold holds its lock: postings go on, a second fold stands aside, readers see deltas.
      const during = await clerk.post(JOURNAL, entry('2026-11-04', '77.77'), {
        'idempotency-key': randomUUID(),
      });
      expect(during.status, during.text).toBe(201);
      await withTenant(devhost.db, demo.id, async (trx) => {
        expect(await foldPeriodDeltas(trx, demo.id)).toBe(0);
        expect(await reportedSums(trx, demo.id, ...range)).toEqual(await lineSums(trx, ...range));
        expect((await drift(trx)).differing).toEqual([]);
      });

      commit();
      expect(await fold).toBeGreaterThan(0);
      readOld();
      await oldReader;
      await withTenant(devhost.db, demo.id, async (trx) => {
        // The posting made during the fold was not folded: it is still a delta, counted once.
        expect(await deltaRows(trx)).toBeGreaterThan(0);
        expect(await reportedSums(trx, demo.id, ...range)).toEqual(await lineSums(trx, ...range));
        expect((await drift(trx)).differing).toEqual([]);
      });
    },
  );

  it('stay right across closing, reopening and closing a period again', async () => {
    // A year before any other: its months up to this one are the tenant's earliest periods.
    const post = (amount: string) =>
      withTenant(devhost.db, acme.id, (trx) =>
        postEntry(trx, actor(acme.id), entry('2012-01-10', amount, acme.baseCurrency)),
      );
    await post('100.00');
    await post('200.50');
    const periods = await withTenant(devhost.db, acme.id, (trx) =>
      trx
        .selectFrom('periods')
        .selectAll()
        .where('start_date', '<=', '2012-01-10')
        .orderBy('start_date')
        .execute(),
    );
    const period = periods.at(-1)!;
    const month = [period.start_date, period.end_date] as const;
    const report = () => withTenant(devhost.db, acme.id, (trx) => trialBalance(trx, ...month));
    const open = await report();

    for (const earlier of periods.slice(0, -1))
      await withTenant(devhost.db, acme.id, (trx) =>
        closePeriod(trx, actor(acme.id), earlier.id, earlier.version),
      );
    const closed = await withTenant(devhost.db, acme.id, (trx) =>
      closePeriod(trx, actor(acme.id), period.id, period.version),
    );
    expect(await report()).toEqual(open);
    const reopened = await withTenant(devhost.db, acme.id, (trx) =>
      reopenPeriod(trx, actor(acme.id), closed.id, closed.version),
    );
    await post('0.25');
    await withTenant(devhost.db, acme.id, (trx) => foldPeriodDeltas(trx, acme.id));
    await post('3.00');
    const changed = await report();
    expect(changed).not.toEqual(open);
    await withTenant(devhost.db, acme.id, async (trx) => {
      expect(await reportedSums(trx, acme.id, ...month)).toEqual(await lineSums(trx, ...month));
    });
    await withTenant(devhost.db, acme.id, (trx) =>
      closePeriod(trx, actor(acme.id), reopened.id, reopened.version),
    );
    expect(await report()).toEqual(changed);
    await withTenant(devhost.db, acme.id, async (trx) => {
      const snapshot = await sql<{ debit: string }>`
        select sum(base_debit)::text as debit from period_account_totals where period_id = ${closed.id}`.execute(
        trx,
      );
      expect(new Decimal(snapshot.rows[0]!.debit).toFixed(2)).toBe('303.75');
      expect((await drift(trx)).differing).toEqual([]);
    });
  });

  it('are each tenant’s own', async () => {
    await withTenant(devhost.db, acme.id, (trx) =>
      postEntry(trx, actor(acme.id), entry('2026-10-05', '42.00', acme.baseCurrency)),
    );
    const acmeDeltas = await withTenant(devhost.db, acme.id, deltaRows);
    expect(acmeDeltas).toBeGreaterThan(0);
    await withTenant(devhost.db, demo.id, async (trx) => {
      for (const table of ['period_account_rollups', 'period_account_deltas']) {
        const seen = await sql<{ n: string }>`
          select count(*) as n from ${sql.table(table)} where tenant_id = ${acme.id}`.execute(trx);
        expect(seen.rows[0]?.n).toBe('0');
      }
      // Folding another tenant's deltas from this tenant's transaction finds none.
      expect(await foldPeriodDeltas(trx, acme.id)).toBe(0);
      const period = await trx.selectFrom('periods').select(['id']).executeTakeFirstOrThrow();
      const account = await trx.selectFrom('accounts').select(['id']).executeTakeFirstOrThrow();
      await expect(
        sql`insert into period_account_deltas (tenant_id, period_id, account_id, base_debit, base_credit)
            values (${acme.id}, ${period.id}, ${account.id}, 1, 0)`.execute(trx),
      ).rejects.toThrow(/row-level security/);
    });
    expect(await withTenant(devhost.db, acme.id, deltaRows)).toBe(acmeDeltas);
  });
});

describe('the fold timer', () => {
  it('folds every tenant’s deltas, each tenant’s into its own rollups', async () => {
    await clerk.post(JOURNAL, entry('2026-10-23', '8.00'), { 'idempotency-key': randomUUID() });
    await withTenant(devhost.db, acme.id, (trx) =>
      postEntry(trx, actor(acme.id), entry('2026-10-23', '9.00', acme.baseCurrency)),
    );
    await devhost.timers.fire('accounting-period-totals');
    for (const tenant of [demo, acme])
      await withTenant(devhost.db, tenant.id, async (trx) => {
        expect(await deltaRows(trx)).toBe(0);
        const { differing, lines } = await drift(trx);
        expect(lines).toBeGreaterThan(0);
        expect(differing).toEqual([]);
      });
  });
});
