import { randomUUID } from 'node:crypto';
import type { Tx } from '../../platform/db/database.js';
import { Decimal, minorUnits } from '../../platform/money.js';
import * as repo from './ar-ap-repository.js';
import type { Ledger } from './ar-ap-tables.js';

type Dec = InstanceType<typeof Decimal>;

/**
 * The part of a document's base-currency amount that settling `amount` of it relieves: pro rata,
 * rounded to the base currency's minor units, and exactly the remainder when it settles the
 * document in full. So the control account, per document, returns to exactly zero in the base
 * currency once the document is settled, whatever the rates on the way.
 */
export function baseShare(doc: repo.DocumentRow, amount: Dec, baseCurrency: string): Dec {
  const gross = new Decimal(doc.gross);
  const baseGross = new Decimal(doc.base_gross ?? 0);
  const remaining = baseGross.minus(doc.base_settled);
  if (new Decimal(doc.settled).plus(amount).equals(gross)) return remaining;
  const share = amount
    .times(baseGross)
    .dividedBy(gross)
    .toDecimalPlaces(minorUnits(baseCurrency), Decimal.ROUND_HALF_EVEN);
  return Decimal.min(share, remaining);
}

export interface AllocationRecord {
  ledger: Ledger;
  tenantId: string;
  document: repo.DocumentRow;
  amount: Dec;
  baseAmount: Dec;
  date: string;
  settlementId?: string;
  credit?: { document: repo.DocumentRow; baseAmount: Dec };
}

/**
 * Records an allocation and moves the settled amounts of the documents it touches. The caller
 * holds the documents' row locks and has checked the amount against what is outstanding; the
 * CHECK on `settled <= gross` stands behind it.
 */
export async function recordAllocation(trx: Tx, record: AllocationRecord): Promise<string> {
  const id = randomUUID();
  await trx
    .insertInto('trade_allocations')
    .values({
      tenant_id: record.tenantId,
      id,
      ledger: record.ledger,
      document_id: record.document.id,
      settlement_id: record.settlementId ?? null,
      credit_document_id: record.credit?.document.id ?? null,
      allocation_date: record.date,
      amount: record.amount.toFixed(4),
      base_amount: record.baseAmount.toFixed(4),
      credit_base_amount: record.credit ? record.credit.baseAmount.toFixed(4) : null,
    })
    .execute();
  await settle(trx, record.document, record.amount, record.baseAmount);
  if (record.credit) await settle(trx, record.credit.document, record.amount, record.credit.baseAmount);
  return id;
}

async function settle(trx: Tx, doc: repo.DocumentRow, amount: Dec, baseAmount: Dec): Promise<void> {
  const settled = new Decimal(doc.settled).plus(amount);
  const baseSettled = new Decimal(doc.base_settled).plus(baseAmount);
  // Allocations may be dated out of order: a document is settled on the latest date of any of them,
  // which is what aging as of a date needs.
  const openUntil = settled.equals(doc.gross)
    ? ((await repo.lastAllocationDate(trx, doc.id)) ?? 'infinity')
    : 'infinity';
  await trx
    .updateTable('trade_documents')
    .set({
      settled: settled.toFixed(4),
      base_settled: baseSettled.toFixed(4),
      open_until: openUntil,
      updated_at: new Date(),
    })
    .where('id', '=', doc.id)
    .execute();
  doc.settled = settled.toFixed(4);
  doc.base_settled = baseSettled.toFixed(4);
  doc.open_until = openUntil;
}

/** A signed base amount as a journal line: positive on the debit side, negative on the credit side. */
export function signedLine(account: string, amount: Dec, memo?: string) {
  return amount.isNegative()
    ? { account, credit: amount.negated().toFixed(4), ...(memo ? { memo } : {}) }
    : { account, debit: amount.toFixed(4), ...(memo ? { memo } : {}) };
}
