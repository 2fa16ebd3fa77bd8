import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestDevhost, type Api } from '../support/devhost.js';
import { createParty, issuedDocument, line } from './trade-helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
let clerk: Api;
beforeAll(async () => {
  clerk = await devhost.as('demo', 'xena', ['Finance.Clerk']);
});

const rowsOf = (csv: string) =>
  csv
    .trim()
    .split('\r\n')
    .map((row) => row.split(','));

it('exports aged receivables, aged payables and statements as CSV with the JSON figures', async () => {
  const customer = await createParty(clerk, 'customers', 'CSVCUST');
  const supplier = await createParty(clerk, 'suppliers', 'CSVSUPP');
  await issuedDocument(clerk, 'invoices', {
    customerId: customer.id,
    issueDate: '2026-09-01',
    lines: [line({ account: '4100', unitPrice: '1000.00', taxCode: 'VAT15' })],
  });
  await issuedDocument(clerk, 'bills', {
    supplierId: supplier.id,
    issueDate: '2026-10-01',
    reference: 'B-1',
    lines: [line({ account: '5100', unitPrice: '400.00', taxCode: 'VAT15' })],
  });

  for (const [path, name] of [
    ['/api/v1/accounting/reports/ar-aging?asOf=2026-11-30', 'ar-aging-2026-11-30.csv'],
    ['/api/v1/accounting/reports/ap-aging?asOf=2026-11-30', 'ap-aging-2026-11-30.csv'],
  ] as const) {
    const json = await clerk.get(path);
    const csv = await clerk.get(`${path}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
    const rows = rowsOf(csv.text);
    expect(rows[0]).toEqual([
      'code',
      'name',
      'currency',
      'current',
      '1-30',
      '31-60',
      '61-90',
      '90+',
      'total',
    ]);
    expect(rows.at(-1)).toEqual([
      'TOTAL',
      '',
      'ZAR (base)',
      ...['current', 'days1To30', 'days31To60', 'days61To90', 'over90', 'total'].map(
        (b) => json.body.totals.base[b],
      ),
    ]);
  }

  const statement = await clerk.get(
    `/api/v1/accounting/customers/${customer.id}/statement?from=2026-09-01&to=2026-11-30`,
  );
  const csv = await clerk.get(
    `/api/v1/accounting/customers/${customer.id}/statement?from=2026-09-01&to=2026-11-30&format=csv`,
  );
  const rows = rowsOf(csv.text);
  expect(rows.at(-1)).toEqual([
    'ZAR',
    '2026-11-30',
    'closing balance',
    '',
    '',
    '',
    '',
    '',
    statement.body.accounts[0].closingBalance,
  ]);
  expect(statement.body.accounts[0].closingBalance).toBe('1150.00');
});
