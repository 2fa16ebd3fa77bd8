import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDevhost, type Api } from '../support/devhost.js';
import { createParty, issuedDocument, line, postedSettlement } from './trade-helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
let clerk: Api;
let local: { id: string };
let foreign: { id: string };
let supplier: { id: string };
const ids: Record<string, string> = {};

const zar = (amount: string) => ({ account: '4000', unitPrice: amount, taxCode: 'VAT15' });

/**
 * One customer in rand with three invoices, a credit note and a receipt across two months; one
 * customer in euro; one supplier with two bills and a part payment.
 */
beforeAll(async () => {
  clerk = await devhost.as('demo', 'amy', ['Finance.Clerk']);
  expect(
    (
      await clerk.post('/api/v1/accounting/exchange-rates', {
        currency: 'EUR',
        date: '2026-01-01',
        rate: '19.00',
      })
    ).status,
  ).toBe(201);
  local = await createParty(clerk, 'customers', 'AGE-ZAR', { name: 'Aged Rand Customer' });
  foreign = await createParty(clerk, 'customers', 'AGE-EUR', { name: 'Aged Euro Customer', currency: 'EUR' });
  supplier = await createParty(clerk, 'suppliers', 'AGE-SUP', {
    name: 'Aged Supplier',
    paymentTermsDays: 60,
  });

  const invoice = async (key: string, issueDate: string, net: string) => {
    ids[key] = (
      await issuedDocument(clerk, 'invoices', { issueDate, customerId: local.id, lines: [line(zar(net))] })
    ).id;
  };
  await invoice('i1', '2026-06-01', '100.00'); // due 07-01, gross 115.00
  await invoice('i2', '2026-08-15', '200.00'); // due 09-14, gross 230.00
  await invoice('i3', '2026-09-20', '300.00'); // due 10-20, gross 345.00
  ids.cn = (
    await issuedDocument(clerk, 'credit-notes', {
      issueDate: '2026-09-25',
      customerId: local.id,
      lines: [line(zar('20.00'))],
    })
  ).id; // 23.00, not set against an invoice: an open credit
  const receipt = await postedSettlement(clerk, 'receipts', {
    date: '2026-09-30',
    customerId: local.id,
    amount: { amount: '145.00', currency: 'ZAR' },
    allocations: [
      { invoiceId: ids.i1, amount: '115.00' },
      { invoiceId: ids.i2, amount: '30.00' },
    ],
  });
  expect(receipt.status, receipt.text).toBe(200);
  await issuedDocument(clerk, 'invoices', {
    issueDate: '2026-09-10',
    customerId: foreign.id,
    lines: [line({ account: '4000', unitPrice: '100.00', taxCode: 'ZERO' })],
  }); // EUR 100, 1900.00 ZAR, due 10-10

  const b1 = await issuedDocument(clerk, 'bills', {
    issueDate: '2026-07-01',
    supplierId: supplier.id,
    lines: [line({ account: '5100', unitPrice: '1000.00', taxCode: 'VAT15' })],
  }); // 1150.00, due 08-30
  await issuedDocument(clerk, 'bills', {
    issueDate: '2026-10-01',
    supplierId: supplier.id,
    lines: [line({ account: '5100', unitPrice: '400.00', taxCode: 'ZERO' })],
  }); // 400.00, due 11-30
  const payment = await postedSettlement(clerk, 'supplier-payments', {
    date: '2026-10-15',
    supplierId: supplier.id,
    amount: { amount: '150.00', currency: 'ZAR' },
    allocations: [{ billId: b1.id, amount: '150.00' }],
  });
  expect(payment.status, payment.text).toBe(200);
});

const buckets = (current: string, d30: string, d60: string, d90: string, over: string, total: string) => ({
  current,
  days1To30: d30,
  days31To60: d60,
  days61To90: d90,
  over90: over,
  total,
});

async function aging(kind: 'ar' | 'ap', asOf: string) {
  const response = await clerk.get(`/api/v1/accounting/reports/${kind}-aging?asOf=${asOf}`);
  expect(response.status, response.text).toBe(200);
  return response.body;
}

describe('aged receivables', () => {
  it('before anything was issued: nothing', async () => {
    const report = await aging('ar', '2026-05-31');
    expect(report.parties).toEqual([]);
    expect(report.totals.base).toEqual(buckets('0.00', '0.00', '0.00', '0.00', '0.00', '0.00'));
  });

  it('on 1 September: the June invoice 62 days overdue, the August one current', async () => {
    const report = await aging('ar', '2026-09-01');
    expect(report.parties).toEqual([
      expect.objectContaining({
        code: 'AGE-ZAR',
        byCurrency: [{ currency: 'ZAR', ...buckets('230.00', '0.00', '0.00', '115.00', '0.00', '345.00') }],
        base: buckets('230.00', '0.00', '0.00', '115.00', '0.00', '345.00'),
      }),
    ]);
  });

  it('on 25 October: settled and part-settled invoices, the open credit note, and a euro invoice', async () => {
    const report = await aging('ar', '2026-10-25');
    expect(report.asOf).toBe('2026-10-25');
    expect(report.baseCurrency).toBe('ZAR');
    expect(report.parties).toEqual([
      {
        partyId: foreign.id,
        code: 'AGE-EUR',
        name: 'Aged Euro Customer',
        byCurrency: [{ currency: 'EUR', ...buckets('0.00', '100.00', '0.00', '0.00', '0.00', '100.00') }],
        base: buckets('0.00', '1900.00', '0.00', '0.00', '0.00', '1900.00'),
      },
      {
        partyId: local.id,
        code: 'AGE-ZAR',
        name: 'Aged Rand Customer',
        // i2: 200.00 left, 41 days overdue; i3: 345.00, 5 days overdue; the credit note −23.00, 30 days.
        byCurrency: [{ currency: 'ZAR', ...buckets('0.00', '322.00', '200.00', '0.00', '0.00', '522.00') }],
        base: buckets('0.00', '322.00', '200.00', '0.00', '0.00', '522.00'),
      },
    ]);
    expect(report.totals).toEqual({
      byCurrency: [
        { currency: 'EUR', ...buckets('0.00', '100.00', '0.00', '0.00', '0.00', '100.00') },
        { currency: 'ZAR', ...buckets('0.00', '322.00', '200.00', '0.00', '0.00', '522.00') },
      ],
      base: buckets('0.00', '2222.00', '200.00', '0.00', '0.00', '2422.00'),
    });
  });

  it('on 31 January: everything still open is over 90 days', async () => {
    const report = await aging('ar', '2027-01-31');
    const zarCustomer = report.parties.find((p: { code: string }) => p.code === 'AGE-ZAR');
    expect(zarCustomer.base).toEqual(buckets('0.00', '0.00', '0.00', '0.00', '522.00', '522.00'));
    expect(report.totals.base.over90).toBe('2422.00');
  });

  it('refuses an impossible date, naming it', async () => {
    const response = await clerk.get('/api/v1/accounting/reports/ar-aging?asOf=2026-13-01');
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('query.asOf');
  });
});

describe('aged payables', () => {
  it('mirrors receivables for suppliers at several dates', async () => {
    expect((await aging('ap', '2026-08-30')).parties[0].base).toEqual(
      buckets('1150.00', '0.00', '0.00', '0.00', '0.00', '1150.00'),
    );
    // 1 000.00 left on the July bill, 46 days overdue; the October bill current.
    expect((await aging('ap', '2026-10-15')).parties[0].base).toEqual(
      buckets('400.00', '0.00', '1000.00', '0.00', '0.00', '1400.00'),
    );
    expect((await aging('ap', '2027-02-27')).parties[0].base).toEqual(
      buckets('0.00', '0.00', '0.00', '400.00', '1000.00', '1400.00'),
    );
  });
});

describe('statement of account', () => {
  it('brings the balance forward and runs it through documents and receipts', async () => {
    const response = await clerk.get(
      `/api/v1/accounting/customers/${local.id}/statement?from=2026-08-01&to=2026-09-30`,
    );
    expect(response.status, response.text).toBe(200);
    expect(response.body.accounts).toHaveLength(1);
    const account = response.body.accounts[0];
    expect(account.currency).toBe('ZAR');
    expect(account.openingBalance).toBe('115.00');
    expect(
      account.lines.map((l: Record<string, string | null>) => [l.date, l.type, l.debit, l.credit, l.balance]),
    ).toEqual([
      ['2026-08-15', 'invoice', '230.00', null, '345.00'],
      ['2026-09-20', 'invoice', '345.00', null, '690.00'],
      ['2026-09-25', 'credit_note', null, '23.00', '667.00'],
      ['2026-09-30', 'receipt', null, '145.00', '522.00'],
    ]);
    expect(account.closingBalance).toBe('522.00');
    // The closing balance is what the aging shows on the same day.
    const report = await aging('ar', '2026-09-30');
    expect(report.parties.find((p: { code: string }) => p.code === 'AGE-ZAR').base.total).toBe('522.00');
  });

  it('refuses a range that ends before it starts, and a customer that does not exist', async () => {
    const backwards = await clerk.get(
      `/api/v1/accounting/customers/${local.id}/statement?from=2026-09-30&to=2026-08-01`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].path).toBe('query.to');
    const missing = await clerk.get(
      '/api/v1/accounting/customers/00000000-0000-4000-8000-000000000000/statement?from=2026-08-01&to=2026-09-30',
    );
    expect(missing.status).toBe(404);
    // A supplier's id is not a customer's.
    expect(
      (await clerk.get(`/api/v1/accounting/customers/${supplier.id}/statement?from=2026-08-01&to=2026-09-30`))
        .status,
    ).toBe(404);
  });
});
