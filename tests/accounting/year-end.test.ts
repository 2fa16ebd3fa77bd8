import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postClosingEntry, computeYearResult } from '../../shared/modules/accounting/index.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { requestFlow } from '../../shared/platform/flows.js';
import { YEAR_END_CLOSE } from '../../orchestrations/year-end-close/names.js';
import { startTestDevhost, type Api } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;
let clerk: Api;
let approver: Api;
const REPORTS = '/api/v1/accounting/reports';

interface Period {
  id: string;
  startDate: string;
  status: string;
  version: number;
}

async function yearNamed(name: string) {
  const years = await approver.get('/api/v1/accounting/fiscal-years');
  expect(years.status, years.text).toBe(200);
  return years.body.items.find((y: { name: string }) => y.name === name);
}

async function closePeriods(year: string, count: number) {
  const periods = await approver.get(`/api/v1/accounting/periods?year=${year}`);
  for (const period of (periods.body.items as Period[]).filter((p) => p.status === 'open').slice(0, count)) {
    const closed = await approver.request('POST', `/api/v1/accounting/periods/${period.id}/close`, {
      headers: { 'if-match': `"${period.version}"` },
    });
    expect(closed.status, closed.text).toBe(200);
  }
}

beforeAll(async () => {
  clerk = await devhost.as('demo', 'fiona', ['Finance.Clerk']);
  approver = await devhost.as('demo', 'petra', ['Finance.Approver']);
  const post = async (date: string, lines: unknown[], currency = 'ZAR') => {
    const response = await clerk.post('/api/v1/accounting/journal-entries', {
      date,
      memo: 'Year-end test',
      currency,
      lines,
    });
    expect(response.status, response.text).toBe(201);
  };
  // FY2021 (March 2020 to February 2021): revenue 50 000.10, expenses 12 345.6789 + 2 * 14.75 (USD).
  await post('2020-03-02', [
    { account: '1000', debit: '100000' },
    { account: '3000', credit: '100000' },
  ]);
  await post('2020-06-15', [
    { account: '1000', debit: '50000.10' },
    { account: '4200', credit: '50000.10' },
  ]);
  await post('2020-11-30', [
    { account: '6100', debit: '12345.6789' },
    { account: '1000', credit: '12345.6789' },
  ]);
  expect(
    (
      await clerk.post('/api/v1/accounting/exchange-rates', {
        currency: 'USD',
        date: '2021-01-01',
        rate: '14.75',
      })
    ).status,
  ).toBe(201);
  await post(
    '2021-02-28',
    [
      { account: '6700', debit: '2' },
      { account: '1000', credit: '2' },
    ],
    'USD',
  );
  // FY2022 has an entry too, so its year exists with open periods.
  await post('2021-03-10', [
    { account: '6500', debit: '10' },
    { account: '1000', credit: '10' },
  ]);
});

describe('closing a fiscal year', () => {
  it('lists fiscal years with their status', async () => {
    const year = await yearNamed('FY2021');
    expect(year).toMatchObject({
      startDate: '2020-03-01',
      endDate: '2021-02-28',
      status: 'open',
      closedAt: null,
    });
  });

  it('is refused while a period of the year is open, naming it', async () => {
    await closePeriods('2021', 11);
    const year = await yearNamed('FY2021');
    const response = await approver.post(`/api/v1/accounting/fiscal-years/${year.id}/close`, undefined);
    expect(response.status, response.text).toBe(422);
    expect(response.body.code).toBe('accounting.periods_open');
    expect(response.body.detail).toContain('2021-02');
    expect((await yearNamed('FY2021')).status).toBe('open');
  });

  it('needs the Admin or Finance.Approver role', async () => {
    const year = await yearNamed('FY2021');
    expect((await clerk.post(`/api/v1/accounting/fiscal-years/${year.id}/close`, undefined)).status).toBe(
      403,
    );
  });

  it('moves the year result to retained earnings in one entry, as a durable flow', async () => {
    await closePeriods('2021', 1);
    const year = await yearNamed('FY2021');
    const response = await approver.post(`/api/v1/accounting/fiscal-years/${year.id}/close`, undefined);
    expect(response.status, response.text).toBe(202);
    const location = response.headers.get('location') as string;
    expect(location).toMatch(/^\/api\/v1\/flows\/[0-9a-f-]{36}$/);
    expect(response.body.fiscalYear.status).toBe('closing');

    await devhost.settle();
    const flow = await approver.get(location);
    expect(flow.body.runtimeStatus, JSON.stringify(flow.body)).toBe('Completed');
    // 50 000.10 − 12 345.6789 − 29.50 (2 USD at 14.75)
    expect(flow.body.output.netResult).toEqual({ amount: '37624.9211', currency: 'ZAR' });
    expect(flow.body.customStatus).toMatchObject({ step: 'completed' });
    expect((await yearNamed('FY2021')).status).toBe('closed');

    const entry = await approver.get(`/api/v1/accounting/journal-entries/${flow.body.output.closingEntryId}`);
    expect(entry.body).toMatchObject({
      date: '2021-02-28',
      source: { type: 'accounting.year-end', id: year.id },
    });
    expect(entry.body.lines.map((l: { account: string }) => l.account).sort()).toEqual([
      '3100',
      '4200',
      '6100',
      '6700',
    ]);

    // Revenue and expense accounts are zero after the year end; retained earnings holds the result.
    const tb = await approver.get(`${REPORTS}/trial-balance?from=2020-03-01&to=2021-02-28`);
    for (const row of tb.body.rows as { type: string; balance: string; account: string }[]) {
      if (row.type === 'revenue' || row.type === 'expense') expect(row.balance, row.account).toBe('0.00');
    }
    expect(tb.body.rows.find((r: { account: string }) => r.account === '3100').balance).toBe('-37624.9211');
    const bs = await approver.get(`${REPORTS}/balance-sheet?date=2021-02-28`);
    expect(bs.body.currentResult).toBe('0.00');
    expect(bs.body.sections[2].lines).toContainEqual(
      expect.objectContaining({ account: '3100', amount: '37624.9211' }),
    );
    expect(bs.body.totals.assets).toBe(bs.body.totals.liabilitiesAndEquity);
    // The year's profit and loss still shows its result: the closing entry is not part of it.
    const pl = await approver.get(`${REPORTS}/profit-and-loss?from=2020-03-01&to=2021-02-28`);
    expect(pl.body.netResult).toBe('37624.9211');
    // The next year's balance sheet carries the result in equity, and only FY2022's in the current result.
    const next = await approver.get(`${REPORTS}/balance-sheet?date=2021-03-31`);
    expect(next.body.currentResult).toBe('-10.00');
    expect(next.body.totals.assets).toBe(next.body.totals.liabilitiesAndEquity);
  });

  it('refuses a second close, and never posts a second closing entry', async () => {
    const year = await yearNamed('FY2021');
    const again = await approver.post(`/api/v1/accounting/fiscal-years/${year.id}/close`, undefined);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('accounting.fiscal_year_closed');
    // A step run again (a resumed flow) finds the entry it posted.
    const actor = { tenantId: demo.id, objectId: 'system:test', name: 'Test' };
    const entries = await withTenant(devhost.db, demo.id, async (trx) => {
      const result = await computeYearResult(trx, year.id);
      return [
        await postClosingEntry(trx, actor, { ...result, lines: [{ account: '4200', debit: '1' }] }),
        await trx
          .selectFrom('journal_entries')
          .select('id')
          .where('source_type', '=', 'accounting.year-end')
          .execute(),
      ] as const;
    });
    expect(entries[1]).toHaveLength(1);
    expect(entries[0]?.entryId).toBe(entries[1][0]?.id);
  });

  it('keeps the periods of a closed year closed', async () => {
    const periods = await approver.get('/api/v1/accounting/periods?year=2021');
    const last = (periods.body.items as Period[]).at(-1)!;
    const admin = await devhost.as('demo', 'adam', ['Admin']);
    const reopen = await admin.request('POST', `/api/v1/accounting/periods/${last.id}/reopen`, {
      headers: { 'if-match': `"${last.version}"` },
    });
    expect(reopen.status).toBe(422);
    const late = await clerk.post('/api/v1/accounting/journal-entries', {
      date: '2021-02-28',
      memo: 'Too late',
      currency: 'ZAR',
      lines: [
        { account: '6100', debit: '1' },
        { account: '1000', credit: '1' },
      ],
    });
    expect(late.status).toBe(422);
  });

  it('fails with the reason, and leaves the year open, when the flow finds a period open', async () => {
    const year = await yearNamed('FY2022');
    const { location } = await withTenant(devhost.db, demo.id, (trx) =>
      requestFlow(trx, { tenantId: demo.id, objectId: 'system:test', name: 'Test' }, YEAR_END_CLOSE, {
        fiscalYearId: year.id,
      }),
    );
    await devhost.settle();
    const flow = await approver.get(location);
    expect(flow.body.runtimeStatus).toBe('Failed');
    expect(flow.body.error).toMatch(/periods are open: 2021-03/);
    expect(flow.body.customStatus).toMatchObject({ step: 'failed' });
    expect((await yearNamed('FY2022')).status).toBe('open');
  });
});
