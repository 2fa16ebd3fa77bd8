import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import { todayIn } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import { AppError, staleVersion } from '../../platform/errors.js';
import { emit } from '../../platform/events/outbox.js';
import type { Page } from '../../platform/http/pagination.js';
import { Decimal, minorUnits, Money } from '../../platform/money.js';
import { nextDocumentNumber } from '../../platform/numbers.js';
import { baseShare, recordAllocation, signedLine } from './allocations.js';
import { arApErrors as errors } from './ar-ap-errors.js';
import * as repo from './ar-ap-repository.js';
import type { DocumentDraftInput, DocumentLineInput, TradeDocument } from './ar-ap-schemas.js';
import type { DocumentKind, Ledger, PartyKind } from './ar-ap-tables.js';
import { postEntry } from './ledger.js';
import { tenantBooks, type TenantBooks } from './repository.js';

type Dec = InstanceType<typeof Decimal>;
const ZERO = new Decimal(0);

/** What differs between the document kinds; everything else is one implementation. */
export interface DocumentKindSpec {
  kind: DocumentKind;
  ledger: Ledger;
  partyKind: PartyKind;
  /** The request field naming the party, used in error paths. */
  partyPath: string;
  series: string;
  finalStatus: 'issued' | 'posted';
  /** Whether the document adds to what the party owes (or is owed): invoices and bills do. */
  increases: boolean;
  lineAccountTypes: readonly string[];
  sourceType: string;
  label: string;
}

export const DOCUMENT_KINDS: Record<DocumentKind, DocumentKindSpec> = {
  invoice: {
    kind: 'invoice',
    ledger: 'receivable',
    partyKind: 'customer',
    partyPath: 'customerId',
    series: 'INV',
    finalStatus: 'issued',
    increases: true,
    lineAccountTypes: ['revenue'],
    sourceType: 'accounting.invoice',
    label: 'invoice',
  },
  credit_note: {
    kind: 'credit_note',
    ledger: 'receivable',
    partyKind: 'customer',
    partyPath: 'customerId',
    series: 'CN',
    finalStatus: 'issued',
    increases: false,
    lineAccountTypes: ['revenue'],
    sourceType: 'accounting.credit-note',
    label: 'credit note',
  },
  bill: {
    kind: 'bill',
    ledger: 'payable',
    partyKind: 'supplier',
    partyPath: 'supplierId',
    series: 'BILL',
    finalStatus: 'posted',
    increases: true,
    // Bills buy services and goods (expenses) and equipment (assets).
    lineAccountTypes: ['expense', 'asset'],
    sourceType: 'accounting.bill',
    label: 'bill',
  },
};

/** Line amounts and VAT are rounded half up to the currency's minor units, as tax authorities do. */
const commercial = (value: Dec, currency: string) =>
  value.toDecimalPlaces(minorUnits(currency), Decimal.ROUND_HALF_UP);

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

interface PricedLine {
  description: string;
  accountId: string;
  account: string;
  quantity: string;
  unitPrice: string;
  discountPercent: string;
  net: Dec;
  taxCode: string;
  taxRate: string;
}

interface TaxLine {
  taxCode: string;
  rate: string;
  net: Dec;
  tax: Dec;
}

/** VAT per tax code: on the sum of the net amounts with that code, rounded once. */
export function taxSummary(
  lines: { net: Dec | string; taxCode: string; taxRate: string }[],
  currency: string,
): TaxLine[] {
  const byCode = new Map<string, TaxLine>();
  for (const line of lines) {
    const entry = byCode.get(line.taxCode) ?? {
      taxCode: line.taxCode,
      rate: line.taxRate,
      net: ZERO,
      tax: ZERO,
    };
    entry.net = entry.net.plus(line.net);
    byCode.set(line.taxCode, entry);
  }
  return [...byCode.values()]
    .sort((a, b) => a.taxCode.localeCompare(b.taxCode))
    .map((t) => ({ ...t, tax: commercial(t.net.times(t.rate).dividedBy(100), currency) }));
}

/** A line's net amount: quantity × unit price less the trade discount, rounded once for the currency. */
export function lineNet(quantity: string, unitPrice: string, discountPercent: string, currency: string): Dec {
  const gross = new Decimal(quantity).times(unitPrice);
  return commercial(gross.minus(gross.times(discountPercent).dividedBy(100)), currency);
}

async function priceLines(
  trx: Tx,
  spec: DocumentKindSpec,
  lines: DocumentLineInput[],
  currency: string,
): Promise<PricedLine[]> {
  const accounts = await repo.accountsByCodes(
    trx,
    lines.map((l) => l.account),
  );
  const rates = await repo.activeTaxCodes(
    trx,
    lines.map((l) => l.taxCode),
  );
  return lines.map((line, i) => {
    const account = accounts.get(line.account);
    if (
      !account ||
      !account.active ||
      !account.manual_posting ||
      !spec.lineAccountTypes.includes(account.type)
    )
      throw errors.lineAccount(`lines.${i}.account`, line.account, spec.lineAccountTypes.join(' or '));
    const rate = rates.get(line.taxCode);
    if (rate === undefined) throw errors.unknownTaxCode(`lines.${i}.taxCode`, line.taxCode);
    return {
      description: line.description,
      accountId: account.id,
      account: account.code,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      discountPercent: line.discountPercent ?? '0',
      net: lineNet(line.quantity, line.unitPrice, line.discountPercent ?? '0', currency),
      taxCode: line.taxCode,
      taxRate: rate,
    };
  });
}

function totals(lines: PricedLine[], currency: string) {
  const net = lines.reduce((sum, l) => sum.plus(l.net), ZERO);
  const tax = taxSummary(lines, currency).reduce((sum, t) => sum.plus(t.tax), ZERO);
  return { net, tax, gross: net.plus(tax) };
}

async function activeParty(trx: Tx, spec: DocumentKindSpec, id: string) {
  const party = await repo.partyById(trx, spec.partyKind, id);
  if (!party) throw errors.unknownParty(spec.partyPath, spec.partyKind);
  if (!party.active) throw errors.inactiveParty(spec.partyPath, spec.partyKind);
  return party;
}

async function checkCorrected(trx: Tx, id: string) {
  const invoice = await repo.documentById(trx, id, 'invoice');
  if (!invoice) throw errors.correctedDocument('invoiceId', 'There is no such invoice.');
  return invoice;
}

async function writeLines(trx: Tx, tenantId: string, documentId: string, lines: PricedLine[]) {
  await trx
    .insertInto('trade_document_lines')
    .values(
      lines.map((l, i) => ({
        tenant_id: tenantId,
        document_id: documentId,
        line_no: i + 1,
        description: l.description,
        account_id: l.accountId,
        quantity: l.quantity,
        unit_price: l.unitPrice,
        discount_percent: new Decimal(l.discountPercent).toFixed(4),
        net: l.net.toFixed(4),
        tax_code: l.taxCode,
        tax_rate: l.taxRate,
      })),
    )
    .execute();
}

/** Creates a draft. The party may be named later; the document currency is the party's by default. */
export async function createDocument(
  trx: Tx,
  actor: AuditActor,
  kind: DocumentKind,
  input: DocumentDraftInput & { lines: DocumentLineInput[] },
): Promise<TradeDocument> {
  const spec = DOCUMENT_KINDS[kind];
  const books = await tenantBooks(trx);
  const party = input.party ? await activeParty(trx, spec, input.party) : undefined;
  if (input.corrects) await checkCorrected(trx, input.corrects);
  const currency = input.currency ?? party?.currency ?? books.baseCurrency;
  const issueDate = input.issueDate ?? todayIn(books.timeZone);
  const lines = await priceLines(trx, spec, input.lines, currency);
  const sums = totals(lines, currency);
  const id = randomUUID();
  await trx
    .insertInto('trade_documents')
    .values({
      tenant_id: books.id,
      id,
      ledger: spec.ledger,
      kind,
      party_id: party?.id ?? null,
      currency,
      issue_date: issueDate,
      due_date: party ? dueDateOf(kind, issueDate, party.payment_terms_days) : null,
      reference: input.reference ?? null,
      memo: input.memo ?? null,
      corrects_document_id: input.corrects ?? null,
      net: sums.net.toFixed(4),
      tax: sums.tax.toFixed(4),
      gross: sums.gross.toFixed(4),
      created_by: actor.name,
    })
    .execute();
  await writeLines(trx, books.id, id, lines);
  await recordAudit(trx, actor, {
    action: `${kind}.drafted`,
    entityType: kind,
    entityId: id,
    details: { partyId: party?.id ?? null, currency, gross: Money.of(sums.gross, currency).toAmountString() },
  });
  return getDocument(trx, kind, id);
}

/** The ledger names the entry's date `date`; on a document the field is `issueDate`. */
async function renamingDatePath<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof AppError && error.code === 'accounting.period_closed')
      throw new AppError(error.kind, error.code, error.message, {
        errors: error.errors?.map((e) => (e.path === 'date' ? { ...e, path: 'issueDate' } : e)),
      });
    throw error;
  }
}

function dueDateOf(kind: DocumentKind, issueDate: string, termsDays: number): string {
  // A credit note is owed back at once; invoices and bills on the party's terms.
  return kind === 'credit_note' ? issueDate : addDays(issueDate, termsDays);
}

/** Changes a draft; lines, when given, replace the draft's lines. Issued documents never change. */
export async function changeDocument(
  trx: Tx,
  actor: AuditActor,
  kind: DocumentKind,
  id: string,
  version: number,
  patch: DocumentDraftInput,
): Promise<TradeDocument> {
  const spec = DOCUMENT_KINDS[kind];
  const doc = await repo.documentById(trx, id, kind, true);
  if (!doc) throw errors.documentNotFound(kind);
  if (doc.status !== 'draft') throw errors.notDraft(kind, doc.status);
  if (doc.version !== version) throw staleVersion(spec.label);
  const partyId = patch.party === undefined ? doc.party_id : patch.party;
  const party = partyId ? await activeParty(trx, spec, partyId) : undefined;
  if (patch.corrects) await checkCorrected(trx, patch.corrects);
  const currency = patch.currency ?? doc.currency;
  const issueDate = patch.issueDate ?? doc.issue_date;
  // Lines are priced again in every case: the currency's rounding or a tax rate may have changed.
  const inputs: DocumentLineInput[] =
    patch.lines ??
    (await repo.linesOfDocuments(trx, [id])).map((l) => ({
      description: l.description,
      account: l.account_code,
      quantity: l.quantity,
      unitPrice: l.unit_price,
      discountPercent: l.discount_percent,
      taxCode: l.tax_code,
    }));
  const lines = await priceLines(trx, spec, inputs, currency);
  const sums = totals(lines, currency);
  await trx.deleteFrom('trade_document_lines').where('document_id', '=', id).execute();
  await writeLines(trx, doc.tenant_id, id, lines);
  await trx
    .updateTable('trade_documents')
    .set({
      party_id: party?.id ?? null,
      currency,
      issue_date: issueDate,
      due_date: party ? dueDateOf(kind, issueDate, party.payment_terms_days) : null,
      ...(patch.reference !== undefined && { reference: patch.reference }),
      ...(patch.memo !== undefined && { memo: patch.memo }),
      ...(patch.corrects !== undefined && { corrects_document_id: patch.corrects }),
      net: sums.net.toFixed(4),
      tax: sums.tax.toFixed(4),
      gross: sums.gross.toFixed(4),
      version: sql<number>`version + 1`,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
  await recordAudit(trx, actor, {
    action: `${kind}.changed`,
    entityType: kind,
    entityId: id,
    details: {
      fields: Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined),
    },
  });
  return getDocument(trx, kind, id);
}

/**
 * Issues an invoice or credit note, or posts a bill: numbers it, dates its due date from the
 * party's terms, posts it to the ledger in the same transaction, and announces it. From here on
 * the document never changes; what remains is settling it.
 *
 * An invoice that takes the customer over its credit limit is refused, unless it bills a sales
 * order whose credit was checked (or approved by finance) when it was confirmed: goods already
 * delivered are invoiced whatever the limit says now.
 */
export async function issueDocument(
  trx: Tx,
  actor: AuditActor,
  kind: DocumentKind,
  id: string,
  options: { creditCheckedWith?: string } = {},
): Promise<TradeDocument> {
  const spec = DOCUMENT_KINDS[kind];
  const doc = await repo.documentById(trx, id, kind, true);
  if (!doc) throw errors.documentNotFound(kind);
  if (doc.status !== 'draft') throw errors.notDraft(kind, doc.status);
  if (!doc.party_id) throw errors.partyRequired(spec.partyPath, spec.partyKind);
  const party = await activeParty(trx, spec, doc.party_id);
  const gross = new Decimal(doc.gross);
  if (!gross.greaterThan(0))
    throw new AppError('business_rule', 'accounting.zero_document', `The ${spec.label} totals zero.`, {
      errors: [{ path: 'lines', message: 'Totals zero' }],
    });
  const books = await tenantBooks(trx);
  const dueDate = dueDateOf(kind, doc.issue_date, party.payment_terms_days);

  if (
    kind === 'invoice' &&
    !options.creditCheckedWith &&
    party.credit_limit !== null &&
    doc.currency === party.currency
  ) {
    const exposure = new Decimal(await repo.partyExposure(trx, party.id, party.currency)).plus(gross);
    if (exposure.greaterThan(party.credit_limit))
      throw errors.creditLimitExceeded(
        spec.partyPath,
        Money.of(party.credit_limit, party.currency).toAmountString(),
        Money.of(exposure, party.currency).toAmountString(),
      );
  }
  if (kind === 'bill' && doc.reference) {
    // The unique index is the backstop; this check gives the clerk a clear answer first.
    const duplicate = await trx
      .selectFrom('trade_documents')
      .select('id')
      .where('ledger', '=', 'payable')
      .where('party_id', '=', party.id)
      .where('status', '<>', 'draft')
      .where(sql<boolean>`lower(reference) = lower(${doc.reference})`)
      .executeTakeFirst();
    if (duplicate) throw errors.duplicateSupplierReference();
  }

  const control = await repo.accountByRole(trx, spec.ledger);
  if (!control) throw errors.roleAccountMissing(spec.ledger);
  const lines = await repo.linesOfDocuments(trx, [id]);
  const number = await nextDocumentNumber(trx, books.id, spec.series, doc.issue_date);

  // Signed amounts, debit positive: the control account moves with the balance the party owes
  // (receivable) or is owed (payable); revenue or expense and VAT take the other side.
  const controlSign = (spec.ledger === 'receivable') === spec.increases ? 1 : -1;
  const netByAccount = new Map<string, Dec>();
  for (const l of lines)
    netByAccount.set(l.account_code, (netByAccount.get(l.account_code) ?? ZERO).plus(l.net));
  const postingLines = [
    signedLine(control.code, gross.times(controlSign), `${number} ${party.name}`.slice(0, 500)),
  ];
  for (const [account, net] of [...netByAccount].sort(([a], [b]) => a.localeCompare(b)))
    if (!net.isZero()) postingLines.push(signedLine(account, net.times(-controlSign)));
  const tax = new Decimal(doc.tax);
  if (!tax.isZero()) {
    const vatRole = spec.ledger === 'receivable' ? 'vat_output' : 'vat_input';
    const vat = await repo.accountByRole(trx, vatRole);
    if (!vat) throw errors.roleAccountMissing(vatRole);
    postingLines.push(signedLine(vat.code, tax.times(-controlSign)));
  }
  const entry = await renamingDatePath(
    postEntry(trx, actor, {
      date: doc.issue_date,
      memo: `${spec.label[0]!.toUpperCase()}${spec.label.slice(1)} ${number}: ${party.name}`.slice(0, 500),
      currency: doc.currency,
      lines: postingLines,
      source: { type: spec.sourceType, id },
      allowControlAccounts: true,
    }),
  );
  const controlLine = entry.lines[0]!;
  const baseGross = (controlLine.baseDebit ?? controlLine.baseCredit)!.amount;
  await trx
    .updateTable('trade_documents')
    .set({
      status: spec.finalStatus,
      number,
      due_date: dueDate,
      exchange_rate: entry.exchangeRate,
      base_gross: new Decimal(baseGross).toFixed(4),
      entry_id: entry.id,
      issued_by: actor.name,
      issued_at: new Date(),
      version: sql<number>`version + 1`,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();

  if (kind === 'credit_note' && doc.corrects_document_id) {
    const issued = (await repo.documentById(trx, id, kind))!;
    await applyCreditNote(trx, actor, books, issued, doc.corrects_document_id);
  }

  const payloadBase = {
    number,
    currency: doc.currency,
    gross: Money.of(gross, doc.currency).toAmountString(),
    issueDate: doc.issue_date,
    entryId: entry.id,
  };
  if (kind === 'invoice')
    await emit(trx, books.id, 'invoiceIssued', {
      invoiceId: id,
      customerId: party.id,
      ...payloadBase,
      net: Money.of(doc.net, doc.currency).toAmountString(),
      tax: Money.of(tax, doc.currency).toAmountString(),
      dueDate,
    });
  else if (kind === 'credit_note')
    await emit(trx, books.id, 'creditNoteIssued', {
      creditNoteId: id,
      customerId: party.id,
      invoiceId: doc.corrects_document_id,
      ...payloadBase,
    });
  else
    await emit(trx, books.id, 'billRecorded', {
      billId: id,
      supplierId: party.id,
      supplierReference: doc.reference,
      ...payloadBase,
      dueDate,
    });
  await recordAudit(trx, actor, {
    action: `${kind}.${spec.finalStatus}`,
    entityType: kind,
    entityId: id,
    details: {
      number,
      entryId: entry.id,
      gross: Money.of(gross, doc.currency).toAmountString(),
      currency: doc.currency,
    },
  });
  return getDocument(trx, kind, id);
}

/**
 * Settles the invoice a credit note corrects with the credit note. When the two were converted at
 * different rates, the difference between the base amounts they relieve is a realised exchange
 * difference, posted so that the receivable returns to zero in the base currency for both.
 */
async function applyCreditNote(
  trx: Tx,
  actor: AuditActor,
  books: TenantBooks,
  note: repo.DocumentRow,
  invoiceId: string,
): Promise<void> {
  const invoice = (await repo.lockDocuments(trx, [invoiceId])).get(invoiceId);
  const refuse = (message: string) => errors.correctedDocument('invoiceId', message);
  if (!invoice || invoice.kind !== 'invoice') throw refuse('There is no such invoice.');
  if (invoice.status !== 'issued') throw refuse('The invoice is not issued.');
  if (invoice.party_id !== note.party_id) throw refuse('The invoice is for another customer.');
  if (invoice.currency !== note.currency) throw refuse(`The invoice is in ${invoice.currency}.`);
  if (invoice.issue_date > note.issue_date) throw refuse('The credit note is dated before the invoice.');
  const amount = new Decimal(note.gross);
  const outstanding = new Decimal(invoice.gross).minus(invoice.settled);
  if (amount.greaterThan(outstanding))
    throw refuse(
      `The credit note is more than the ${Money.of(outstanding, invoice.currency).toAmountString()} outstanding on the invoice.`,
    );
  const invoiceBase = baseShare(invoice, amount, books.baseCurrency);
  const noteBase = new Decimal(note.base_gross!);
  const allocationId = await recordAllocation(trx, {
    ledger: 'receivable',
    tenantId: books.id,
    document: invoice,
    amount,
    baseAmount: invoiceBase,
    date: note.issue_date,
    credit: { document: note, baseAmount: noteBase },
  });
  const difference = invoiceBase.minus(noteBase);
  if (difference.isZero()) return;
  const control = (await repo.accountByRole(trx, 'receivable'))!;
  const fxRole = difference.isNegative() ? 'fx_gain' : 'fx_loss';
  const fx = await repo.accountByRole(trx, fxRole);
  if (!fx) throw errors.roleAccountMissing(fxRole);
  await postEntry(trx, actor, {
    date: note.issue_date,
    memo: `Exchange difference: ${note.number} on ${invoice.number}`,
    currency: books.baseCurrency,
    lines: [
      signedLine(control.code, noteBase, note.number ?? undefined),
      signedLine(control.code, invoiceBase.negated(), invoice.number ?? undefined),
      signedLine(fx.code, difference),
    ],
    source: { type: 'accounting.credit-allocation', id: allocationId },
    allowControlAccounts: true,
  });
}

// ---- Reading -------------------------------------------------------------------------------

function describe(
  row: repo.DocumentWithParty,
  lines: repo.DocumentLineRow[],
  baseCurrency: string,
): TradeDocument {
  const money = (value: Dec | string, currency = row.currency) => Money.of(value, currency).toJSON();
  const gross = new Decimal(row.gross);
  return {
    id: row.id,
    kind: row.kind,
    number: row.number,
    status: row.status,
    partyId: row.party_id,
    partyCode: row.party_code,
    partyName: row.party_name,
    currency: row.currency,
    issueDate: row.issue_date,
    dueDate: row.due_date,
    reference: row.reference,
    memo: row.memo,
    correctsDocumentId: row.corrects_document_id,
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      description: l.description,
      account: l.account_code,
      quantity: new Decimal(l.quantity).toString(),
      unitPrice: money(l.unit_price),
      discountPercent: new Decimal(l.discount_percent).toString(),
      taxCode: l.tax_code,
      taxRate: new Decimal(l.tax_rate).toString(),
      net: money(l.net),
    })),
    taxes: taxSummary(
      lines.map((l) => ({ net: l.net, taxCode: l.tax_code, taxRate: l.tax_rate })),
      row.currency,
    ).map((t) => ({
      taxCode: t.taxCode,
      rate: new Decimal(t.rate).toString(),
      net: money(t.net),
      tax: money(t.tax),
    })),
    net: money(row.net),
    tax: money(row.tax),
    gross: money(gross),
    settled: money(row.settled),
    outstanding: money(gross.minus(row.settled)),
    exchangeRate: row.exchange_rate === null ? null : new Decimal(row.exchange_rate).toString(),
    baseGross: row.base_gross === null ? null : money(row.base_gross, baseCurrency),
    baseOutstanding:
      row.base_gross === null
        ? null
        : money(new Decimal(row.base_gross).minus(row.base_settled), baseCurrency),
    entryId: row.entry_id,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    issuedAt: row.issued_at ? row.issued_at.toISOString() : null,
  };
}

export async function getDocument(trx: Tx, kind: DocumentKind, id: string): Promise<TradeDocument> {
  const row = await repo.documentWithParty(trx, id);
  if (!row || row.kind !== kind) throw errors.documentNotFound(kind);
  const books = await tenantBooks(trx);
  return describe(row, await repo.linesOfDocuments(trx, [id]), books.baseCurrency);
}

export async function listDocuments(
  trx: Tx,
  kind: DocumentKind,
  query: Parameters<typeof repo.listDocuments>[2],
): Promise<Page<TradeDocument>> {
  const page = await repo.listDocuments(trx, kind, query);
  const books = await tenantBooks(trx);
  const lines = await repo.linesOfDocuments(
    trx,
    page.items.map((d) => d.id),
  );
  return {
    items: page.items.map((row) =>
      describe(
        row,
        lines.filter((l) => l.document_id === row.id),
        books.baseCurrency,
      ),
    ),
    nextCursor: page.nextCursor,
  };
}
