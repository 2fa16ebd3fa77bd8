import { todayIn } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import { Decimal, Money } from '../../platform/money.js';
import { arApErrors as errors } from './ar-ap-errors.js';
import * as repo from './ar-ap-repository.js';
import type { AgingBuckets, AgingReport, Statement } from './ar-ap-schemas.js';
import type { Ledger, PartyKind } from './ar-ap-tables.js';
import { tenantBooks } from './repository.js';

type Dec = InstanceType<typeof Decimal>;
const ZERO = new Decimal(0);
const BUCKETS = ['current', 'days1To30', 'days31To60', 'days61To90', 'over90'] as const;
type Sums = Record<(typeof BUCKETS)[number], Dec>;

const emptySums = (): Sums => ({
  current: ZERO,
  days1To30: ZERO,
  days31To60: ZERO,
  days61To90: ZERO,
  over90: ZERO,
});

function add(into: Sums, from: Sums): void {
  for (const b of BUCKETS) into[b] = into[b].plus(from[b]);
}

function shown(sums: Sums, currency: string): AgingBuckets {
  const out = Object.fromEntries(BUCKETS.map((b) => [b, Money.of(sums[b], currency).toAmountString()]));
  const total = BUCKETS.reduce((sum, b) => sum.plus(sums[b]), ZERO);
  return {
    ...(out as Record<(typeof BUCKETS)[number], string>),
    total: Money.of(total, currency).toAmountString(),
  };
}

/**
 * Aged receivables or payables as of a date: what each party owed (or was owed) on that date, by
 * days past due (current, 1–30, 31–60, 61–90, over 90), in each document currency and in the base
 * currency at the rates the documents were booked at. Credit notes count against their customer.
 */
export async function agingReport(trx: Tx, ledger: Ledger, asOf?: string): Promise<AgingReport> {
  const books = await tenantBooks(trx);
  const date = asOf ?? todayIn(books.timeZone);
  const rows = await repo.agingRows(trx, ledger, date);
  const parties = new Map<
    string,
    { partyId: string; code: string; name: string; byCurrency: Map<string, Sums>; base: Sums }
  >();
  const totalsByCurrency = new Map<string, Sums>();
  const totalBase = emptySums();
  for (const row of rows) {
    const party = parties.get(row.party_id) ?? {
      partyId: row.party_id,
      code: row.code,
      name: row.name,
      byCurrency: new Map<string, Sums>(),
      base: emptySums(),
    };
    parties.set(row.party_id, party);
    const inCurrency: Sums = {
      current: new Decimal(row.current),
      days1To30: new Decimal(row.days_1_30),
      days31To60: new Decimal(row.days_31_60),
      days61To90: new Decimal(row.days_61_90),
      over90: new Decimal(row.over_90),
    };
    const inBase: Sums = {
      current: new Decimal(row.base_current),
      days1To30: new Decimal(row.base_1_30),
      days31To60: new Decimal(row.base_31_60),
      days61To90: new Decimal(row.base_61_90),
      over90: new Decimal(row.base_over_90),
    };
    party.byCurrency.set(row.currency, inCurrency);
    add(party.base, inBase);
    const total = totalsByCurrency.get(row.currency) ?? emptySums();
    add(total, inCurrency);
    totalsByCurrency.set(row.currency, total);
    add(totalBase, inBase);
  }
  const byCurrency = (map: Map<string, Sums>) =>
    [...map]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, sums]) => ({ currency, ...shown(sums, currency) }));
  return {
    asOf: date,
    baseCurrency: books.baseCurrency,
    parties: [...parties.values()].map((p) => ({
      partyId: p.partyId,
      code: p.code,
      name: p.name,
      byCurrency: byCurrency(p.byCurrency),
      base: shown(p.base, books.baseCurrency),
    })),
    totals: { byCurrency: byCurrency(totalsByCurrency), base: shown(totalBase, books.baseCurrency) },
  };
}

/**
 * A party's statement of account for a date range, per currency: the balance brought forward,
 * every document and receipt or payment in the range with the running balance, and the closing
 * balance. Invoices and bills raise the balance; credit notes, receipts and payments lower it.
 */
export async function statementOfAccount(
  trx: Tx,
  kind: PartyKind,
  partyId: string,
  from: string,
  to: string,
): Promise<Statement> {
  const party = await repo.partyById(trx, kind, partyId);
  if (!party) throw errors.partyNotFound(kind);
  if (to < from) throw errors.dateRange();
  const opening = await repo.balancesBefore(trx, partyId, from);
  const movements = await repo.movementsBetween(trx, partyId, from, to);
  const currencies = new Set([...opening.map((o) => o.currency), ...movements.map((m) => m.currency)]);
  const accounts = [...currencies].sort().map((currency) => {
    const amount = (value: Dec) => Money.of(value, currency).toAmountString();
    const openingBalance = new Decimal(opening.find((o) => o.currency === currency)?.balance ?? 0);
    let balance = openingBalance;
    const lines = movements
      .filter((m) => m.currency === currency)
      .map((m) => {
        const value = new Decimal(m.amount);
        const raises = m.type === 'invoice' || m.type === 'bill';
        balance = raises ? balance.plus(value) : balance.minus(value);
        return {
          date: m.date,
          type: m.type,
          id: m.id,
          number: m.number,
          reference: m.reference,
          dueDate: m.due_date,
          debit: raises ? amount(value) : null,
          credit: raises ? null : amount(value),
          balance: amount(balance),
        };
      });
    return { currency, openingBalance: amount(openingBalance), lines, closingBalance: amount(balance) };
  });
  return { partyId, code: party.code, name: party.name, from, to, accounts };
}
