import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEntry } from '../../shared/modules/accounting/index.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { todayIn } from '../../shared/platform/clock.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { startTestDevhost, type Api } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;
let clerk: Api;
beforeAll(async () => {
  clerk = await devhost.as('demo', 'fiona', ['Finance.Clerk']);
});

const entry = (lines: unknown[], extra: Record<string, unknown> = {}) => ({
  date: '2026-11-02',
  memo: 'Test entry',
  currency: 'ZAR',
  lines,
  ...extra,
});
const countEntries = async () =>
  withTenant(devhost.db, demo.id, async (trx) =>
    Number((await sql<{ n: string }>`select count(*) as n from journal_entries`.execute(trx)).rows[0]?.n),
  );

describe('posting journal entries', () => {
  it('posts a balanced entry with its number and base amounts', async () => {
    const response = await clerk.post(
      '/api/v1/accounting/journal-entries',
      entry([
        { account: '6500', debit: '150.00' },
        { account: '1000', credit: '150.00' },
      ]),
    );
    expect(response.status, response.text).toBe(201);
    expect(response.body.number).toMatch(/^JE-2026-\d{6}$/);
    expect(response.body.lines).toEqual([
      expect.objectContaining({
        lineNo: 1,
        account: '6500',
        debit: { amount: '150.00', currency: 'ZAR' },
        credit: null,
        baseDebit: { amount: '150.00', currency: 'ZAR' },
      }),
      expect.objectContaining({
        lineNo: 2,
        account: '1000',
        debit: null,
        credit: { amount: '150.00', currency: 'ZAR' },
        baseCredit: { amount: '150.00', currency: 'ZAR' },
      }),
    ]);
    expect(response.headers.get('location')).toBe(`/api/v1/accounting/journal-entries/${response.body.id}`);
    expect((await clerk.get(response.headers.get('location') as string)).body.id).toBe(response.body.id);
  });

  const invalid: [string, unknown, number, string][] = [
    [
      'an unbalanced entry',
      entry([
        { account: '6500', debit: '150.00' },
        { account: '1000', credit: '149.99' },
      ]),
      422,
      'lines',
    ],
    [
      'an unknown account',
      entry([
        { account: '9999', debit: '1' },
        { account: '1000', credit: '1' },
      ]),
      422,
      'lines.0.account',
    ],
    [
      'a control account',
      entry([
        { account: '1100', debit: '1' },
        { account: '1000', credit: '1' },
      ]),
      422,
      'lines.0.account',
    ],
    [
      'a line with both sides',
      entry([
        { account: '6500', debit: '1', credit: '1' },
        { account: '1000', credit: '1' },
      ]),
      400,
      'lines.0.debit',
    ],
    [
      'a line with neither side',
      entry([{ account: '6500' }, { account: '1000', credit: '1' }]),
      400,
      'lines.0.debit',
    ],
    [
      'more than 4 decimal places',
      entry([
        { account: '6500', debit: '1.00001' },
        { account: '1000', credit: '1.00001' },
      ]),
      400,
      'lines.0.debit',
    ],
    [
      'a negative amount',
      entry([
        { account: '6500', debit: '-5' },
        { account: '1000', debit: '5' },
      ]),
      400,
      'lines.0.debit',
    ],
    [
      'a zero amount',
      entry([
        { account: '6500', debit: '0' },
        { account: '1000', credit: '0' },
      ]),
      400,
      'lines.0.debit',
    ],
    ['a single line', entry([{ account: '6500', debit: '1' }]), 400, 'lines'],
    [
      'an impossible date',
      entry(
        [
          { account: '6500', debit: '1' },
          { account: '1000', credit: '1' },
        ],
        { date: '2026-02-30' },
      ),
      400,
      'date',
    ],
    [
      'an unknown currency',
      entry(
        [
          { account: '6500', debit: '1' },
          { account: '1000', credit: '1' },
        ],
        { currency: 'XXY' },
      ),
      400,
      'currency',
    ],
    [
      'a currency without a rate',
      entry(
        [
          { account: '6500', debit: '1' },
          { account: '1000', credit: '1' },
        ],
        { currency: 'JPY' },
      ),
      422,
      'currency',
    ],
  ];
  it.each(invalid)('refuses %s, naming the problem, writing nothing', async (_, body, status, path) => {
    const before = await countEntries();
    const response = await clerk.post('/api/v1/accounting/journal-entries', body);
    expect(response.status, response.text).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await countEntries()).toBe(before);
  });

  it('refuses an inactive account', async () => {
    const accounts = await (
      await devhost.as('demo', 'adam', ['Admin'])
    ).get('/api/v1/accounting/accounts?limit=200');
    const travel = accounts.body.items.find((a: { code: string }) => a.code === '6700');
    const admin = await devhost.as('demo', 'adam', ['Admin']);
    expect(
      (
        await admin.patch(
          `/api/v1/accounting/accounts/${travel.id}`,
          { active: false },
          { 'if-match': `"${travel.version}"` },
        )
      ).status,
    ).toBe(200);
    const response = await clerk.post(
      '/api/v1/accounting/journal-entries',
      entry([
        { account: '6700', debit: '1' },
        { account: '1000', credit: '1' },
      ]),
    );
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('accounting.inactive_account');
  });

  it('converts foreign-currency entries at the rate of the date, balancing in the base currency', async () => {
    expect(
      (
        await clerk.post('/api/v1/accounting/exchange-rates', {
          currency: 'USD',
          date: '2026-10-30',
          rate: '18.123457',
        })
      ).status,
    ).toBe(201);
    const response = await clerk.post(
      '/api/v1/accounting/journal-entries',
      // Three debits whose base amounts each round up: the difference must still come out even.
      entry(
        [
          { account: '6350', debit: '0.01' },
          { account: '6450', debit: '0.01' },
          { account: '6400', debit: '0.01' },
          { account: '1000', credit: '0.03' },
        ],
        { currency: 'USD' },
      ),
    );
    expect(response.status, response.text).toBe(201);
    expect(response.body.exchangeRate).toBe('18.123457');
    const base = (side: 'baseDebit' | 'baseCredit') =>
      response.body.lines.reduce(
        (sum: number, l: Record<string, { amount: string } | null>) =>
          sum + Math.round(Number(l[side]?.amount ?? 0) * 10_000),
        0,
      );
    expect(base('baseDebit')).toBe(base('baseCredit'));
  });
});

describe('the database guards the ledger', () => {
  it('refuses an unbalanced entry written directly', async () => {
    await expect(
      withTenant(devhost.db, demo.id, async (trx) => {
        const period = await trx
          .selectFrom('periods')
          .select('id')
          .where('start_date', '<=', '2026-11-02')
          .where('end_date', '>=', '2026-11-02')
          .executeTakeFirstOrThrow();
        const accounts = await trx
          .selectFrom('accounts')
          .select(['id', 'code'])
          .where('code', 'in', ['6500', '1000'])
          .execute();
        const id = randomUUID();
        await trx
          .insertInto('journal_entries')
          .values({
            tenant_id: demo.id,
            id,
            number: `X-${id}`,
            entry_date: '2026-11-02',
            period_id: period.id,
            memo: 'x',
            currency: 'ZAR',
            exchange_rate: '1',
            source_type: null,
            source_id: null,
            reverses_entry_id: null,
            posted_by: 'x',
            request_id: null,
          })
          .execute();
        await trx
          .insertInto('journal_lines')
          .values(
            accounts.map((a, i) => ({
              tenant_id: demo.id,
              entry_id: id,
              line_no: i + 1,
              account_id: a.id,
              entry_date: '2026-11-02',
              debit: i === 0 ? '10' : '0',
              credit: i === 0 ? '0' : '9',
              base_debit: i === 0 ? '10' : '0',
              base_credit: i === 0 ? '0' : '9',
              memo: null,
            })),
          )
          .execute();
      }),
    ).rejects.toThrow(/does not balance/);
  });

  it('refuses to change or delete posted rows, even for the owner', async () => {
    await expect(
      withTenant(devhost.db, demo.id, (trx) =>
        trx.updateTable('journal_lines').set({ memo: 'changed' }).execute(),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      withTenant(devhost.db, demo.id, (trx) => trx.deleteFrom('journal_entries').execute()),
    ).rejects.toThrow(/permission denied/);
    await expect(sql`update journal_entries set memo = 'changed'`.execute(devhost.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from journal_lines`.execute(devhost.db)).rejects.toThrow(/append-only/);
  });
});

describe('reversals and periods', () => {
  it('reverses an entry once, with its mirror image', async () => {
    const original = await clerk.post(
      '/api/v1/accounting/journal-entries',
      entry([
        { account: '6200', debit: '99.95' },
        { account: '1000', credit: '99.95' },
      ]),
    );
    const reversal = await clerk.post(`/api/v1/accounting/journal-entries/${original.body.id}/reverse`, {});
    expect(reversal.status, reversal.text).toBe(201);
    expect(reversal.body).toMatchObject({ reversesEntryId: original.body.id, date: '2026-11-02' });
    expect(
      reversal.body.lines.map((l: { account: string; credit: unknown; debit: unknown }) => [
        l.account,
        l.debit,
        l.credit,
      ]),
    ).toEqual([
      ['6200', null, { amount: '99.95', currency: 'ZAR' }],
      ['1000', { amount: '99.95', currency: 'ZAR' }, null],
    ]);
    expect(
      (await clerk.get(`/api/v1/accounting/journal-entries/${original.body.id}`)).body.reversedByEntryId,
    ).toBe(reversal.body.id);
    expect(
      (await clerk.post(`/api/v1/accounting/journal-entries/${original.body.id}/reverse`, {})).status,
    ).toBe(409);
    expect(
      (await clerk.post(`/api/v1/accounting/journal-entries/${reversal.body.id}/reverse`, {})).status,
    ).toBe(422);
  });

  it('refuses postings into a closed period, and reverses into the current one', async () => {
    const original = await clerk.post(
      '/api/v1/accounting/journal-entries',
      entry(
        [
          { account: '6150', debit: '500' },
          { account: '1000', credit: '500' },
        ],
        { date: '2026-03-15' },
      ),
    );
    expect(original.status).toBe(201);
    const approver = await devhost.as('demo', 'petra', ['Finance.Approver']);
    const periods = await approver.get('/api/v1/accounting/periods?year=2027');
    const march = periods.body.items.find((p: { startDate: string }) => p.startDate === '2026-03-01');
    expect(march).toMatchObject({ fiscalYear: 'FY2027', number: 1, status: 'open' });
    const closed = await approver.request('POST', `/api/v1/accounting/periods/${march.id}/close`, {
      headers: { 'if-match': `"${march.version}"` },
    });
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body.status).toBe('closed');

    const late = await clerk.post(
      '/api/v1/accounting/journal-entries',
      entry(
        [
          { account: '6150', debit: '1' },
          { account: '1000', credit: '1' },
        ],
        { date: '2026-03-31' },
      ),
    );
    expect(late.status).toBe(422);
    expect(late.body.errors[0].path).toBe('date');

    const reversal = await clerk.post(`/api/v1/accounting/journal-entries/${original.body.id}/reverse`, {});
    expect(reversal.status).toBe(201);
    expect(reversal.body.date).toBe(todayIn('Africa/Johannesburg'));
  });
});

describe('a period closed while an entry is being posted', () => {
  it('refuses the entry at COMMIT as a closed period (422 naming the date), and nothing is written', async () => {
    const actor = { tenantId: demo.id, objectId: 'system:test', name: 'Test' };
    const before = await countEntries();
    // One transaction stands for both: the entry is written, then its period is closed before the
    // entry's transaction commits, as another transaction's close would be.
    const posting = withTenant(devhost.db, demo.id, async (trx) => {
      const posted = await postEntry(trx, actor, {
        date: '2026-04-20',
        memo: 'Racing the close',
        currency: 'ZAR',
        lines: [
          { account: '6150', debit: '10' },
          { account: '1000', credit: '10' },
        ],
      });
      await sql`update periods set status = 'closed' where start_date = '2026-04-01'`.execute(trx);
      return posted;
    });
    await expect(posting).rejects.toMatchObject({
      kind: 'business_rule',
      code: 'accounting.period_closed',
      message: 'The period of 2026-04-20 is closed for posting.',
      errors: [{ path: 'date', message: 'Period closed' }],
    });
    expect(await countEntries()).toBe(before);
  });
});

describe('posting from other modules', () => {
  it('posts once per source document, however often it is retried', async () => {
    const source = { type: 'test.invoice', id: randomUUID() };
    const actor = { tenantId: demo.id, objectId: 'system:test', name: 'Test' };
    const request = {
      date: '2026-11-03',
      memo: 'Invoice',
      currency: 'ZAR',
      lines: [
        { account: '1100', debit: '115' },
        { account: '4000', credit: '100' },
        { account: '2100', credit: '15' },
      ],
      source,
      allowControlAccounts: true,
    };
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        withTenant(devhost.db, demo.id, (trx) => postEntry(trx, actor, request)),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const count = await withTenant(devhost.db, demo.id, (trx) =>
      trx.selectFrom('journal_entries').select('id').where('source_id', '=', source.id).execute(),
    );
    expect(count).toHaveLength(1);
  });
});

describe('concurrency', () => {
  it('takes 50 concurrent postings to the same accounts, every one counted once', async () => {
    const before = await clerk.get('/api/v1/accounting/reports/trial-balance?from=2026-12-01&to=2026-12-31');
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        clerk.post(
          '/api/v1/accounting/journal-entries',
          entry(
            [
              { account: '5100', debit: `${i + 1}.25` },
              { account: '1000', credit: `${i + 1}.25` },
            ],
            { date: '2026-12-10' },
          ),
          { 'idempotency-key': randomUUID() },
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(responses.map((r) => r.body.number)).size).toBe(50);
    const after = await clerk.get('/api/v1/accounting/reports/trial-balance?from=2026-12-01&to=2026-12-31');
    const row = (tb: typeof after, code: string) =>
      Number(tb.body.rows.find((r: { account: string }) => r.account === code)?.debit ?? 0);
    const expected = Array.from({ length: 50 }, (_, i) => i + 1.25).reduce((a, b) => a + b, 0);
    expect(row(after, '5100') - row(before, '5100')).toBeCloseTo(expected, 2);
    expect(after.body.totals.debit).toBe(after.body.totals.credit);
  });
});

describe('the trial balance', () => {
  it('lists debits, credits and balance per account in the base currency, with equal totals', async () => {
    const response = await clerk.get(
      '/api/v1/accounting/reports/trial-balance?from=2026-03-01&to=2027-02-28',
    );
    expect(response.status).toBe(200);
    expect(response.body.currency).toBe('ZAR');
    expect(response.body.totals.debit).toBe(response.body.totals.credit);
    expect(response.body.rows[0]).toEqual(
      expect.objectContaining({
        account: expect.any(String),
        name: expect.any(String),
        type: expect.any(String),
        debit: expect.any(String),
        credit: expect.any(String),
        balance: expect.any(String),
      }),
    );
    expect(
      (await clerk.get('/api/v1/accounting/reports/trial-balance?from=2026-03-01&to=2026-01-01')).status,
    ).toBe(400);
  });
});

describe('the chart of accounts', () => {
  it('lists the seeded chart, adds, renames and deletes only accounts that were never used', async () => {
    const list = await clerk.get('/api/v1/accounting/accounts?limit=200');
    expect(list.status).toBe(200);
    const codes = list.body.items.map((a: { code: string }) => a.code);
    expect(codes).toEqual(
      expect.arrayContaining(['1000', '1100', '1300', '2000', '2100', '3100', '4000', '4700', '6850']),
    );
    expect(list.body.items.find((a: { code: string }) => a.code === '1100')).toMatchObject({
      type: 'asset',
      role: 'receivable',
      manualPosting: false,
    });

    const added = await clerk.post('/api/v1/accounting/accounts', {
      code: '6770',
      name: 'Scaffolding hire',
      type: 'expense',
    });
    expect(added.status).toBe(201);
    expect(
      (await clerk.post('/api/v1/accounting/accounts', { code: '6770', name: 'Again', type: 'expense' }))
        .status,
    ).toBe(409);
    const renamed = await clerk.patch(
      `/api/v1/accounting/accounts/${added.body.id}`,
      { name: 'Scaffolding and formwork hire' },
      { 'if-match': `"${added.body.version}"` },
    );
    expect(renamed.body).toMatchObject({
      name: 'Scaffolding and formwork hire',
      version: added.body.version + 1,
    });
    const deleted = await clerk.request('DELETE', `/api/v1/accounting/accounts/${added.body.id}`, {
      headers: { 'if-match': `"${renamed.body.version}"` },
    });
    expect(deleted.status).toBe(204);
    expect((await clerk.get(`/api/v1/accounting/accounts/${added.body.id}`)).status).toBe(404);

    const materials = list.body.items.find((a: { code: string }) => a.code === '5100');
    const used = await clerk.request('DELETE', `/api/v1/accounting/accounts/${materials.id}`, {
      headers: { 'if-match': `"${materials.version}"` },
    });
    expect(used.status).toBe(409);
    const receivable = list.body.items.find((a: { code: string }) => a.code === '1100');
    const control = await clerk.request('DELETE', `/api/v1/accounting/accounts/${receivable.id}`, {
      headers: { 'if-match': `"${receivable.version}"` },
    });
    expect(control.status).toBe(422);
  });
});
