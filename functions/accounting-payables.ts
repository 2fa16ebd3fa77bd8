/** Payables: suppliers, bills, supplier payments and aged payables. */
import {
  agingCsv,
  agingQuerySchema,
  agingReport,
  agingReportSchema,
  supplierCreateSchema,
  supplierPatchSchema,
} from '../shared/modules/accounting/index.js';
import { csvReply } from '../shared/platform/http/csv.js';
import { defineRoute } from '../shared/platform/http/route.js';
import {
  documentRoutes,
  FINANCE_CLERKS,
  FINANCE_READERS,
  partyRoutes,
  settlementRoutes,
} from './accounting-trade-routes.js';

// Purchasing reuses the supplier record: its officers read suppliers; finance keeps them.
const SUPPLIER_READERS = [...FINANCE_READERS, 'Purchasing.Officer'] as const;

partyRoutes({
  kind: 'supplier',
  plural: 'suppliers',
  readers: SUPPLIER_READERS,
  writers: FINANCE_CLERKS,
  create: supplierCreateSchema,
  patch: supplierPatchSchema,
  example: {
    code: 'PLANTCO',
    name: 'PlantCo Hire (Pty) Ltd',
    taxNumber: '4987654321',
    currency: 'ZAR',
    paymentTermsDays: 45,
    email: 'billing@plantco.example',
    billingAddress: { line1: '3 Industrial Street', city: 'Germiston', postalCode: '1401', country: 'ZA' },
  },
  patchExample: { name: 'PlantCo Hire and Sales (Pty) Ltd' },
});

// A draft needs no supplier yet, so the example works in any tenant with the VAT15 tax code.
documentRoutes({
  kind: 'bill',
  plural: 'bills',
  label: 'bill',
  partyKey: 'supplierId',
  action: 'post',
  readers: FINANCE_READERS,
  writers: FINANCE_CLERKS,
  example: {
    issueDate: '2026-11-02',
    currency: 'ZAR',
    reference: 'PC-INV-8812',
    lines: [
      {
        description: 'Excavator hire, 3 days',
        account: '5300',
        quantity: '3',
        unitPrice: '4200.00',
        taxCode: 'VAT15',
      },
    ],
  },
  patchExample: { memo: 'Stand 14 earthworks' },
});

settlementRoutes({
  kind: 'payment',
  plural: 'supplier-payments',
  label: 'supplier payment',
  partyKey: 'supplierId',
  documentKey: 'billId',
  readers: FINANCE_READERS,
  writers: FINANCE_CLERKS,
  example: {
    date: '2026-11-25',
    amount: { amount: '14490.00', currency: 'ZAR' },
    bankAccount: '1000',
    reference: 'EFT PLANTCO',
  },
  patchExample: { reference: 'EFT PLANTCO 2511' },
});

defineRoute({
  name: 'accounting-reports-ap-aging',
  method: 'GET',
  route: 'v1/accounting/reports/ap-aging',
  summary:
    'Aged payables as of a date: outstanding per supplier by days past due, in document and base currency',
  tags: ['accounting'],
  roles: FINANCE_READERS,
  query: agingQuerySchema,
  response: agingReportSchema,
  database: 'replica',
  handler: async ({ trx, query }) => {
    const report = await agingReport(trx, 'payable', query.asOf);
    return query.format === 'csv'
      ? csvReply(`ap-aging-${report.asOf}.csv`, agingCsv(report))
      : { body: report };
  },
});
