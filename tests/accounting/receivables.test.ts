import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { startTestDevhost, type Api } from '../support/devhost.js';
import {
  baseBalance,
  counts,
  createParty,
  entryLines,
  eventPayloads,
  issuedDocument,
  line,
  postedSettlement,
} from './trade-helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;
let clerk: Api;
let customer: { id: string; version: number };
beforeAll(async () => {
  clerk = await devhost.as('demo', 'fiona', ['Finance.Clerk']);
  customer = await createParty(clerk, 'customers', 'RIVERSIDE', {
    name: 'Riverside Developments',
    taxNumber: '4001234567',
    email: 'ap@riverside.example',
    billingAddress: { line1: '1 River Road', city: 'Pretoria', country: 'ZA' },
  });
});

const invoice = (lines: unknown[], extra: Record<string, unknown> = {}) => ({
  issueDate: '2026-11-02',
  customerId: customer.id,
  lines,
  ...extra,
});

describe('customers', () => {
  it('creates, reads, searches, pages and changes a customer with If-Match', async () => {
    const created = await createParty(clerk, 'customers', 'HILLTOP', {
      name: 'Hilltop Estates',
      creditLimit: { amount: '50000', currency: 'ZAR' },
    });
    expect(created).toMatchObject({
      code: 'HILLTOP',
      currency: 'ZAR',
      paymentTermsDays: 30,
      creditLimit: { amount: '50000.00', currency: 'ZAR' },
      version: 1,
    });
    const search = await clerk.get('/api/v1/accounting/customers?search=hill');
    expect(search.body.items.map((c: { code: string }) => c.code)).toEqual(['HILLTOP']);
    const page1 = await clerk.get('/api/v1/accounting/customers?limit=1');
    expect(page1.body.items).toHaveLength(1);
    const page2 = await clerk.get(`/api/v1/accounting/customers?limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);

    const stale = await clerk.patch(
      `/api/v1/accounting/customers/${created.id}`,
      { paymentTermsDays: 60 },
      { 'if-match': '"7"' },
    );
    expect(stale.status).toBe(412);
    const changed = await clerk.patch(
      `/api/v1/accounting/customers/${created.id}`,
      { paymentTermsDays: 60 },
      { 'if-match': '"1"' },
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ paymentTermsDays: 60, version: 2 });
    expect(changed.headers.get('etag')).toBe('"2"');
  });

  it.each([
    ['a duplicate code', { code: 'RIVERSIDE', name: 'Again' }, 409, 'code'],
    ['a lower-case code', { code: 'river', name: 'River' }, 400, 'code'],
    ['an unknown currency', { code: 'XC', name: 'X', currency: 'ABC' }, 400, 'currency'],
    ['terms over a year', { code: 'XT', name: 'X', paymentTermsDays: 400 }, 400, 'paymentTermsDays'],
    ['a bad e-mail', { code: 'XE', name: 'X', email: 'nobody' }, 400, 'email'],
    [
      'a credit limit in another currency',
      { code: 'XL', name: 'X', creditLimit: { amount: '10', currency: 'USD' } },
      422,
      'creditLimit.currency',
    ],
    ['a server-owned field', { code: 'XV', name: 'X', version: 3 }, 400, 'version'],
  ])('refuses %s, naming the field, writing nothing', async (_, body, status, path) => {
    const before = await counts(devhost, demo.id);
    const response = await clerk.post('/api/v1/accounting/customers', body);
    expect(response.status, response.text).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await counts(devhost, demo.id)).toEqual(before);
  });
});

describe('customer contacts', () => {
  it('keeps a phone number, a delivery address and the people to speak to', async () => {
    const created = await createParty(clerk, 'customers', 'SITECO', {
      phone: '+27 21 555 0100',
      deliveryAddress: { line1: 'Gate 3, Foreshore site', city: 'Cape Town', country: 'ZA' },
      contacts: [
        { name: 'Pieter van Wyk', role: 'Site manager', phone: '+27 82 555 0101' },
        { name: 'Accounts', email: 'ap@siteco.example' },
      ],
    });
    const read = await clerk.get(`/api/v1/accounting/customers/${created.id}`);
    expect(read.body).toMatchObject({
      phone: '+27 21 555 0100',
      deliveryAddress: { line1: 'Gate 3, Foreshore site', city: 'Cape Town', country: 'ZA' },
      contacts: [{ name: 'Pieter van Wyk', role: 'Site manager' }, { email: 'ap@siteco.example' }],
    });
    const changed = await clerk.patch(
      `/api/v1/accounting/customers/${created.id}`,
      { contacts: [{ name: 'Sipho Dlamini', role: 'Quantity surveyor' }], deliveryAddress: null },
      { 'if-match': '"1"' },
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ contacts: [{ name: 'Sipho Dlamini' }], deliveryAddress: null });
    const invalid = await clerk.post('/api/v1/accounting/customers', {
      code: 'BADCONTACT',
      name: 'Bad contact',
      contacts: [{ role: 'No name' }],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].path).toBe('contacts.0.name');
  });
});

describe('customers added by sales', () => {
  it('start with no credit, and only finance grants a credit limit', async () => {
    const rep = await devhost.as('demo', 'sam', ['Sales.Rep']);
    const refused = await rep.post('/api/v1/accounting/customers', {
      code: 'REPLIMIT',
      name: 'Rep with a limit',
      creditLimit: { amount: '100000', currency: 'ZAR' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual(['creditLimit']);
    expect((await rep.get('/api/v1/accounting/customers?search=REPLIMIT')).body.items).toEqual([]);

    const created = await rep.post('/api/v1/accounting/customers', {
      code: 'REPNEW',
      name: 'Thabo Plumbing',
      phone: '+27 11 555 0123',
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.creditLimit).toEqual({ amount: '0.00', currency: 'ZAR' });
    const renamed = await rep.patch(
      `/api/v1/accounting/customers/${created.body.id}`,
      { name: 'Thabo Plumbing (Pty) Ltd' },
      { 'if-match': '"1"' },
    );
    expect(renamed.status, renamed.text).toBe(200);
    const raised = await rep.patch(
      `/api/v1/accounting/customers/${created.body.id}`,
      { creditLimit: { amount: '50000', currency: 'ZAR' } },
      { 'if-match': '"2"' },
    );
    expect(raised.status).toBe(403);
    const granted = await clerk.patch(
      `/api/v1/accounting/customers/${created.body.id}`,
      { creditLimit: { amount: '50000', currency: 'ZAR' } },
      { 'if-match': '"2"' },
    );
    expect(granted.status, granted.text).toBe(200);
    expect(granted.body.creditLimit).toEqual({ amount: '50000.00', currency: 'ZAR' });
  });
});

describe('customer invoices', () => {
  it('computes the totals and posts the invoice: AR = net + VAT, VAT 15% on VAT15 lines only', async () => {
    const doc = await issuedDocument(
      clerk,
      'invoices',
      invoice([
        line({ account: '4000', quantity: '2', unitPrice: '1000.00', taxCode: 'VAT15' }),
        line({ account: '4100', unitPrice: '500.00', taxCode: 'ZERO' }),
        line({ account: '4200', quantity: '3', unitPrice: '33.33', taxCode: 'EXEMPT' }),
        line({ account: '4000', unitPrice: '0.50', taxCode: 'VAT15' }),
      ]),
    );
    expect(doc).toMatchObject({
      kind: 'invoice',
      status: 'issued',
      partyId: customer.id,
      partyCode: 'RIVERSIDE',
      currency: 'ZAR',
      issueDate: '2026-11-02',
      dueDate: '2026-12-02',
      net: { amount: '2600.49', currency: 'ZAR' },
      tax: { amount: '300.08', currency: 'ZAR' },
      gross: { amount: '2900.57', currency: 'ZAR' },
      outstanding: { amount: '2900.57', currency: 'ZAR' },
      baseGross: { amount: '2900.57', currency: 'ZAR' },
      exchangeRate: '1',
    });
    expect(doc.number).toMatch(/^INV-2026-\d{6}$/);
    // VAT is worked out per tax code on the sum of its lines (2000.50 × 15% = 300.075 → 300.08).
    expect(doc.taxes).toEqual([
      {
        taxCode: 'EXEMPT',
        rate: '0',
        net: { amount: '99.99', currency: 'ZAR' },
        tax: { amount: '0.00', currency: 'ZAR' },
      },
      {
        taxCode: 'VAT15',
        rate: '15',
        net: { amount: '2000.50', currency: 'ZAR' },
        tax: { amount: '300.08', currency: 'ZAR' },
      },
      {
        taxCode: 'ZERO',
        rate: '0',
        net: { amount: '500.00', currency: 'ZAR' },
        tax: { amount: '0.00', currency: 'ZAR' },
      },
    ]);
    const entry = await entryLines(clerk, doc.entryId);
    expect(entry.source).toEqual({ type: 'accounting.invoice', id: doc.id });
    expect(entry.lines).toEqual([
      ['1100', 'debit', '2900.57', '2900.57'],
      ['4000', 'credit', '2000.50', '2000.50'],
      ['4100', 'credit', '500.00', '500.00'],
      ['4200', 'credit', '99.99', '99.99'],
      ['2100', 'credit', '300.08', '300.08'],
    ]);
    const events = await eventPayloads(devhost, demo.id, 'accounting.InvoiceIssued');
    expect(events.find((e) => e.invoiceId === doc.id)).toMatchObject({
      number: doc.number,
      customerId: customer.id,
      gross: '2900.57',
      entryId: doc.entryId,
    });
  });

  it('numbers invoices in sequence', async () => {
    const a = await issuedDocument(
      clerk,
      'invoices',
      invoice([line({ account: '4000', unitPrice: '10', taxCode: 'ZERO' })]),
    );
    const b = await issuedDocument(
      clerk,
      'invoices',
      invoice([line({ account: '4000', unitPrice: '10', taxCode: 'ZERO' })]),
    );
    expect(Number(b.number.slice(-6))).toBe(Number(a.number.slice(-6)) + 1);
  });

  it('edits a draft, then never again once issued', async () => {
    const draft = await clerk.post('/api/v1/accounting/invoices', {
      issueDate: '2026-11-03',
      lines: [line({ account: '4000', unitPrice: '100.00', taxCode: 'VAT15' })],
    });
    expect(draft.status, draft.text).toBe(201);
    expect(draft.body).toMatchObject({ status: 'draft', number: null, partyId: null, dueDate: null });
    // Without a customer it cannot be issued.
    const early = await clerk.post(`/api/v1/accounting/invoices/${draft.body.id}/issue`, undefined);
    expect(early.status).toBe(422);
    expect(early.body.errors[0].path).toBe('customerId');

    const edited = await clerk.patch(
      `/api/v1/accounting/invoices/${draft.body.id}`,
      {
        customerId: customer.id,
        lines: [line({ account: '4000', quantity: '2', unitPrice: '100.00', taxCode: 'VAT15' })],
      },
      { 'if-match': '"1"' },
    );
    expect(edited.status, edited.text).toBe(200);
    expect(edited.body).toMatchObject({ version: 2, gross: { amount: '230.00' }, dueDate: '2026-12-03' });
    const issued = await clerk.post(`/api/v1/accounting/invoices/${draft.body.id}/issue`, undefined);
    expect(issued.status, issued.text).toBe(200);

    const before = await counts(devhost, demo.id);
    const patch = await clerk.patch(
      `/api/v1/accounting/invoices/${draft.body.id}`,
      { memo: 'Too late' },
      { 'if-match': `"${issued.body.version}"` },
    );
    expect(patch.status).toBe(409);
    expect(patch.body.code).toBe('accounting.document_not_draft');
    const again = await clerk.post(`/api/v1/accounting/invoices/${draft.body.id}/issue`, undefined);
    expect(again.status).toBe(409);
    expect(await counts(devhost, demo.id)).toEqual(before);

    // The database refuses too, whoever asks.
    await expect(
      withTenant(devhost.db, demo.id, (trx) =>
        sql`update trade_documents set gross = 1, net = 1, tax = 0 where id = ${draft.body.id}`.execute(trx),
      ),
    ).rejects.toThrow(/cannot change/);
    await expect(
      withTenant(devhost.db, demo.id, (trx) =>
        sql`delete from trade_document_lines where document_id = ${draft.body.id}`.execute(trx),
      ),
    ).rejects.toThrow(/cannot change/);
    await expect(
      withTenant(devhost.db, demo.id, (trx) =>
        sql`update trade_documents set kind = 'credit_note' where id = ${draft.body.id}`.execute(trx),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it.each([
    ['an unknown customer', { customerId: '00000000-0000-4000-8000-000000000000' }, 422, 'customerId'],
    [
      'an unknown tax code',
      { lines: [line({ account: '4000', unitPrice: '1', taxCode: 'VAT99' })] },
      422,
      'lines.0.taxCode',
    ],
    [
      'an expense account',
      { lines: [line({ account: '6500', unitPrice: '1', taxCode: 'ZERO' })] },
      422,
      'lines.0.account',
    ],
    [
      'a control account',
      { lines: [line({ account: '1100', unitPrice: '1', taxCode: 'ZERO' })] },
      422,
      'lines.0.account',
    ],
    [
      'a zero quantity',
      { lines: [line({ account: '4000', quantity: '0', unitPrice: '1', taxCode: 'ZERO' })] },
      400,
      'lines.0.quantity',
    ],
    [
      'a float price',
      { lines: [line({ account: '4000', unitPrice: 12.5 as unknown as string, taxCode: 'ZERO' })] },
      400,
      'lines.0.unitPrice',
    ],
    ['no lines', { lines: [] }, 400, 'lines'],
    ['an impossible date', { issueDate: '2026-02-30' }, 400, 'issueDate'],
    ['a total from the client', { gross: { amount: '1', currency: 'ZAR' } }, 400, 'gross'],
  ])('refuses %s, naming the field, writing nothing', async (_, extra, status, path) => {
    const before = await counts(devhost, demo.id);
    const response = await clerk.post(
      '/api/v1/accounting/invoices',
      invoice([line({ account: '4000', unitPrice: '1', taxCode: 'ZERO' })], extra),
    );
    expect(response.status, response.text).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await counts(devhost, demo.id)).toEqual(before);
  });

  it('refuses to issue over the credit limit, writing nothing', async () => {
    const limited = await createParty(clerk, 'customers', 'TIGHT', {
      creditLimit: { amount: '1000.00', currency: 'ZAR' },
    });
    await issuedDocument(
      clerk,
      'invoices',
      invoice([line({ account: '4000', unitPrice: '800', taxCode: 'ZERO' })], { customerId: limited.id }),
    );
    const draft = await clerk.post(
      '/api/v1/accounting/invoices',
      invoice([line({ account: '4000', unitPrice: '300', taxCode: 'ZERO' })], { customerId: limited.id }),
    );
    const before = await counts(devhost, demo.id);
    const response = await clerk.post(`/api/v1/accounting/invoices/${draft.body.id}/issue`, undefined);
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('accounting.credit_limit_exceeded');
    expect(await counts(devhost, demo.id)).toEqual(before);
  });
});

describe('credit notes', () => {
  it('reverses the sense of an invoice and settles the invoice it corrects', async () => {
    const inv = await issuedDocument(
      clerk,
      'invoices',
      invoice([line({ account: '4000', quantity: '4', unitPrice: '250.00', taxCode: 'VAT15' })]),
    );
    const note = await issuedDocument(clerk, 'credit-notes', {
      issueDate: '2026-11-05',
      customerId: customer.id,
      invoiceId: inv.id,
      lines: [line({ account: '4000', unitPrice: '200.00', taxCode: 'VAT15', description: 'Returned' })],
    });
    expect(note).toMatchObject({
      kind: 'credit_note',
      status: 'issued',
      correctsDocumentId: inv.id,
      gross: { amount: '230.00' },
      outstanding: { amount: '0.00' },
      dueDate: '2026-11-05',
    });
    expect(note.number).toMatch(/^CN-2026-\d{6}$/);
    const entry = await entryLines(clerk, note.entryId);
    expect(entry.source).toEqual({ type: 'accounting.credit-note', id: note.id });
    expect(entry.lines).toEqual([
      ['1100', 'credit', '230.00', '230.00'],
      ['4000', 'debit', '200.00', '200.00'],
      ['2100', 'debit', '30.00', '30.00'],
    ]);
    const after = await clerk.get(`/api/v1/accounting/invoices/${inv.id}`);
    expect(after.body.outstanding).toEqual({ amount: '920.00', currency: 'ZAR' });
  });

  it('refuses a credit note larger than what is outstanding on its invoice, writing nothing', async () => {
    const inv = await issuedDocument(
      clerk,
      'invoices',
      invoice([line({ account: '4000', unitPrice: '100.00', taxCode: 'ZERO' })]),
    );
    const draft = await clerk.post('/api/v1/accounting/credit-notes', {
      issueDate: '2026-11-06',
      customerId: customer.id,
      invoiceId: inv.id,
      lines: [line({ account: '4000', unitPrice: '100.01', taxCode: 'ZERO' })],
    });
    expect(draft.status, draft.text).toBe(201);
    const before = await counts(devhost, demo.id);
    const response = await clerk.post(`/api/v1/accounting/credit-notes/${draft.body.id}/issue`, undefined);
    expect(response.status).toBe(422);
    expect(response.body.errors[0].path).toBe('invoiceId');
    expect(await counts(devhost, demo.id)).toEqual(before);
  });
});

describe('receipts', () => {
  it('allocates one receipt across two invoices, one in full and one in part', async () => {
    const a = await issuedDocument(
      clerk,
      'invoices',
      invoice([line({ account: '4000', unitPrice: '1000.00', taxCode: 'VAT15' })]),
    );
    const b = await issuedDocument(
      clerk,
      'invoices',
      invoice([line({ account: '4000', unitPrice: '500.00', taxCode: 'VAT15' })]),
    );
    const response = await postedSettlement(clerk, 'receipts', {
      date: '2026-11-20',
      customerId: customer.id,
      amount: { amount: '1500.00', currency: 'ZAR' },
      reference: 'EFT 1120',
      allocations: [
        { invoiceId: a.id, amount: '1150.00' },
        { invoiceId: b.id, amount: '350.00' },
      ],
    });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({
      status: 'posted',
      bankAccount: '1000',
      baseAmount: { amount: '1500.00', currency: 'ZAR' },
      fxDifference: { amount: '0.00', currency: 'ZAR' },
    });
    expect(response.body.number).toMatch(/^RCPT-2026-\d{6}$/);
    const entry = await entryLines(clerk, response.body.entryId);
    expect(entry.source).toEqual({ type: 'accounting.receipt', id: response.body.id });
    expect(entry.lines).toEqual([
      ['1000', 'debit', '1500.00', '1500.00'],
      ['1100', 'credit', '1150.00', '1150.00'],
      ['1100', 'credit', '350.00', '350.00'],
    ]);
    expect((await clerk.get(`/api/v1/accounting/invoices/${a.id}`)).body.outstanding.amount).toBe('0.00');
    expect((await clerk.get(`/api/v1/accounting/invoices/${b.id}`)).body.outstanding.amount).toBe('225.00');
    const open = await clerk.get(`/api/v1/accounting/invoices?customerId=${customer.id}&open=true&limit=200`);
    expect(open.body.items.map((d: { id: string }) => d.id)).toContain(b.id);
    expect(open.body.items.map((d: { id: string }) => d.id)).not.toContain(a.id);

    // Over-allocation: more than the 225.00 left on b. Refused, and nothing is written.
    const over = await clerk.post('/api/v1/accounting/receipts', {
      date: '2026-11-21',
      customerId: customer.id,
      amount: { amount: '300.00', currency: 'ZAR' },
      allocations: [{ invoiceId: b.id, amount: '300.00' }],
    });
    expect(over.status).toBe(201);
    const before = await counts(devhost, demo.id);
    const refused = await clerk.post(`/api/v1/accounting/receipts/${over.body.id}/post`, undefined);
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.code).toBe('accounting.over_allocation');
    expect(refused.body.errors[0].path).toBe('allocations.0.amount');
    expect(await counts(devhost, demo.id)).toEqual(before);
    expect((await clerk.get(`/api/v1/accounting/invoices/${b.id}`)).body.outstanding.amount).toBe('225.00');
    expect((await clerk.get(`/api/v1/accounting/receipts/${over.body.id}`)).body.status).toBe('draft');
  });

  it.each<[string, { allocations?: 'short' | 'eur' | []; customerId?: null }, string]>([
    ['allocations that do not add up to the amount', { allocations: 'short' }, 'allocations'],
    ['no customer', { customerId: null }, 'customerId'],
    ['no allocations', { allocations: [] }, 'allocations'],
    ['an invoice in another currency', { allocations: 'eur' }, 'allocations.0.invoiceId'],
  ])('refuses to post a receipt with %s, writing nothing', async (_, change, path) => {
    const inv = await issuedDocument(
      clerk,
      'invoices',
      invoice([line({ account: '4000', unitPrice: '100.00', taxCode: 'ZERO' })]),
    );
    const allocations =
      change.allocations === 'short'
        ? [{ invoiceId: inv.id, amount: '99.00' }]
        : change.allocations === 'eur'
          ? [{ invoiceId: inv.id, amount: '100.00' }]
          : (change.allocations ?? [{ invoiceId: inv.id, amount: '100.00' }]);
    const draft = await clerk.post('/api/v1/accounting/receipts', {
      date: '2026-11-22',
      ...(change.customerId === null ? {} : { customerId: customer.id }),
      amount: { amount: '100.00', currency: change.allocations === 'eur' ? 'EUR' : 'ZAR' },
      allocations,
    });
    expect(draft.status, draft.text).toBe(201);
    const before = await counts(devhost, demo.id);
    const response = await clerk.post(`/api/v1/accounting/receipts/${draft.body.id}/post`, undefined);
    expect(response.status, response.text).toBe(422);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await counts(devhost, demo.id)).toEqual(before);
  });

  it.each([
    [
      'an amount with more places than the currency has',
      { amount: { amount: '10.001', currency: 'ZAR' } },
      400,
      'amount.amount',
    ],
    ['a negative amount', { amount: { amount: '-10', currency: 'ZAR' } }, 400, 'amount.amount'],
    [
      'an account that is not a bank',
      { amount: { amount: '10', currency: 'ZAR' }, bankAccount: '4000' },
      422,
      'bankAccount',
    ],
    [
      'the same invoice twice',
      {
        amount: { amount: '2', currency: 'ZAR' },
        allocations: [
          { invoiceId: '00000000-0000-4000-8000-000000000001', amount: '1' },
          { invoiceId: '00000000-0000-4000-8000-000000000001', amount: '1' },
        ],
      },
      400,
      'allocations',
    ],
  ])('refuses a receipt with %s, naming the field, writing nothing', async (_, body, status, path) => {
    const before = await counts(devhost, demo.id);
    const response = await clerk.post('/api/v1/accounting/receipts', { date: '2026-11-22', ...body });
    expect(response.status, response.text).toBe(status);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await counts(devhost, demo.id)).toEqual(before);
  });

  it('lets only one of two concurrent receipts settle the same invoice', async () => {
    const inv = await issuedDocument(
      clerk,
      'invoices',
      invoice([line({ account: '4000', unitPrice: '700.00', taxCode: 'ZERO' })]),
    );
    const drafts = await Promise.all(
      [1, 2].map(() =>
        clerk.post('/api/v1/accounting/receipts', {
          date: '2026-11-24',
          customerId: customer.id,
          amount: { amount: '700.00', currency: 'ZAR' },
          allocations: [{ invoiceId: inv.id, amount: '700.00' }],
        }),
      ),
    );
    const posted = await Promise.all(
      drafts.map((d) => clerk.post(`/api/v1/accounting/receipts/${d.body.id}/post`, undefined)),
    );
    expect(posted.map((p) => p.status).sort()).toEqual([200, 422]);
    expect(posted.find((p) => p.status === 422)!.body.code).toBe('accounting.over_allocation');
    const after = await clerk.get(`/api/v1/accounting/invoices/${inv.id}`);
    expect(after.body.settled.amount).toBe('700.00');
  });

  it('counts a retried receipt once (same Idempotency-Key)', async () => {
    const inv = await issuedDocument(
      clerk,
      'invoices',
      invoice([line({ account: '4000', unitPrice: '400.00', taxCode: 'ZERO' })]),
    );
    const body = {
      date: '2026-11-23',
      customerId: customer.id,
      amount: { amount: '400.00', currency: 'ZAR' },
      allocations: [{ invoiceId: inv.id, amount: '400.00' }],
    };
    const created = await Promise.all(
      [1, 2, 3].map(() =>
        clerk.post('/api/v1/accounting/receipts', body, { 'idempotency-key': 'rcpt-retry-create' }),
      ),
    );
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    const id = created[0]!.body.id;
    const posted = await Promise.all(
      [1, 2, 3].map(() =>
        clerk.post(`/api/v1/accounting/receipts/${id}/post`, undefined, {
          'idempotency-key': 'rcpt-retry-post',
        }),
      ),
    );
    for (const p of posted) expect(p.status, p.text).toBe(200);
    expect(new Set(posted.map((p) => p.body.entryId)).size).toBe(1);
    const stored = await withTenant(devhost.db, demo.id, async (trx) => ({
      receipts: await trx
        .selectFrom('trade_settlements')
        .select('id')
        .where('reference', 'is', null)
        .where('amount', '=', '400.0000')
        .execute(),
      allocations: await trx
        .selectFrom('trade_allocations')
        .select('id')
        .where('document_id', '=', inv.id)
        .execute(),
      entries: await trx.selectFrom('journal_entries').select('id').where('source_id', '=', id).execute(),
    }));
    expect(stored.receipts).toHaveLength(1);
    expect(stored.allocations).toHaveLength(1);
    expect(stored.entries).toHaveLength(1);
    expect((await clerk.get(`/api/v1/accounting/invoices/${inv.id}`)).body.outstanding.amount).toBe('0.00');
    // Without the key, a second post is a conflict, not a second receipt.
    expect((await clerk.post(`/api/v1/accounting/receipts/${id}/post`, undefined)).status).toBe(409);
  });
});

describe('realised exchange differences', () => {
  let eurCustomer: { id: string };
  beforeAll(async () => {
    for (const [date, rate] of [
      ['2026-10-01', '20.00'],
      ['2026-11-15', '21.50'],
      ['2026-11-25', '20.1234'],
    ] as const) {
      const r = await clerk.post('/api/v1/accounting/exchange-rates', { currency: 'EUR', date, rate });
      expect(r.status, r.text).toBe(201);
    }
    eurCustomer = await createParty(clerk, 'customers', 'EUROBUILD', { currency: 'EUR' });
  });

  it('books a gain when the euro has risen, and the receivable nets to zero in rand', async () => {
    const inv = await issuedDocument(clerk, 'invoices', {
      issueDate: '2026-10-05',
      customerId: eurCustomer.id,
      lines: [line({ account: '4000', unitPrice: '1000.00', taxCode: 'ZERO' })],
    });
    expect(inv).toMatchObject({
      currency: 'EUR',
      exchangeRate: '20',
      baseGross: { amount: '20000.00', currency: 'ZAR' },
    });
    const receipt = await postedSettlement(clerk, 'receipts', {
      date: '2026-11-20',
      customerId: eurCustomer.id,
      amount: { amount: '1000.00', currency: 'EUR' },
      allocations: [{ invoiceId: inv.id, amount: '1000.00' }],
    });
    expect(receipt.status, receipt.text).toBe(200);
    expect(receipt.body).toMatchObject({
      exchangeRate: '21.5',
      baseAmount: { amount: '21500.00', currency: 'ZAR' },
      fxDifference: { amount: '1500.00', currency: 'ZAR' },
    });
    const entry = await entryLines(clerk, receipt.body.entryId);
    expect(entry.currency).toBe('ZAR');
    expect(entry.lines).toEqual([
      ['1000', 'debit', '21500.00', '21500.00'],
      ['1100', 'credit', '20000.00', '20000.00'],
      ['4700', 'credit', '1500.00', '1500.00'],
    ]);
    expect(await baseBalance(clerk, [inv.entryId, receipt.body.entryId], '1100')).toBe('0.00');
  });

  it('books a loss to the cent over two part payments, the last one closing the invoice exactly', async () => {
    const inv = await issuedDocument(clerk, 'invoices', {
      issueDate: '2026-11-16',
      customerId: eurCustomer.id,
      lines: [line({ account: '4000', unitPrice: '333.40', taxCode: 'ZERO' })],
    });
    expect(inv.baseGross.amount).toBe('7168.10');
    const first = await postedSettlement(clerk, 'receipts', {
      date: '2026-11-25',
      customerId: eurCustomer.id,
      amount: { amount: '100.00', currency: 'EUR' },
      allocations: [{ invoiceId: inv.id, amount: '100.00' }],
    });
    expect(first.status, first.text).toBe(200);
    // 100 EUR booked at 21.50 = 2150.00 ZAR, received at 20.1234 = 2012.34 ZAR: a loss of 137.66.
    expect((await entryLines(clerk, first.body.entryId)).lines).toEqual([
      ['1000', 'debit', '2012.34', '2012.34'],
      ['1100', 'credit', '2150.00', '2150.00'],
      ['6850', 'debit', '137.66', '137.66'],
    ]);
    expect(first.body.fxDifference.amount).toBe('-137.66');
    const last = await postedSettlement(clerk, 'receipts', {
      date: '2026-11-26',
      customerId: eurCustomer.id,
      amount: { amount: '233.40', currency: 'EUR' },
      allocations: [{ invoiceId: inv.id, amount: '233.40' }],
    });
    expect(last.status, last.text).toBe(200);
    // 233.40 × 20.1234 = 4696.80 ZAR received against the 5018.10 ZAR still on the receivable.
    expect((await entryLines(clerk, last.body.entryId)).lines).toEqual([
      ['1000', 'debit', '4696.80', '4696.80'],
      ['1100', 'credit', '5018.10', '5018.10'],
      ['6850', 'debit', '321.30', '321.30'],
    ]);
    expect(await baseBalance(clerk, [inv.entryId, first.body.entryId, last.body.entryId], '1100')).toBe(
      '0.00',
    );
    const settled = await clerk.get(`/api/v1/accounting/invoices/${inv.id}`);
    expect(settled.body).toMatchObject({
      outstanding: { amount: '0.00' },
      baseOutstanding: { amount: '0.00' },
    });
  });

  it('refuses to issue an invoice in a currency without a rate, naming the currency, writing nothing', async () => {
    const draft = await clerk.post('/api/v1/accounting/invoices', {
      issueDate: '2026-11-16',
      customerId: eurCustomer.id,
      currency: 'USD',
      lines: [line({ account: '4000', unitPrice: '10.00', taxCode: 'ZERO' })],
    });
    expect(draft.status, draft.text).toBe(201);
    const before = await counts(devhost, demo.id);
    const response = await clerk.post(`/api/v1/accounting/invoices/${draft.body.id}/issue`, undefined);
    expect(response.status).toBe(422);
    expect(response.body.errors[0].path).toBe('currency');
    expect(await counts(devhost, demo.id)).toEqual(before);
  });

  it('posts the difference between a credit note and its invoice when their rates differ', async () => {
    const inv = await issuedDocument(clerk, 'invoices', {
      issueDate: '2026-10-10',
      customerId: eurCustomer.id,
      lines: [line({ account: '4000', unitPrice: '100.00', taxCode: 'ZERO' })],
    });
    const note = await issuedDocument(clerk, 'credit-notes', {
      issueDate: '2026-11-16',
      customerId: eurCustomer.id,
      invoiceId: inv.id,
      lines: [line({ account: '4000', unitPrice: '100.00', taxCode: 'ZERO' })],
    });
    expect(note.baseGross.amount).toBe('2150.00');
    const fx = await withTenant(devhost.db, demo.id, (trx) =>
      trx
        .selectFrom('journal_entries')
        .select('id')
        .where('source_type', '=', 'accounting.credit-allocation')
        .where('entry_date', '=', '2026-11-16')
        .executeTakeFirstOrThrow(),
    );
    expect((await entryLines(clerk, fx.id)).lines).toEqual([
      ['1100', 'debit', '2150.00', '2150.00'],
      ['1100', 'credit', '2000.00', '2000.00'],
      ['4700', 'credit', '150.00', '150.00'],
    ]);
    expect(await baseBalance(clerk, [inv.entryId, note.entryId, fx.id], '1100')).toBe('0.00');
  });
});
