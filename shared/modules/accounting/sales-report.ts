import { sql } from 'kysely';
import { z } from 'zod';
import type { Tx } from '../../platform/db/database.js';
import { toCsv } from '../../platform/http/csv.js';
import { Decimal, Money, minorUnits } from '../../platform/money.js';
import { accountingErrors } from './errors.js';
import { tenantBooks } from './repository.js';
import { dateSchema } from './schemas.js';
import { reportFormat } from './statements-schemas.js';

type Dec = InstanceType<typeof Decimal>;
const ZERO = new Decimal(0);

export const salesByCustomerQuerySchema = z.strictObject({
  from: dateSchema,
  to: dateSchema,
  ...reportFormat,
});

const amount = z.string().meta({ description: 'Exact decimal in the base currency', examples: ['1234.50'] });

export const salesByCustomerSchema = z.object({
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  rows: z.array(
    z.object({
      month: z.string().meta({ description: 'YYYY-MM', examples: ['2026-10'] }),
      customerId: z.uuid(),
      customerCode: z.string(),
      customerName: z.string(),
      invoices: z.number().int(),
      creditNotes: z.number().int(),
      net: amount.meta({ description: 'Invoiced less credited, excluding VAT' }),
      tax: amount,
      gross: amount,
    }),
  ),
  totals: z.object({ net: amount, tax: amount, gross: amount }),
});
export type SalesByCustomer = z.infer<typeof salesByCustomerSchema>;

interface DocumentRow {
  month: string;
  party_id: string;
  code: string;
  name: string;
  kind: 'invoice' | 'credit_note';
  net: string;
  tax: string;
  exchange_rate: string | null;
}

/**
 * Sales per customer and month: the invoices less the credit notes issued to each customer in the
 * period, excluding and including VAT, in the base currency. Each document is converted at the
 * rate it was issued at and rounded half up once, as the VAT report does, so the two agree.
 */
export async function salesByCustomer(trx: Tx, from: string, to: string): Promise<SalesByCustomer> {
  if (to < from) throw accountingErrors.dateRange();
  const books = await tenantBooks(trx);
  const scale = minorUnits(books.baseCurrency);
  const documents = await sql<DocumentRow>`
    select to_char(d.issue_date, 'YYYY-MM') as month, d.party_id, p.code, p.name, d.kind,
           d.net::text as net, d.tax::text as tax, d.exchange_rate::text as exchange_rate
    from trade_documents d
    join parties p on p.tenant_id = d.tenant_id and p.id = d.party_id
    where d.tenant_id = ${books.id} and d.ledger = 'receivable' and d.status <> 'draft'
      and d.kind in ('invoice', 'credit_note') and d.issue_date between ${from} and ${to}
    order by month, p.name, p.id`.execute(trx);
  const groups = new Map<
    string,
    { row: DocumentRow; invoices: number; creditNotes: number; net: Dec; tax: Dec }
  >();
  let totalNet = ZERO;
  let totalTax = ZERO;
  for (const doc of documents.rows) {
    const key = `${doc.month}|${doc.party_id}`;
    const group = groups.get(key) ?? { row: doc, invoices: 0, creditNotes: 0, net: ZERO, tax: ZERO };
    groups.set(key, group);
    const rate = new Decimal(doc.exchange_rate ?? '1');
    const sign = doc.kind === 'credit_note' ? -1 : 1;
    const net = new Decimal(doc.net).times(rate).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP).times(sign);
    const tax = new Decimal(doc.tax).times(rate).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP).times(sign);
    if (doc.kind === 'credit_note') group.creditNotes += 1;
    else group.invoices += 1;
    group.net = group.net.plus(net);
    group.tax = group.tax.plus(tax);
    totalNet = totalNet.plus(net);
    totalTax = totalTax.plus(tax);
  }
  const shown = (value: Dec) => Money.of(value, books.baseCurrency).toAmountString();
  return {
    from,
    to,
    currency: books.baseCurrency,
    rows: [...groups.values()].map((g) => ({
      month: g.row.month,
      customerId: g.row.party_id,
      customerCode: g.row.code,
      customerName: g.row.name,
      invoices: g.invoices,
      creditNotes: g.creditNotes,
      net: shown(g.net),
      tax: shown(g.tax),
      gross: shown(g.net.plus(g.tax)),
    })),
    totals: { net: shown(totalNet), tax: shown(totalTax), gross: shown(totalNet.plus(totalTax)) },
  };
}

export function salesByCustomerCsv(report: SalesByCustomer): string {
  return toCsv(
    ['month', 'customer_code', 'customer', 'invoices', 'credit_notes', 'net', 'tax', 'gross', 'currency'],
    [
      ...report.rows.map((r) => [
        r.month,
        r.customerCode,
        r.customerName,
        r.invoices,
        r.creditNotes,
        r.net,
        r.tax,
        r.gross,
        report.currency,
      ]),
      ['total', '', '', '', '', report.totals.net, report.totals.tax, report.totals.gross, report.currency],
    ],
  );
}
