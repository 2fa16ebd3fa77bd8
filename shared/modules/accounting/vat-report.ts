import { sql } from 'kysely';
import { z } from 'zod';
import type { Tx } from '../../platform/db/database.js';
import { toCsv } from '../../platform/http/csv.js';
import { Decimal, Money, minorUnits } from '../../platform/money.js';
import { accountingErrors } from './errors.js';
import { tenantBooks } from './repository.js';
import { reportFormat } from './statements-schemas.js';
import { dateSchema } from './schemas.js';

type Dec = InstanceType<typeof Decimal>;
const ZERO = new Decimal(0);

export const vatReportQuerySchema = z.strictObject({ from: dateSchema, to: dateSchema, ...reportFormat });

const vatLineSchema = z.object({
  taxCode: z.string(),
  kind: z.string(),
  rate: z.string(),
  net: z.string(),
  vat: z.string(),
});
export const vatReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  supplies: z.array(vatLineSchema),
  purchases: z.array(vatLineSchema),
  documents: z.object({ outputVat: z.string(), inputVat: z.string() }),
  ledger: z.object({ outputVat: z.string(), inputVat: z.string() }),
  otherVatPostings: z.object({ output: z.string(), input: z.string() }),
  netPayable: z.string(),
});
export type VatReport = z.infer<typeof vatReportSchema>;

interface DocumentTaxRow {
  ledger: 'receivable' | 'payable';
  kind: 'invoice' | 'credit_note' | 'bill';
  currency: string;
  exchange_rate: string;
  tax_code: string;
  tax_kind: string;
  tax_rate: string;
  net: string;
}

const half = (value: Dec, scale: number) => value.toDecimalPlaces(scale, Decimal.ROUND_HALF_UP);

/**
 * The VAT report for a period (South Africa's VAT201 in substance): supplies and purchases per tax
 * code, net and VAT, from the invoices, credit notes and bills issued in the period, in the base
 * currency; the VAT the ledger holds on the input and output accounts; any VAT posted other than
 * through documents (journals); and the net amount payable (negative: refundable).
 *
 * VAT per document is worked out as the document did (per tax code, on the summed net, rounded
 * half up once), then converted at the document's rate, so the figures agree with what was issued.
 */
export async function vatReport(trx: Tx, from: string, to: string): Promise<VatReport> {
  if (to < from) throw accountingErrors.dateRange();
  const books = await tenantBooks(trx);
  const baseScale = minorUnits(books.baseCurrency);
  const rows = await sql<DocumentTaxRow & { document_id: string }>`
    select d.id as document_id, d.ledger, d.kind, d.currency, d.exchange_rate::text as exchange_rate,
           l.tax_code, t.kind as tax_kind, l.tax_rate::text as tax_rate, sum(l.net)::text as net
    from trade_documents d
    join trade_document_lines l on l.tenant_id = d.tenant_id and l.document_id = d.id
    join tax_codes t on t.tenant_id = l.tenant_id and t.code = l.tax_code
    where d.tenant_id = ${books.id} and d.status <> 'draft' and d.issue_date between ${from} and ${to}
    group by d.id, d.ledger, d.kind, d.currency, d.exchange_rate, l.tax_code, t.kind, l.tax_rate`.execute(
    trx,
  );

  const totals = new Map<string, { taxCode: string; kind: string; rate: string; net: Dec; vat: Dec }>();
  for (const row of rows.rows) {
    const sign = row.kind === 'credit_note' ? -1 : 1;
    const net = new Decimal(row.net);
    const vat = half(net.times(row.tax_rate).dividedBy(100), minorUnits(row.currency));
    const rate = new Decimal(row.exchange_rate);
    const key = `${row.ledger}:${row.tax_code}`;
    const entry = totals.get(key) ?? {
      taxCode: row.tax_code,
      kind: row.tax_kind,
      rate: new Decimal(row.tax_rate).toString(),
      net: ZERO,
      vat: ZERO,
    };
    entry.net = entry.net.plus(half(net.times(rate), baseScale).times(sign));
    entry.vat = entry.vat.plus(half(vat.times(rate), baseScale).times(sign));
    totals.set(key, entry);
  }
  const shown = (value: Dec) => Money.of(value, books.baseCurrency).toAmountString();
  const side = (ledger: string) =>
    [...totals.entries()]
      .filter(([key]) => key.startsWith(`${ledger}:`))
      .map(([, t]) => t)
      .sort((a, b) => a.taxCode.localeCompare(b.taxCode));
  const supplies = side('receivable');
  const purchases = side('payable');
  const documentOutput = supplies.reduce((sum, t) => sum.plus(t.vat), ZERO);
  const documentInput = purchases.reduce((sum, t) => sum.plus(t.vat), ZERO);

  const ledger = await sql<{ role: string; debit: string; credit: string }>`
    select a.role, coalesce(sum(l.base_debit), 0)::text as debit, coalesce(sum(l.base_credit), 0)::text as credit
    from accounts a
    left join journal_lines l on l.tenant_id = a.tenant_id and l.account_id = a.id and l.entry_date between ${from} and ${to}
    where a.tenant_id = ${books.id} and a.role in ('vat_output', 'vat_input')
    group by a.role`.execute(trx);
  const movement = (role: string, sign: 1 | -1) => {
    const row = ledger.rows.find((r) => r.role === role);
    return row ? new Decimal(row.debit).minus(row.credit).times(sign) : ZERO;
  };
  const ledgerOutput = movement('vat_output', -1);
  const ledgerInput = movement('vat_input', 1);

  const line = (t: { taxCode: string; kind: string; rate: string; net: Dec; vat: Dec }) => ({
    taxCode: t.taxCode,
    kind: t.kind,
    rate: t.rate,
    net: shown(t.net),
    vat: shown(t.vat),
  });
  return {
    from,
    to,
    currency: books.baseCurrency,
    supplies: supplies.map(line),
    purchases: purchases.map(line),
    documents: { outputVat: shown(documentOutput), inputVat: shown(documentInput) },
    ledger: { outputVat: shown(ledgerOutput), inputVat: shown(ledgerInput) },
    otherVatPostings: {
      output: shown(ledgerOutput.minus(documentOutput)),
      input: shown(ledgerInput.minus(documentInput)),
    },
    netPayable: shown(ledgerOutput.minus(ledgerInput)),
  };
}

export function vatReportCsv(report: VatReport): string {
  const rows = [
    ...report.supplies.map((s) => ['supplies', s.taxCode, s.kind, s.rate, s.net, s.vat]),
    ...report.purchases.map((p) => ['purchases', p.taxCode, p.kind, p.rate, p.net, p.vat]),
    ['other VAT postings (output)', '', '', '', '', report.otherVatPostings.output],
    ['other VAT postings (input)', '', '', '', '', report.otherVatPostings.input],
    ['output VAT (ledger)', '', '', '', '', report.ledger.outputVat],
    ['input VAT (ledger)', '', '', '', '', report.ledger.inputVat],
    ['net payable', '', '', '', '', report.netPayable],
  ];
  return toCsv(
    ['section', 'tax code', 'kind', 'rate %', `net (${report.currency})`, `VAT (${report.currency})`],
    rows,
  );
}
