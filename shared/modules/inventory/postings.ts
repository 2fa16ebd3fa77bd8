import type { AuditActor } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { accountByRole, arApErrors, postEntry, type JournalEntry } from '../accounting/index.js';
import { dbAmount, type Dec } from './costing.js';

/** The accounts stock postings use, found in the chart by their role. */
export type StockAccountRole = 'inventory' | 'grni' | 'cost_of_sales' | 'stock_adjustment';

/**
 * Posts the two-line entry of a stock document through the ledger (idempotent by its source). A
 * document that moved no value (goods found at no known cost) posts nothing and gets null.
 */
export async function postStockEntry(
  trx: Tx,
  actor: AuditActor,
  request: {
    date: string;
    memo: string;
    currency: string;
    amount: Dec;
    debit: StockAccountRole;
    credit: StockAccountRole;
    source: { type: string; id: string };
  },
): Promise<JournalEntry | null> {
  if (request.amount.isZero()) return null;
  const debit = await accountFor(trx, request.debit);
  const credit = await accountFor(trx, request.credit);
  const amount = dbAmount(request.amount);
  return postEntry(trx, actor, {
    date: request.date,
    memo: request.memo,
    currency: request.currency,
    lines: [
      { account: debit, debit: amount },
      { account: credit, credit: amount },
    ],
    source: request.source,
    allowControlAccounts: true,
  });
}

async function accountFor(trx: Tx, role: StockAccountRole): Promise<string> {
  const account = await accountByRole(trx, role);
  if (!account) throw arApErrors.roleAccountMissing(role);
  return account.code;
}
