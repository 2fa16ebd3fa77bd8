import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestDevhost, type Api } from '../support/devhost.js';
import { createParty, issuedDocument, line } from './trade-helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
let clerk: Api;
beforeAll(async () => {
  clerk = await devhost.as('demo', 'vera', ['Finance.Clerk']);
});

it('reports supplies and purchases per tax code, the ledger VAT and the net payable, also as CSV', async () => {
  const customer = await createParty(clerk, 'customers', 'VATCUST');
  const supplier = await createParty(clerk, 'suppliers', 'VATSUPP');
  const invoice = await issuedDocument(clerk, 'invoices', {
    customerId: customer.id,
    issueDate: '2027-01-10',
    lines: [
      line({ account: '4100', unitPrice: '1000.00', taxCode: 'VAT15' }),
      line({ account: '4100', unitPrice: '333.33', quantity: '3', taxCode: 'VAT15' }),
      line({ account: '4000', unitPrice: '250.00', taxCode: 'ZERO' }),
    ],
  });
  await issuedDocument(clerk, 'credit-notes', {
    customerId: customer.id,
    issueDate: '2027-01-20',
    invoiceId: invoice.id,
    lines: [line({ account: '4100', unitPrice: '100.00', taxCode: 'VAT15' })],
  });
  await issuedDocument(clerk, 'bills', {
    supplierId: supplier.id,
    issueDate: '2027-01-15',
    reference: 'CEM-881',
    lines: [
      line({ account: '5100', unitPrice: '2000.00', taxCode: 'VAT15' }),
      line({ account: '5100', unitPrice: '80.00', taxCode: 'EXEMPT' }),
    ],
  });
  // A journal to the VAT payable account (not the output VAT control) leaves the VAT figures alone.
  const journal = await clerk.post('/api/v1/accounting/journal-entries', {
    date: '2027-01-31',
    memo: 'VAT on a fringe benefit',
    currency: 'ZAR',
    lines: [
      { account: '6650', debit: '45.00' },
      { account: '2150', credit: '45.00' },
    ],
  });
  expect(journal.status).toBe(201);

  const report = await clerk.get('/api/v1/accounting/reports/vat?from=2027-01-01&to=2027-01-31');
  expect(report.status, report.text).toBe(200);
  // Invoice: VAT15 net 1999.99 → VAT 300.00 (rounded once per code); credit note −100 → −15.
  expect(report.body.supplies).toEqual([
    { taxCode: 'VAT15', kind: 'standard', rate: '15', net: '1899.99', vat: '285.00' },
    { taxCode: 'ZERO', kind: 'zero', rate: '0', net: '250.00', vat: '0.00' },
  ]);
  expect(report.body.purchases).toEqual([
    { taxCode: 'EXEMPT', kind: 'exempt', rate: '0', net: '80.00', vat: '0.00' },
    { taxCode: 'VAT15', kind: 'standard', rate: '15', net: '2000.00', vat: '300.00' },
  ]);
  expect(report.body.documents).toEqual({ outputVat: '285.00', inputVat: '300.00' });
  expect(report.body.ledger).toEqual({ outputVat: '285.00', inputVat: '300.00' });
  expect(report.body.otherVatPostings).toEqual({ output: '0.00', input: '0.00' });
  expect(report.body.netPayable).toBe('-15.00');

  const csv = await clerk.get('/api/v1/accounting/reports/vat?from=2027-01-01&to=2027-01-31&format=csv');
  expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
  expect(csv.text).toContain('net payable');
  expect(csv.text).toContain('-15.00');
  expect((await clerk.get('/api/v1/accounting/reports/vat?from=2027-02-01&to=2027-01-01')).status).toBe(400);
});
