import { z } from 'zod';
import type { AuditActor } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { Decimal, Money, minorUnits } from '../../platform/money.js';
import { agingRows } from './ar-ap-repository.js';
import type { Ledger } from './ar-ap-tables.js';
import { accountingErrors } from './errors.js';
import { getEntry, postEntry, reverseEntry } from './ledger.js';
import { rateOn, tenantBooks } from './repository.js';
import { dateSchema, journalEntrySchema, type JournalEntry } from './schemas.js';

type Dec = InstanceType<typeof Decimal>;
const ZERO = new Decimal(0);

export const revaluationInputSchema = z.strictObject({
  date: dateSchema.meta({
    description: 'Revalue what is open at the end of this day, at the rates in force on it',
  }),
});

const revaluationLineSchema = z.object({
  ledger: z.enum(['receivable', 'payable']),
  currency: z.string(),
  open: z.string(),
  bookedBase: z.string(),
  rate: z.string(),
  revaluedBase: z.string(),
  difference: z.string(),
});
export const revaluationSchema = z.object({
  date: z.string(),
  baseCurrency: z.string(),
  lines: z.array(revaluationLineSchema),
  entry: journalEntrySchema.nullable(),
  reversal: journalEntrySchema.nullable(),
});
export type Revaluation = z.infer<typeof revaluationSchema>;

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Revalues open foreign-currency receivables and payables at the rates in force on `date` and
 * books the unrealised differences against the AR and AP control accounts, with the reversing
 * entry on the next day: the statements of `date` show the balances at today's value, and the
 * realised difference is still booked exactly when each document is settled.
 *
 * Idempotent by date: running it again returns the entries already posted.
 */
export async function revalueForeignBalances(trx: Tx, actor: AuditActor, date: string): Promise<Revaluation> {
  const books = await tenantBooks(trx);
  const scale = minorUnits(books.baseCurrency);
  const lines: Revaluation['lines'] = [];
  const postings: { account: string; debit?: string; credit?: string; memo?: string }[] = [];
  const roles = await trx
    .selectFrom('accounts')
    .select(['code', 'role'])
    .where('role', 'in', ['receivable', 'payable', 'fx_unrealised'])
    .execute();
  const accountOf = (role: string) => roles.find((r) => r.role === role)?.code as string;
  let net = ZERO;

  for (const ledger of ['receivable', 'payable'] as Ledger[]) {
    const byCurrency = new Map<string, { open: Dec; base: Dec }>();
    for (const row of await agingRows(trx, ledger, date)) {
      if (row.currency === books.baseCurrency) continue;
      const sums = byCurrency.get(row.currency) ?? { open: ZERO, base: ZERO };
      for (const bucket of [row.current, row.days_1_30, row.days_31_60, row.days_61_90, row.over_90])
        sums.open = sums.open.plus(bucket);
      for (const bucket of [
        row.base_current,
        row.base_1_30,
        row.base_31_60,
        row.base_61_90,
        row.base_over_90,
      ])
        sums.base = sums.base.plus(bucket);
      byCurrency.set(row.currency, sums);
    }
    for (const [currency, sums] of [...byCurrency].sort(([a], [b]) => a.localeCompare(b))) {
      const found = await rateOn(trx, currency, date);
      if (!found) throw accountingErrors.noExchangeRate(currency, date);
      const revalued = sums.open.times(found).toDecimalPlaces(scale, Decimal.ROUND_HALF_EVEN);
      const difference = revalued.minus(sums.base);
      const shown = (value: Dec, in_: string) => Money.of(value, in_).toAmountString();
      lines.push({
        ledger,
        currency,
        open: shown(sums.open, currency),
        bookedBase: shown(sums.base, books.baseCurrency),
        rate: new Decimal(found).toString(),
        revaluedBase: shown(revalued, books.baseCurrency),
        difference: shown(difference, books.baseCurrency),
      });
      if (difference.isZero()) continue;
      // A receivable worth more is a debit to AR; a payable worth more is a credit to AP.
      const debitControl = ledger === 'receivable' ? difference.isPositive() : difference.isNegative();
      const amount = difference.abs().toFixed(4);
      const memo = `${currency} ${ledger === 'receivable' ? 'receivables' : 'payables'} at ${found}`;
      postings.push({
        account: accountOf(ledger),
        ...(debitControl ? { debit: amount } : { credit: amount }),
        memo,
      });
      net = net.plus(debitControl ? difference.abs() : difference.abs().negated());
    }
  }
  if (postings.length === 0)
    return { date, baseCurrency: books.baseCurrency, lines, entry: null, reversal: null };
  // The net of the control-account changes is the unrealised result (none when they cancel out).
  if (!net.isZero()) {
    const amount = net.abs().toFixed(4);
    postings.push({
      account: accountOf('fx_unrealised'),
      ...(net.isPositive() ? { credit: amount } : { debit: amount }),
    });
  }

  const entry: JournalEntry = await postEntry(trx, actor, {
    date,
    memo: `Unrealised foreign exchange revaluation at ${date}`,
    currency: books.baseCurrency,
    lines: postings,
    source: { type: 'accounting.fx-revaluation', id: date },
    allowControlAccounts: true,
  });
  const reversal = entry.reversedByEntryId
    ? await getEntry(trx, entry.reversedByEntryId)
    : await reverseEntry(trx, actor, entry.id, {
        date: nextDay(date),
        memo: `Reversal of the unrealised foreign exchange revaluation at ${date}`,
      });
  return { date, baseCurrency: books.baseCurrency, lines, entry, reversal };
}
