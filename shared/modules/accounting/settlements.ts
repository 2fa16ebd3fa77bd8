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
import type { AllocationInput, Settlement, SettlementDraftInput } from './ar-ap-schemas.js';
import type { DocumentKind, Ledger, PartyKind, SettlementKind } from './ar-ap-tables.js';
import { accountingErrors } from './errors.js';
import { postEntry } from './ledger.js';
import { rateOn, tenantBooks } from './repository.js';

type Dec = InstanceType<typeof Decimal>;
const ZERO = new Decimal(0);

export interface SettlementKindSpec {
  kind: SettlementKind;
  ledger: Ledger;
  partyKind: PartyKind;
  partyPath: string;
  /** The request field naming a document in an allocation. */
  documentPath: string;
  documentKind: DocumentKind;
  series: string;
  sourceType: string;
  /** +1: money comes in (the bank is debited); -1: money goes out. */
  bankSign: 1 | -1;
  label: string;
}

export const SETTLEMENT_KINDS: Record<SettlementKind, SettlementKindSpec> = {
  receipt: {
    kind: 'receipt',
    ledger: 'receivable',
    partyKind: 'customer',
    partyPath: 'customerId',
    documentPath: 'invoiceId',
    documentKind: 'invoice',
    series: 'RCPT',
    sourceType: 'accounting.receipt',
    bankSign: 1,
    label: 'receipt',
  },
  payment: {
    kind: 'payment',
    ledger: 'payable',
    partyKind: 'supplier',
    partyPath: 'supplierId',
    documentPath: 'billId',
    documentKind: 'bill',
    series: 'PAY',
    sourceType: 'accounting.supplier-payment',
    bankSign: -1,
    label: 'payment',
  },
};

function checkScale(path: string, amount: string, currency: string): void {
  const places = minorUnits(currency);
  if (new Decimal(amount).decimalPlaces() > places) throw errors.amountScale(path, currency, places);
}

async function bankAccountId(trx: Tx, code: string, path: string): Promise<string> {
  const account = (await repo.accountsByCodes(trx, [code])).get(code);
  if (!account || !account.active || !account.manual_posting || account.type !== 'asset')
    throw errors.bankAccount(path, code);
  return account.id;
}

async function checkParty(trx: Tx, spec: SettlementKindSpec, id: string) {
  const party = await repo.partyById(trx, spec.partyKind, id);
  if (!party) throw errors.unknownParty(spec.partyPath, spec.partyKind);
  if (!party.active) throw errors.inactiveParty(spec.partyPath, spec.partyKind);
  return party;
}

/** Records a receipt or payment as a draft: what came in or went out, before it is matched and posted. */
export async function createSettlement(
  trx: Tx,
  actor: AuditActor,
  kind: SettlementKind,
  input: SettlementDraftInput & { amount: { amount: string; currency: string } },
): Promise<Settlement> {
  const spec = SETTLEMENT_KINDS[kind];
  const books = await tenantBooks(trx);
  if (input.party) await checkParty(trx, spec, input.party);
  checkScale('amount.amount', input.amount.amount, input.amount.currency);
  const allocations = input.allocations ?? [];
  allocations.forEach((a, i) => checkScale(`allocations.${i}.amount`, a.amount, input.amount.currency));
  const bank = input.bankAccount ? await bankAccountId(trx, input.bankAccount, 'bankAccount') : null;
  const id = randomUUID();
  await trx
    .insertInto('trade_settlements')
    .values({
      tenant_id: books.id,
      id,
      ledger: spec.ledger,
      kind,
      party_id: input.party ?? null,
      settlement_date: input.date ?? todayIn(books.timeZone),
      currency: input.amount.currency,
      amount: new Decimal(input.amount.amount).toFixed(4),
      bank_account_id: bank,
      reference: input.reference ?? null,
      memo: input.memo ?? null,
      planned_allocations: JSON.stringify(allocations),
      created_by: actor.name,
    })
    .execute();
  await recordAudit(trx, actor, {
    action: `${kind}.drafted`,
    entityType: kind,
    entityId: id,
    details: { amount: input.amount, partyId: input.party ?? null },
  });
  return getSettlement(trx, kind, id);
}

export async function changeSettlement(
  trx: Tx,
  actor: AuditActor,
  kind: SettlementKind,
  id: string,
  version: number,
  patch: SettlementDraftInput,
): Promise<Settlement> {
  const spec = SETTLEMENT_KINDS[kind];
  const row = await repo.settlementById(trx, kind, id, true);
  if (!row) throw errors.documentNotFound(kind);
  if (row.status !== 'draft') throw errors.notDraft(kind, row.status);
  if (row.version !== version) throw staleVersion(spec.label);
  if (patch.party) await checkParty(trx, spec, patch.party);
  const currency = patch.amount?.currency ?? row.currency;
  if (patch.amount) checkScale('amount.amount', patch.amount.amount, currency);
  patch.allocations?.forEach((a, i) => checkScale(`allocations.${i}.amount`, a.amount, currency));
  const bank =
    patch.bankAccount === undefined
      ? undefined
      : patch.bankAccount === null
        ? null
        : await bankAccountId(trx, patch.bankAccount, 'bankAccount');
  await trx
    .updateTable('trade_settlements')
    .set({
      ...(patch.party !== undefined && { party_id: patch.party }),
      ...(patch.date !== undefined && { settlement_date: patch.date }),
      ...(patch.amount !== undefined && {
        amount: new Decimal(patch.amount.amount).toFixed(4),
        currency: patch.amount.currency,
      }),
      ...(bank !== undefined && { bank_account_id: bank }),
      ...(patch.reference !== undefined && { reference: patch.reference }),
      ...(patch.memo !== undefined && { memo: patch.memo }),
      ...(patch.allocations !== undefined && { planned_allocations: JSON.stringify(patch.allocations) }),
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
  return getSettlement(trx, kind, id);
}

/**
 * Posts a receipt or payment: settles each allocated document (partly or in full) and posts one
 * journal entry, in the base currency, with the bank at the rate of the day, the control account
 * relieved by exactly the base amounts at which the documents were booked, and the realised
 * exchange difference between the two on the FX gain or loss account. Every allocated document is
 * locked `FOR UPDATE` first, so two receipts can never settle the same amount twice.
 */
export async function postSettlement(
  trx: Tx,
  actor: AuditActor,
  kind: SettlementKind,
  id: string,
): Promise<Settlement> {
  const spec = SETTLEMENT_KINDS[kind];
  const row = await repo.settlementById(trx, kind, id, true);
  if (!row) throw errors.documentNotFound(kind);
  if (row.status !== 'draft') throw errors.notDraft(kind, row.status);
  if (!row.party_id) throw errors.partyRequired(spec.partyPath, spec.partyKind);
  const party = await checkParty(trx, spec, row.party_id);
  const books = await tenantBooks(trx);
  const planned = row.planned_allocations as AllocationInput[];
  if (planned.length === 0) throw errors.allocationsRequired();
  const amount = new Decimal(row.amount);
  const allocated = planned.reduce((sum, a) => sum.plus(a.amount), ZERO);
  const shown = (value: Dec) => Money.of(value, row.currency).toAmountString();
  if (!allocated.equals(amount)) throw errors.allocationsTotal(shown(allocated), shown(amount));

  const bankId = row.bank_account_id ?? (await repo.accountByRole(trx, 'bank'))?.id;
  if (!bankId) throw errors.roleAccountMissing('bank');
  const bank = (await repo.accountCodeById(trx, bankId))!;
  if (!bank.active) throw errors.bankAccount('bankAccount', bank.code);
  const control = await repo.accountByRole(trx, spec.ledger);
  if (!control) throw errors.roleAccountMissing(spec.ledger);

  const documents = await repo.lockDocuments(
    trx,
    planned.map((a) => a.documentId),
  );
  const checked = planned.map((a, i) => {
    const path = `allocations.${i}.${spec.documentPath}`;
    const doc = documents.get(a.documentId);
    const refuse = (message: string) => errors.allocationDocument(path, message);
    if (!doc || doc.kind !== spec.documentKind) throw refuse(`There is no such ${spec.documentKind}.`);
    if (doc.status === 'draft') throw refuse(`The ${spec.documentKind} is a draft.`);
    if (doc.party_id !== party.id) throw refuse(`The ${spec.documentKind} is for another ${spec.partyKind}.`);
    if (doc.currency !== row.currency) throw refuse(`The ${spec.documentKind} is in ${doc.currency}.`);
    if (doc.issue_date > row.settlement_date)
      throw refuse(`The ${spec.documentKind} is dated after the ${spec.label}.`);
    const outstanding = new Decimal(doc.gross).minus(doc.settled);
    const value = new Decimal(a.amount);
    if (value.greaterThan(outstanding))
      throw errors.overAllocation(
        `allocations.${i}.amount`,
        Money.of(outstanding, doc.currency).toAmountString(),
      );
    return { doc, amount: value };
  });

  let rate = new Decimal(1);
  if (row.currency !== books.baseCurrency) {
    const found = await rateOn(trx, row.currency, row.settlement_date);
    if (!found) {
      const missing = accountingErrors.noExchangeRate(row.currency, row.settlement_date);
      throw new AppError(missing.kind, missing.code, missing.message, {
        errors: [{ path: 'amount.currency', message: `No rate for ${row.currency}` }],
      });
    }
    rate = new Decimal(found);
  }
  const baseAmount = amount
    .times(rate)
    .toDecimalPlaces(minorUnits(books.baseCurrency), Decimal.ROUND_HALF_EVEN);
  const shares = checked.map((c) => baseShare(c.doc, c.amount, books.baseCurrency));
  const relieved = shares.reduce((sum, s) => sum.plus(s), ZERO);
  // Positive: more base currency came in (or less went out) than the documents were booked at.
  const gain = baseAmount.minus(relieved).times(spec.bankSign);

  const number = await nextDocumentNumber(trx, books.id, spec.series, row.settlement_date);
  const foreign = row.currency !== books.baseCurrency;
  const bankMemo = foreign
    ? `${number}: ${Money.of(amount, row.currency).toAmountString()} ${row.currency} at ${rate.toString()}`
    : number;
  const lines = [signedLine(bank.code, baseAmount.times(spec.bankSign), bankMemo)];
  checked.forEach((c, i) => {
    if (!shares[i]!.isZero())
      lines.push(signedLine(control.code, shares[i]!.times(-spec.bankSign), c.doc.number ?? undefined));
  });
  if (!gain.isZero()) {
    const fxRole = gain.isNegative() ? 'fx_loss' : 'fx_gain';
    const fx = await repo.accountByRole(trx, fxRole);
    if (!fx) throw errors.roleAccountMissing(fxRole);
    lines.push(signedLine(fx.code, gain.negated(), `Realised exchange difference ${number}`));
  }
  // The entry is in the base currency: its lines carry amounts converted at two different rates
  // (the bank at today's, the documents at theirs), which one currency and one rate cannot express.
  const entry = await postEntry(trx, actor, {
    date: row.settlement_date,
    memo: `${spec.label[0]!.toUpperCase()}${spec.label.slice(1)} ${number}: ${party.name}`.slice(0, 500),
    currency: books.baseCurrency,
    lines,
    source: { type: spec.sourceType, id },
    allowControlAccounts: true,
  });

  for (const [i, c] of checked.entries())
    await recordAllocation(trx, {
      ledger: spec.ledger,
      tenantId: books.id,
      document: c.doc,
      amount: c.amount,
      baseAmount: shares[i]!,
      date: row.settlement_date,
      settlementId: id,
    });
  await trx
    .updateTable('trade_settlements')
    .set({
      status: 'posted',
      number,
      bank_account_id: bankId,
      exchange_rate: rate.toFixed(8),
      base_amount: baseAmount.toFixed(4),
      fx_difference: gain.toFixed(4),
      entry_id: entry.id,
      posted_by: actor.name,
      posted_at: new Date(),
      version: sql<number>`version + 1`,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();

  const common = {
    number,
    date: row.settlement_date,
    currency: row.currency,
    amount: Money.of(amount, row.currency).toAmountString(),
    fxDifference: Money.of(gain, books.baseCurrency).toAmountString(),
    entryId: entry.id,
  };
  if (kind === 'receipt')
    await emit(trx, books.id, 'paymentReceived', {
      receiptId: id,
      customerId: party.id,
      ...common,
      allocations: checked.map((c) => ({
        invoiceId: c.doc.id,
        amount: Money.of(c.amount, row.currency).toAmountString(),
      })),
    });
  else
    await emit(trx, books.id, 'paymentMade', {
      paymentId: id,
      supplierId: party.id,
      ...common,
      allocations: checked.map((c) => ({
        billId: c.doc.id,
        amount: Money.of(c.amount, row.currency).toAmountString(),
      })),
    });
  await recordAudit(trx, actor, {
    action: `${kind}.posted`,
    entityType: kind,
    entityId: id,
    details: { number, entryId: entry.id, amount: common.amount, currency: row.currency },
  });
  return getSettlement(trx, kind, id);
}

// ---- Reading -------------------------------------------------------------------------------

async function describe(trx: Tx, rows: repo.SettlementWithParty[]): Promise<Settlement[]> {
  if (rows.length === 0) return [];
  const books = await tenantBooks(trx);
  const posted = await repo.allocationsOfSettlements(
    trx,
    rows.filter((r) => r.status === 'posted').map((r) => r.id),
  );
  const plannedIds = rows
    .filter((r) => r.status === 'draft')
    .flatMap((r) => (r.planned_allocations as AllocationInput[]).map((a) => a.documentId));
  const numbers = await repo.documentNumbers(trx, plannedIds);
  return rows.map((row) => {
    const money = (value: Dec | string, currency = row.currency) => Money.of(value, currency).toJSON();
    const allocations =
      row.status === 'posted'
        ? posted
            .filter((a) => a.settlement_id === row.id)
            .map((a) => ({
              documentId: a.document_id,
              documentNumber: a.document_number,
              amount: money(a.amount),
              baseAmount: money(a.base_amount, books.baseCurrency),
            }))
        : (row.planned_allocations as AllocationInput[]).map((a) => ({
            documentId: a.documentId,
            documentNumber: numbers.get(a.documentId) ?? null,
            amount: money(a.amount),
            baseAmount: null,
          }));
    return {
      id: row.id,
      kind: row.kind,
      number: row.number,
      status: row.status,
      partyId: row.party_id,
      partyCode: row.party_code,
      partyName: row.party_name,
      date: row.settlement_date,
      amount: money(row.amount),
      bankAccount: row.bank_code,
      reference: row.reference,
      memo: row.memo,
      allocations,
      exchangeRate: row.exchange_rate === null ? null : new Decimal(row.exchange_rate).toString(),
      baseAmount: row.base_amount === null ? null : money(row.base_amount, books.baseCurrency),
      fxDifference: row.fx_difference === null ? null : money(row.fx_difference, books.baseCurrency),
      entryId: row.entry_id,
      version: row.version,
      createdAt: row.created_at.toISOString(),
      postedAt: row.posted_at ? row.posted_at.toISOString() : null,
    };
  });
}

export async function getSettlement(trx: Tx, kind: SettlementKind, id: string): Promise<Settlement> {
  const row = await repo.settlementWithParty(trx, id);
  if (!row || row.kind !== kind) throw errors.documentNotFound(kind);
  return (await describe(trx, [row]))[0]!;
}

export async function listSettlements(
  trx: Tx,
  kind: SettlementKind,
  query: Parameters<typeof repo.listSettlements>[2],
): Promise<Page<Settlement>> {
  const page = await repo.listSettlements(trx, kind, query);
  return { items: await describe(trx, page.items), nextCursor: page.nextCursor };
}
