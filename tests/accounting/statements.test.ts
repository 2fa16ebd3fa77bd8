import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEntry, SME_CHART } from '../../shared/modules/accounting/index.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { Decimal } from '../../shared/platform/money.js';
import { parseCsv } from '../support/csv.js';
import { startTestDevhost, type Api } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;
let clerk: Api;
let approver: Api;
beforeAll(async () => {
  clerk = await devhost.as('demo', 'fiona', ['Finance.Clerk']);
  approver = await devhost.as('demo', 'petra', ['Finance.Approver']);
});

const REPORTS = '/api/v1/accounting/reports';
type Dec = InstanceType<typeof Decimal>;
const dec = (value: string | null | undefined) => new Decimal(value ?? 0);

async function post(body: Record<string, unknown>) {
  const response = await clerk.post('/api/v1/accounting/journal-entries', body);
  expect(response.status, response.text).toBe(201);
  return response.body;
}

// A handful of known entries in FY2021 (March 2020 to February 2021; the demo year starts in March).
beforeAll(async () => {
  const entry = (date: string, memo: string, lines: unknown[], currency = 'ZAR') =>
    post({ date, memo, currency, lines });
  await entry('2020-03-02', 'Share capital paid in', [
    { account: '1000', debit: '100000.00' },
    { account: '3000', credit: '100000.00' },
  ]);
  await entry('2020-03-15', 'Contract revenue, "phase 1", invoiced', [
    { account: '1000', debit: '25000.50' },
    { account: '4000', credit: '25000.50' },
  ]);
  await entry('2020-04-05', 'Rent for April', [
    { account: '6100', debit: '8000.25' },
    { account: '1000', credit: '8000.25' },
  ]);
  await entry('2020-04-20', '=Materials accrued', [
    { account: '5100', debit: '3000.125' },
    { account: '2050', credit: '3000.125' },
  ]);
  expect(
    (
      await clerk.post('/api/v1/accounting/exchange-rates', {
        currency: 'USD',
        date: '2020-04-30',
        rate: '18.5',
      })
    ).status,
  ).toBe(201);
  await entry(
    '2020-05-01',
    'Flights',
    [
      { account: '6700', debit: '100' },
      { account: '1000', credit: '100' },
    ],
    'USD',
  );
});

describe('the general ledger', () => {
  it('pages the lines of an account with a running balance that continues across pages', async () => {
    const balances: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `account=1000&from=2020-03-01&to=2020-05-31&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await clerk.get(`${REPORTS}/general-ledger?${query}`);
      expect(page.status, page.text).toBe(200);
      expect(page.body.openingBalance).toBe('0.00');
      expect(page.body.closingBalance).toBe('115150.25');
      expect(page.body.totals).toEqual({ debit: '125000.50', credit: '9850.25' });
      if (pages === 1) expect(page.body.pageOpeningBalance).toBe('125000.50');
      balances.push(...page.body.items.map((l: { balance: string }) => l.balance));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(balances).toEqual(['100000.00', '125000.50', '117000.25', '115150.25']);
  });

  it('opens with the balance before the range', async () => {
    const page = await clerk.get(`${REPORTS}/general-ledger?account=1000&from=2020-04-01&to=2020-05-31`);
    expect(page.body.openingBalance).toBe('125000.50');
    expect(
      page.body.items.map((l: { debit: string | null; credit: string | null }) => [l.debit, l.credit]),
    ).toEqual([
      [null, '8000.25'],
      [null, '1850.00'],
    ]);
    expect(page.body.closingBalance).toBe('115150.25');
  });

  it('refuses an unknown account and a backwards range', async () => {
    const unknown = await clerk.get(`${REPORTS}/general-ledger?account=9999&from=2020-03-01&to=2020-05-31`);
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].path).toBe('query.account');
    expect(
      (await clerk.get(`${REPORTS}/general-ledger?account=1000&from=2020-05-01&to=2020-03-01`)).status,
    ).toBe(400);
  });

  it('exports every line as CSV with the same figures', async () => {
    const json = await clerk.get(`${REPORTS}/general-ledger?account=1000&from=2020-03-01&to=2020-05-31`);
    const csv = await clerk.get(
      `${REPORTS}/general-ledger?account=1000&from=2020-03-01&to=2020-05-31&format=csv`,
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(
      'attachment; filename="general-ledger-1000-2020-03-01-2020-05-31.csv"',
    );
    const rows = parseCsv(csv.text);
    expect(rows[0]).toEqual(['date', 'entry', 'line', 'memo', 'debit', 'credit', 'balance']);
    expect(rows[1]).toEqual(['2020-03-01', '', '', 'Opening balance', '', '', '0.00']);
    expect(rows.slice(2, -1)).toEqual(
      json.body.items.map((l: Record<string, string | number | null>) => [
        l.date,
        l.entryNumber,
        String(l.lineNo),
        l.memo,
        l.debit ?? '',
        l.credit ?? '',
        l.balance,
      ]),
    );
    expect(rows.at(-1)).toEqual([
      '2020-05-31',
      '',
      '',
      'Closing balance',
      '125000.50',
      '9850.25',
      '115150.25',
    ]);
    // A memo that reads like a spreadsheet formula stays text.
    const accrued = await clerk.get(
      `${REPORTS}/general-ledger?account=2050&from=2020-03-01&to=2020-05-31&format=csv`,
    );
    expect(parseCsv(accrued.text)[2]?.[3]).toBe("'=Materials accrued");
  });
});

describe('profit and loss', () => {
  it('shows revenue, expenses and the net result beside the prior period of the same length', async () => {
    const response = await clerk.get(`${REPORTS}/profit-and-loss?from=2020-04-01&to=2020-04-30`);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({
      from: '2020-04-01',
      to: '2020-04-30',
      comparison: { from: '2020-03-01', to: '2020-03-31' },
      currency: 'ZAR',
      netResult: '-11000.375',
      comparativeNetResult: '25000.50',
    });
    const [revenue, expense] = response.body.sections;
    expect(revenue).toMatchObject({ type: 'revenue', total: '0.00', comparativeTotal: '25000.50' });
    expect(revenue.lines).toEqual([
      { account: '4000', name: 'Sales', amount: '0.00', comparativeAmount: '25000.50' },
    ]);
    expect(expense).toMatchObject({ type: 'expense', total: '11000.375', comparativeTotal: '0.00' });
    expect(expense.lines.map((l: { account: string; amount: string }) => [l.account, l.amount])).toEqual([
      ['5100', '3000.125'],
      ['6100', '8000.25'],
    ]);
  });

  it('compares a range of days with as many days before it, or with the period asked for', async () => {
    const days = await clerk.get(`${REPORTS}/profit-and-loss?from=2020-04-10&to=2020-05-09`);
    expect(days.body.comparison).toEqual({ from: '2020-03-11', to: '2020-04-09' });
    expect(days.body.netResult).toBe('-4850.125');
    expect(days.body.comparativeNetResult).toBe('17000.25');
    const chosen = await clerk.get(
      `${REPORTS}/profit-and-loss?from=2020-03-01&to=2020-05-31&compareFrom=2019-03-01&compareTo=2019-05-31`,
    );
    expect(chosen.body.comparison).toEqual({ from: '2019-03-01', to: '2019-05-31' });
    expect(chosen.body.netResult).toBe('12150.125');
    expect(chosen.body.comparativeNetResult).toBe('0.00');
    expect(
      (await clerk.get(`${REPORTS}/profit-and-loss?from=2020-03-01&to=2020-05-31&compareFrom=2019-03-01`))
        .status,
    ).toBe(400);
  });
});

describe('the balance sheet', () => {
  it('balances assets against liabilities, equity and the current result', async () => {
    const response = await clerk.get(`${REPORTS}/balance-sheet?date=2020-05-31`);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({
      date: '2020-05-31',
      comparisonDate: '2019-05-31',
      currentResult: '12150.125',
      comparativeCurrentResult: '0.00',
      totals: {
        assets: '115150.25',
        comparativeAssets: '0.00',
        liabilitiesAndEquity: '115150.25',
        comparativeLiabilitiesAndEquity: '0.00',
      },
    });
    const [assets, liabilities, equity] = response.body.sections;
    expect(assets.lines).toEqual([
      { account: '1000', name: 'Bank: current account', amount: '115150.25', comparativeAmount: '0.00' },
    ]);
    expect(liabilities.total).toBe('3000.125');
    expect(equity.total).toBe('100000.00');
    const earlier = await clerk.get(`${REPORTS}/balance-sheet?date=2020-04-30&compareTo=2020-03-31`);
    expect(earlier.body.totals).toEqual({
      assets: '117000.25',
      comparativeAssets: '125000.50',
      liabilitiesAndEquity: '117000.25',
      comparativeLiabilitiesAndEquity: '125000.50',
    });
  });
});

describe('CSV exports', () => {
  const reports = [
    ['trial-balance', 'from=2020-03-01&to=2020-05-31'],
    ['profit-and-loss', 'from=2020-04-01&to=2020-04-30'],
    ['balance-sheet', 'date=2020-05-31'],
  ] as const;

  it.each(reports)('%s: the same figures to the cent as the JSON', async (report, query) => {
    const json = await clerk.get(`${REPORTS}/${report}?${query}`);
    const csv = await clerk.get(`${REPORTS}/${report}?${query}&format=csv`);
    expect(csv.status, csv.text).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="${report}-[0-9-]+\\.csv"$`),
    );
    const rows = parseCsv(csv.text);
    const body = json.body;
    if (report === 'trial-balance') {
      expect(rows[0]).toEqual(['account', 'name', 'type', 'debit', 'credit', 'balance']);
      expect(rows.slice(1, -1)).toEqual(
        body.rows.map((r: Record<string, string>) => [
          r.account,
          r.name,
          r.type,
          r.debit,
          r.credit,
          r.balance,
        ]),
      );
      expect(rows.at(-1)).toEqual(['', 'Total', '', body.totals.debit, body.totals.credit, '']);
      return;
    }
    expect(rows[0]).toEqual(['section', 'account', 'name', 'amount', 'comparative_amount']);
    const expected: string[][] = [];
    for (const section of body.sections) {
      for (const l of section.lines)
        expected.push([section.type, l.account, l.name, l.amount, l.comparativeAmount]);
      expected.push([
        section.type,
        '',
        `Total ${section.title.toLowerCase()}`,
        section.total,
        section.comparativeTotal,
      ]);
    }
    if (report === 'profit-and-loss')
      expected.push(['result', '', 'Net result', body.netResult, body.comparativeNetResult]);
    else
      expected.push(
        ['result', '', 'Current result', body.currentResult, body.comparativeCurrentResult],
        ['total', '', 'Total assets', body.totals.assets, body.totals.comparativeAssets],
        [
          'total',
          '',
          'Total liabilities, equity and current result',
          body.totals.liabilitiesAndEquity,
          body.totals.comparativeLiabilitiesAndEquity,
        ],
      );
    expect(rows.slice(1)).toEqual(expected);
  });
});

describe('closed periods', () => {
  it('give the same figures from their stored totals as from the journal lines', async () => {
    const queries = [
      `${REPORTS}/trial-balance?from=2020-03-01&to=2020-05-31`,
      `${REPORTS}/trial-balance?from=2020-03-15&to=2020-06-30`,
      `${REPORTS}/balance-sheet?date=2020-05-31&compareTo=2020-04-15`,
      `${REPORTS}/profit-and-loss?from=2020-03-01&to=2020-05-31`,
      `${REPORTS}/general-ledger?account=1000&from=2020-04-01&to=2020-06-30`,
    ];
    const before = await Promise.all(queries.map((q) => clerk.get(q)));
    const periods = await approver.get('/api/v1/accounting/periods?year=2021');
    for (const period of periods.body.items.slice(0, 3)) {
      const closed = await approver.request('POST', `/api/v1/accounting/periods/${period.id}/close`, {
        headers: { 'if-match': `"${period.version}"` },
      });
      expect(closed.status, closed.text).toBe(200);
    }
    const snapshots = await withTenant(devhost.db, demo.id, (trx) =>
      trx.selectFrom('period_snapshots').select('period_id').execute(),
    );
    expect(snapshots).toHaveLength(3);
    const after = await Promise.all(queries.map((q) => clerk.get(q)));
    expect(after.map((r) => r.body)).toEqual(before.map((r) => r.body));
  });
});

// ---- Properties over random valid postings ----------------------------------------------------

const CODES = SME_CHART.map((a) => a.code);
const RATES = { USD: '14.7523', EUR: '16.123456' } as const;
const FIRST_DAY = Date.UTC(2022, 2, 1); // FY2023 and FY2024: 1 March 2022 to 29 February 2024
const DAYS = 730;

const amountArb = fc
  .integer({ min: 1, max: 50_000_000 })
  .map((n) => new Decimal(n).dividedBy(10_000).toFixed());
const entryArb = fc.record({
  day: fc.integer({ min: 0, max: DAYS - 1 }),
  currency: fc.constantFrom('ZAR', 'ZAR', 'USD', 'EUR'),
  debits: fc.array(fc.record({ account: fc.constantFrom(...CODES), amount: amountArb }), {
    minLength: 1,
    maxLength: 4,
  }),
  credits: fc.array(fc.constantFrom(...CODES), { minLength: 1, maxLength: 3 }),
  split: fc.integer({ min: 1, max: 99 }),
});
type RandomEntry = typeof entryArb extends fc.Arbitrary<infer T> ? T : never;

/** A balanced posting: the credit side splits the debits' total over one to three accounts. */
function toPosting(e: RandomEntry) {
  const total = e.debits.reduce((sum, d) => sum.plus(d.amount), new Decimal(0));
  const credits: { account: string; credit: string }[] = [];
  let left = total;
  e.credits.forEach((account, i) => {
    const last = i === e.credits.length - 1;
    const share = last ? left : left.times(e.split).dividedBy(100).toDecimalPlaces(4, Decimal.ROUND_DOWN);
    if (share.isZero()) return;
    credits.push({ account, credit: share.toFixed() });
    left = left.minus(share);
  });
  return {
    date: new Date(FIRST_DAY + e.day * 86_400_000).toISOString().slice(0, 10),
    memo: 'Property test',
    currency: e.currency,
    lines: [...e.debits.map((d) => ({ account: d.account, debit: d.amount })), ...credits],
    source: { type: 'test.property', id: randomUUID() },
    allowControlAccounts: true,
  };
}

describe('properties of random valid postings', () => {
  beforeAll(async () => {
    for (const [currency, rate] of Object.entries(RATES)) {
      const response = await clerk.post('/api/v1/accounting/exchange-rates', {
        currency,
        date: '2022-02-28',
        rate,
      });
      expect(response.status, response.text).toBe(201);
    }
  });

  it('every entry balances, the trial balance totals agree, and the balance sheet balances at any date', async () => {
    const actor = { tenantId: demo.id, objectId: 'system:test', name: 'Property test' };
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { minLength: 1, maxLength: 5 }),
        // As-of dates from FY2021 (whose first months are closed by now) to after FY2024.
        fc.integer({ min: -750, max: DAYS + 30 }),
        async (entries, asOf) => {
          for (const e of entries) {
            const posted = await withTenant(devhost.db, demo.id, (trx) =>
              postEntry(trx, actor, toPosting(e)),
            );
            const sum = (side: 'debit' | 'credit' | 'baseDebit' | 'baseCredit') =>
              posted.lines.reduce((s, l) => s.plus(l[side]?.amount ?? 0), new Decimal(0));
            expect(sum('debit').equals(sum('credit'))).toBe(true);
            expect(sum('baseDebit').equals(sum('baseCredit'))).toBe(true);
          }
          const tb = await clerk.get(`${REPORTS}/trial-balance?from=2022-03-01&to=2024-02-29`);
          expect(tb.body.totals.debit).toBe(tb.body.totals.credit);
          const rowsDebit = tb.body.rows.reduce(
            (s: Dec, r: { debit: string }) => s.plus(r.debit),
            new Decimal(0),
          );
          expect(rowsDebit.equals(dec(tb.body.totals.debit))).toBe(true);

          const date = new Date(FIRST_DAY + (asOf - 15) * 86_400_000).toISOString().slice(0, 10);
          const bs = await clerk.get(`${REPORTS}/balance-sheet?date=${date}&compareTo=2022-08-31`);
          expect(bs.status, bs.text).toBe(200);
          expect(bs.body.totals.assets).toBe(bs.body.totals.liabilitiesAndEquity);
          expect(bs.body.totals.comparativeAssets).toBe(bs.body.totals.comparativeLiabilitiesAndEquity);
          const sectionSum = (i: number) =>
            bs.body.sections[i].lines.reduce(
              (s: Dec, l: { amount: string }) => s.plus(l.amount),
              new Decimal(0),
            );
          expect(sectionSum(0).equals(dec(bs.body.totals.assets))).toBe(true);

          // The same figures as plain sums over every journal line, closed periods' totals or not.
          const plain = await withTenant(
            devhost.db,
            demo.id,
            async (trx) =>
              (
                await sql<{ type: string; balance: string }>`
                select a.type, coalesce(sum(l.base_debit - l.base_credit), 0)::text as balance
                from journal_lines l join accounts a on a.tenant_id = l.tenant_id and a.id = l.account_id
                where l.entry_date <= ${date} group by a.type`.execute(trx)
              ).rows,
          );
          const plainOf = (...types: string[]) =>
            plain.filter((r) => types.includes(r.type)).reduce((s, r) => s.plus(r.balance), new Decimal(0));
          expect(plainOf('asset').equals(dec(bs.body.totals.assets))).toBe(true);
          expect(plainOf('revenue', 'expense').negated().equals(dec(bs.body.currentResult))).toBe(true);
          expect(
            sectionSum(1)
              .plus(sectionSum(2))
              .plus(bs.body.currentResult)
              .equals(dec(bs.body.totals.liabilitiesAndEquity)),
          ).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });
});
