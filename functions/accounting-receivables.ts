/** Receivables: customers, invoices and credit notes, receipts, aged receivables and statements. */
import {
  agingCsv,
  agingQuerySchema,
  agingReport,
  agingReportSchema,
  customerCreateSchema,
  customerPatchSchema,
  idParamsSchema,
  statementCsv,
  statementOfAccount,
  statementQuerySchema,
  statementSchema,
  tenantBooks,
} from '../shared/modules/accounting/index.js';
import { todayIn } from '../shared/platform/clock.js';
import { csvReply } from '../shared/platform/http/csv.js';
import { defineRoute } from '../shared/platform/http/route.js';
import {
  documentRoutes,
  FINANCE_CLERKS,
  FINANCE_READERS,
  partyRoutes,
  settlementRoutes,
} from './accounting-trade-routes.js';

// Sales reuses the customer record: its people read and add customers and keep their details;
// finance alone sets their credit.
const CUSTOMER_READERS = [...FINANCE_READERS, 'Sales.Manager', 'Sales.Rep'] as const;
const CUSTOMER_WRITERS = [...FINANCE_CLERKS, 'Sales.Manager', 'Sales.Rep'] as const;

const invoiceLine = {
  description: 'Site clearing, stand 14',
  account: '4100',
  quantity: '1',
  unitPrice: '12500.00',
  taxCode: 'VAT15',
};

partyRoutes({
  kind: 'customer',
  plural: 'customers',
  readers: CUSTOMER_READERS,
  writers: CUSTOMER_WRITERS,
  creditControllers: FINANCE_CLERKS,
  create: customerCreateSchema,
  patch: customerPatchSchema,
  example: {
    code: 'BUILDCO',
    name: 'BuildCo Contractors (Pty) Ltd',
    taxNumber: '4123456789',
    currency: 'ZAR',
    paymentTermsDays: 30,
    creditLimit: { amount: '250000.00', currency: 'ZAR' },
    email: 'accounts@buildco.example',
    phone: '+27 11 555 0142',
    billingAddress: { line1: '12 Main Road', city: 'Johannesburg', postalCode: '2001', country: 'ZA' },
    deliveryAddress: { line1: 'Erf 2211, Waterfall Estate', city: 'Midrand', country: 'ZA' },
    contacts: [{ name: 'Thandi Mokoena', role: 'Site manager', phone: '+27 82 555 0199' }],
  },
  patchExample: { name: 'BuildCo Contractors Ltd' },
});

// A draft needs no customer yet, so the example works in any tenant with the VAT15 tax code; the
// customer is named (PATCH) before the invoice is issued.
documentRoutes({
  kind: 'invoice',
  plural: 'invoices',
  label: 'invoice',
  partyKey: 'customerId',
  action: 'issue',
  readers: FINANCE_READERS,
  writers: FINANCE_CLERKS,
  example: { issueDate: '2026-11-02', currency: 'ZAR', reference: 'PO 4411', lines: [invoiceLine] },
  patchExample: { memo: 'Progress claim 3' },
});

documentRoutes({
  kind: 'credit_note',
  plural: 'credit-notes',
  label: 'credit note',
  partyKey: 'customerId',
  correctsKey: 'invoiceId',
  action: 'issue',
  readers: FINANCE_READERS,
  writers: FINANCE_CLERKS,
  example: {
    issueDate: '2026-11-03',
    currency: 'ZAR',
    memo: 'Stand 14 re-measured',
    lines: [{ ...invoiceLine, description: 'Site clearing: over-measured area', unitPrice: '1250.00' }],
  },
  patchExample: { memo: 'Stand 14 re-measured by the engineer' },
});

settlementRoutes({
  kind: 'receipt',
  plural: 'receipts',
  label: 'receipt',
  partyKey: 'customerId',
  documentKey: 'invoiceId',
  readers: FINANCE_READERS,
  writers: FINANCE_CLERKS,
  example: {
    date: '2026-11-20',
    amount: { amount: '14375.00', currency: 'ZAR' },
    bankAccount: '1000',
    reference: 'EFT BUILDCO 2011',
  },
  patchExample: { reference: 'EFT BUILDCO 2011/2' },
});

defineRoute({
  name: 'accounting-customers-statement',
  method: 'GET',
  route: 'v1/accounting/customers/{id:guid}/statement',
  summary:
    "A customer's statement of account per currency: balance brought forward, invoices, credit notes and receipts with the running balance, closing balance",
  tags: ['accounting'],
  roles: CUSTOMER_READERS,
  params: idParamsSchema,
  query: statementQuerySchema,
  response: statementSchema,
  handler: async ({ trx, params, query }) => {
    // Without a range: this month to date.
    const to = query.to ?? todayIn((await tenantBooks(trx)).timeZone);
    const from = query.from ?? `${to.slice(0, 8)}01`;
    const statement = await statementOfAccount(trx, 'customer', params.id, from, to);
    return query.format === 'csv'
      ? csvReply(`statement-${statement.code}-${from}-${to}.csv`, statementCsv(statement))
      : { body: statement };
  },
});

defineRoute({
  name: 'accounting-reports-ar-aging',
  method: 'GET',
  route: 'v1/accounting/reports/ar-aging',
  summary:
    'Aged receivables as of a date: outstanding per customer by days past due, in document and base currency',
  tags: ['accounting'],
  roles: FINANCE_READERS,
  query: agingQuerySchema,
  response: agingReportSchema,
  database: 'replica',
  handler: async ({ trx, query }) => {
    const report = await agingReport(trx, 'receivable', query.asOf);
    return query.format === 'csv'
      ? csvReply(`ar-aging-${report.asOf}.csv`, agingCsv(report))
      : { body: report };
  },
});
