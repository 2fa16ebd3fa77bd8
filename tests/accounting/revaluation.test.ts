import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestDevhost, type Api } from '../support/devhost.js';
import { createParty, issuedDocument, line } from './trade-helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
let clerk: Api;
beforeAll(async () => {
  clerk = await devhost.as('demo', 'rene', ['Finance.Clerk']);
});

const rate = (currency: string, date: string, value: string) =>
  clerk.post('/api/v1/accounting/exchange-rates', { currency, date, rate: value });

it('books unrealised differences on open foreign balances at the month-end rate and reverses them the next day', async () => {
  for (const [currency, date, value] of [
    ['EUR', '2026-10-01', '19.50'],
    ['USD', '2026-10-01', '17.80'],
    ['EUR', '2026-10-31', '20.10'],
    ['USD', '2026-10-31', '17.55'],
  ] as const) {
    expect((await rate(currency, date, value)).status).toBe(201);
  }
  const customer = await createParty(clerk, 'customers', 'EUROCUST', { currency: 'EUR' });
  const supplier = await createParty(clerk, 'suppliers', 'USSUPP', { currency: 'USD' });
  await issuedDocument(clerk, 'invoices', {
    customerId: customer.id,
    issueDate: '2026-10-05',
    lines: [line({ account: '4000', unitPrice: '1000.00', taxCode: 'ZERO' })],
  });
  await issuedDocument(clerk, 'bills', {
    supplierId: supplier.id,
    issueDate: '2026-10-06',
    reference: 'US-77',
    lines: [line({ account: '5100', unitPrice: '2000.00', taxCode: 'ZERO' })],
  });

  const response = await clerk.post('/api/v1/accounting/fx-revaluations', { date: '2026-10-31' });
  expect(response.status, response.text).toBe(201);
  // EUR 1000 booked at 19.50 = 19 500.00, worth 20 100.00: +600.00 on AR (a gain).
  // USD 2000 booked at 17.80 = 35 600.00, worth 35 100.00: −500.00 on AP (also a gain).
  expect(response.body.lines).toEqual([
    {
      ledger: 'receivable',
      currency: 'EUR',
      open: '1000.00',
      bookedBase: '19500.00',
      rate: '20.1',
      revaluedBase: '20100.00',
      difference: '600.00',
    },
    {
      ledger: 'payable',
      currency: 'USD',
      open: '2000.00',
      bookedBase: '35600.00',
      rate: '17.55',
      revaluedBase: '35100.00',
      difference: '-500.00',
    },
  ]);
  const sides = (entry: {
    lines: { account: string; baseDebit: { amount: string } | null; baseCredit: { amount: string } | null }[];
  }) => entry.lines.map((l) => [l.account, l.baseDebit?.amount ?? null, l.baseCredit?.amount ?? null]);
  expect(sides(response.body.entry)).toEqual([
    ['1100', '600.00', null],
    ['2000', '500.00', null],
    ['6860', null, '1100.00'],
  ]);
  expect(response.body.entry.date).toBe('2026-10-31');
  expect(response.body.reversal).toMatchObject({
    date: '2026-11-01',
    reversesEntryId: response.body.entry.id,
  });

  // Running it again for the same date posts nothing new.
  const again = await clerk.post('/api/v1/accounting/fx-revaluations', { date: '2026-10-31' });
  expect(again.status).toBe(201);
  expect(again.body.entry.id).toBe(response.body.entry.id);
  expect(again.body.reversal.id).toBe(response.body.reversal.id);

  // Before anything was open there is nothing to revalue, and nothing is posted.
  const before = await clerk.post('/api/v1/accounting/fx-revaluations', { date: '2026-09-30' });
  expect(before.status).toBe(201);
  expect(before.body.entry).toBeNull();
});
