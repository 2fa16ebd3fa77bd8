import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
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
let supplier: { id: string };
beforeAll(async () => {
  clerk = await devhost.as('demo', 'paul', ['Finance.Clerk']);
  supplier = await createParty(clerk, 'suppliers', 'CEMENTCO', {
    name: 'CementCo Supplies',
    paymentTermsDays: 45,
  });
});

const bill = (lines: unknown[], extra: Record<string, unknown> = {}) => ({
  issueDate: '2026-11-02',
  supplierId: supplier.id,
  lines,
  ...extra,
});

describe('suppliers', () => {
  it('creates, reads and changes a supplier; a supplier has no credit limit', async () => {
    const created = await createParty(clerk, 'suppliers', 'STEELCO', { name: 'SteelCo' });
    expect(created).not.toHaveProperty('creditLimit');
    const refused = await clerk.post('/api/v1/accounting/suppliers', {
      code: 'LIMITED',
      name: 'Limited',
      creditLimit: { amount: '1', currency: 'ZAR' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toContain('creditLimit');
    const changed = await clerk.patch(
      `/api/v1/accounting/suppliers/${created.id}`,
      { email: 'ap@steelco.example', active: false },
      { 'if-match': '"1"' },
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ email: 'ap@steelco.example', active: false, version: 2 });
    // A deactivated supplier takes no new bills.
    const draft = await clerk.post(
      '/api/v1/accounting/bills',
      bill([line({ account: '5100', unitPrice: '1', taxCode: 'ZERO' })], { supplierId: created.id }),
    );
    expect(draft.status).toBe(422);
    expect(draft.body.errors[0].path).toBe('supplierId');
  });
});

describe('supplier bills', () => {
  it('posts a bill: expenses and VAT input debited, AP credited with the gross', async () => {
    const doc = await issuedDocument(
      clerk,
      'bills',
      bill(
        [
          line({ account: '5100', quantity: '10', unitPrice: '95.50', taxCode: 'VAT15' }),
          line({ account: '1500', unitPrice: '20000.00', taxCode: 'VAT15' }),
          line({ account: '6350', unitPrice: '1200.00', taxCode: 'EXEMPT' }),
        ],
        { reference: 'CC-INV-0042' },
      ),
    );
    expect(doc).toMatchObject({
      kind: 'bill',
      status: 'posted',
      reference: 'CC-INV-0042',
      dueDate: '2026-12-17',
      net: { amount: '22155.00' },
      tax: { amount: '3143.25' },
      gross: { amount: '25298.25' },
    });
    expect(doc.number).toMatch(/^BILL-2026-\d{6}$/);
    const entry = await entryLines(clerk, doc.entryId);
    expect(entry.source).toEqual({ type: 'accounting.bill', id: doc.id });
    expect(entry.lines).toEqual([
      ['2000', 'credit', '25298.25', '25298.25'],
      ['1500', 'debit', '20000.00', '20000.00'],
      ['5100', 'debit', '955.00', '955.00'],
      ['6350', 'debit', '1200.00', '1200.00'],
      ['1300', 'debit', '3143.25', '3143.25'],
    ]);
    expect(
      (await eventPayloads(devhost, demo.id, 'accounting.BillRecorded')).find((e) => e.billId === doc.id),
    ).toMatchObject({
      supplierId: supplier.id,
      supplierReference: 'CC-INV-0042',
      gross: '25298.25',
    });

    // The same supplier invoice cannot be recorded twice.
    const again = await clerk.post(
      '/api/v1/accounting/bills',
      bill([line({ account: '5100', unitPrice: '1', taxCode: 'ZERO' })], { reference: 'cc-inv-0042' }),
    );
    const before = await counts(devhost, demo.id);
    const duplicate = await clerk.post(`/api/v1/accounting/bills/${again.body.id}/post`, undefined);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors[0].path).toBe('reference');
    expect(await counts(devhost, demo.id)).toEqual(before);
  });

  it('refuses a revenue account on a bill, naming the line', async () => {
    const response = await clerk.post(
      '/api/v1/accounting/bills',
      bill([line({ account: '4000', unitPrice: '1', taxCode: 'ZERO' })]),
    );
    expect(response.status).toBe(422);
    expect(response.body.errors[0].path).toBe('lines.0.account');
  });
});

describe('supplier payments', () => {
  it('pays two bills, one in part, and refuses to pay more than is owed', async () => {
    const a = await issuedDocument(
      clerk,
      'bills',
      bill([line({ account: '5100', unitPrice: '2000.00', taxCode: 'VAT15' })]),
    );
    const b = await issuedDocument(
      clerk,
      'bills',
      bill([line({ account: '5200', unitPrice: '1000.00', taxCode: 'ZERO' })]),
    );
    const payment = await postedSettlement(clerk, 'supplier-payments', {
      date: '2026-11-30',
      supplierId: supplier.id,
      amount: { amount: '2700.00', currency: 'ZAR' },
      bankAccount: '1010',
      allocations: [
        { billId: a.id, amount: '2300.00' },
        { billId: b.id, amount: '400.00' },
      ],
    });
    expect(payment.status, payment.text).toBe(200);
    expect(payment.body.number).toMatch(/^PAY-2026-\d{6}$/);
    const entry = await entryLines(clerk, payment.body.entryId);
    expect(entry.source).toEqual({ type: 'accounting.supplier-payment', id: payment.body.id });
    expect(entry.lines).toEqual([
      ['1010', 'credit', '2700.00', '2700.00'],
      ['2000', 'debit', '2300.00', '2300.00'],
      ['2000', 'debit', '400.00', '400.00'],
    ]);
    expect((await clerk.get(`/api/v1/accounting/bills/${b.id}`)).body.outstanding.amount).toBe('600.00');
    expect(
      (await eventPayloads(devhost, demo.id, 'accounting.PaymentMade')).find(
        (e) => e.paymentId === payment.body.id,
      ),
    ).toMatchObject({
      allocations: [
        { billId: a.id, amount: '2300.00' },
        { billId: b.id, amount: '400.00' },
      ],
    });

    const over = await clerk.post('/api/v1/accounting/supplier-payments', {
      date: '2026-12-01',
      supplierId: supplier.id,
      amount: { amount: '600.01', currency: 'ZAR' },
      allocations: [{ billId: b.id, amount: '600.01' }],
    });
    const before = await counts(devhost, demo.id);
    const refused = await clerk.post(`/api/v1/accounting/supplier-payments/${over.body.id}/post`, undefined);
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('allocations.0.amount');
    expect(await counts(devhost, demo.id)).toEqual(before);

    // A bill of another supplier cannot be paid from this supplier's payment.
    const other = await createParty(clerk, 'suppliers', 'OTHERCO');
    const theirs = await issuedDocument(
      clerk,
      'bills',
      bill([line({ account: '5100', unitPrice: '10', taxCode: 'ZERO' })], { supplierId: other.id }),
    );
    const wrong = await postedSettlement(clerk, 'supplier-payments', {
      date: '2026-12-01',
      supplierId: supplier.id,
      amount: { amount: '10.00', currency: 'ZAR' },
      allocations: [{ billId: theirs.id, amount: '10.00' }],
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0].path).toBe('allocations.0.billId');
  });

  it('books a realised loss when the dollar has risen by the time the bill is paid; AP nets to zero', async () => {
    for (const [date, rate] of [
      ['2026-10-01', '18.00'],
      ['2026-11-10', '18.37'],
    ] as const)
      expect(
        (await clerk.post('/api/v1/accounting/exchange-rates', { currency: 'USD', date, rate })).status,
      ).toBe(201);
    const usd = await createParty(clerk, 'suppliers', 'USPARTS', { currency: 'USD' });
    const doc = await issuedDocument(clerk, 'bills', {
      issueDate: '2026-10-15',
      supplierId: usd.id,
      lines: [line({ account: '5100', quantity: '3', unitPrice: '1234.56', taxCode: 'ZERO' })],
    });
    expect(doc).toMatchObject({
      currency: 'USD',
      gross: { amount: '3703.68' },
      baseGross: { amount: '66666.24' },
    });
    const payment = await postedSettlement(clerk, 'supplier-payments', {
      date: '2026-11-12',
      supplierId: usd.id,
      amount: { amount: '3703.68', currency: 'USD' },
      allocations: [{ billId: doc.id, amount: '3703.68' }],
    });
    expect(payment.status, payment.text).toBe(200);
    // 3703.68 × 18.37 = 68036.6016 → 68036.60 paid for what was booked at 66666.24: a loss of 1370.36.
    expect((await entryLines(clerk, payment.body.entryId)).lines).toEqual([
      ['1000', 'credit', '68036.60', '68036.60'],
      ['2000', 'debit', '66666.24', '66666.24'],
      ['6850', 'debit', '1370.36', '1370.36'],
    ]);
    expect(payment.body.fxDifference).toEqual({ amount: '-1370.36', currency: 'ZAR' });
    expect(await baseBalance(clerk, [doc.entryId, payment.body.entryId], '2000')).toBe('0.00');
  });

  it('books a realised gain when the dollar has fallen', async () => {
    expect(
      (
        await clerk.post('/api/v1/accounting/exchange-rates', {
          currency: 'USD',
          date: '2026-11-20',
          rate: '17.50',
        })
      ).status,
    ).toBe(201);
    const usd = await createParty(clerk, 'suppliers', 'USTOOLS', { currency: 'USD' });
    const doc = await issuedDocument(clerk, 'bills', {
      issueDate: '2026-11-11',
      supplierId: usd.id,
      lines: [line({ account: '5100', unitPrice: '100.00', taxCode: 'ZERO' })],
    });
    expect(doc.baseGross.amount).toBe('1837.00');
    const payment = await postedSettlement(clerk, 'supplier-payments', {
      date: '2026-11-21',
      supplierId: usd.id,
      amount: { amount: '100.00', currency: 'USD' },
      allocations: [{ billId: doc.id, amount: '100.00' }],
    });
    expect((await entryLines(clerk, payment.body.entryId)).lines).toEqual([
      ['1000', 'credit', '1750.00', '1750.00'],
      ['2000', 'debit', '1837.00', '1837.00'],
      ['4700', 'credit', '87.00', '87.00'],
    ]);
    expect(await baseBalance(clerk, [doc.entryId, payment.body.entryId], '2000')).toBe('0.00');
  });
});
