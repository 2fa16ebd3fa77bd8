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

it('starts every CSV download with the UTF-8 byte-order mark, so Excel reads accents as UTF-8', async () => {
  const customer = await createParty(clerk, 'customers', 'BOMCUST', { name: 'Société Béton Côte' });
  await issuedDocument(clerk, 'invoices', {
    customerId: customer.id,
    issueDate: '2026-10-05',
    lines: [line({ account: '4100', unitPrice: '250.00', taxCode: 'VAT15' })],
  });
  const token = await devhost.token('demo', 'xena', ['Finance.Clerk']);
  const downloads: [string, string][] = [
    ['/api/v1/accounting/reports/ar-aging?asOf=2026-11-30&format=csv', 'BOMCUST,Société Béton Côte,ZAR'],
    ['/api/v1/accounting/reports/ap-aging?asOf=2026-11-30&format=csv', 'code,name,currency'],
    [
      `/api/v1/accounting/customers/${customer.id}/statement?from=2026-10-01&to=2026-11-30&format=csv`,
      'closing balance',
    ],
    ['/api/v1/accounting/reports/trial-balance?from=2026-10-01&to=2026-11-30&format=csv', 'Contract revenue'],
    ['/api/v1/accounting/reports/vat?from=2026-10-01&to=2026-10-31&format=csv', 'net payable'],
  ];
  for (const [path, expected] of downloads) {
    const response = await fetch(`${devhost.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status, path).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)], path).toEqual([0xef, 0xbb, 0xbf]);
    // Exactly one mark, then the header row; the rest is the UTF-8 text the JSON has.
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    expect(text.lastIndexOf('\uFEFF'), path).toBe(0);
    expect(text.slice(1, 2), path).toMatch(/[a-z]/);
    expect(text, path).toContain(expected);
  }
});
