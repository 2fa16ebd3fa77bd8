import { Decimal, minorUnits, type Dec } from '../../format/decimal';
import type { JournalEntryInput } from './api';

/** A journal line as typed: one of debit or credit holds an amount. */
export interface JournalLineDraft {
  key: string;
  account: string;
  debit: string;
  credit: string;
  memo: string;
}

export interface JournalDraft {
  date: string;
  memo: string;
  currency: string;
  lines: JournalLineDraft[];
}

export type JournalProblem =
  'required' | 'amount' | 'oneSide' | 'account' | 'lines' | 'unbalanced' | 'decimals';

export type JournalErrors = Record<string, JournalProblem>;

let lineKey = 0;
export function emptyJournalLine(): JournalLineDraft {
  lineKey += 1;
  return { key: `line-${lineKey}`, account: '', debit: '', credit: '', memo: '' };
}

export function emptyJournal(date: string, currency: string): JournalDraft {
  return { date, memo: '', currency, lines: [emptyJournalLine(), emptyJournalLine()] };
}

const AMOUNT = /^(0|[1-9]\d{0,14})(\.\d{1,4})?$/;
const isBlank = (line: JournalLineDraft) =>
  !line.account && !line.debit.trim() && !line.credit.trim() && !line.memo.trim();

/** The lines that will be posted: untouched rows are left out. */
export function postedLines(draft: JournalDraft): { line: JournalLineDraft; index: number }[] {
  return draft.lines.map((line, index) => ({ line, index })).filter(({ line }) => !isBlank(line));
}

const amountOf = (text: string): Dec | undefined =>
  AMOUNT.test(text.trim()) ? new Decimal(text.trim()) : undefined;

export interface JournalTotals {
  debit: Dec;
  credit: Dec;
  /** Debits less credits: zero when the entry balances. */
  difference: Dec;
}

/** Debits and credits of the valid amounts typed so far. */
export function journalTotals(draft: JournalDraft): JournalTotals {
  let debit = new Decimal(0);
  let credit = new Decimal(0);
  for (const { line } of postedLines(draft)) {
    debit = debit.plus(amountOf(line.debit) ?? 0);
    credit = credit.plus(amountOf(line.credit) ?? 0);
  }
  return { debit, credit, difference: debit.minus(credit) };
}

/**
 * What stops the entry from being posted, by field (`memo`, `lines.0.debit`…): the same rules the
 * ledger enforces, checked before anything is sent. An entry that does not balance is never sent.
 */
export function validateJournal(draft: JournalDraft, postable: ReadonlySet<string>): JournalErrors {
  const errors: JournalErrors = {};
  if (!draft.date) errors.date = 'required';
  if (!draft.memo.trim()) errors.memo = 'required';
  const lines = postedLines(draft);
  if (lines.length < 2) errors.lines = 'lines';
  const places = minorUnits(draft.currency);
  for (const { line, index } of lines) {
    if (!line.account) errors[`lines.${index}.account`] = 'required';
    else if (!postable.has(line.account)) errors[`lines.${index}.account`] = 'account';
    const debit = line.debit.trim();
    const credit = line.credit.trim();
    if (debit && credit) errors[`lines.${index}.credit`] = 'oneSide';
    else if (!debit && !credit) errors[`lines.${index}.debit`] = 'amount';
    for (const side of ['debit', 'credit'] as const) {
      const text = side === 'debit' ? debit : credit;
      if (!text || errors[`lines.${index}.${side}`]) continue;
      const value = amountOf(text);
      if (!value || value.isZero()) errors[`lines.${index}.${side}`] = 'amount';
      else if (value.decimalPlaces() > places) errors[`lines.${index}.${side}`] = 'decimals';
    }
  }
  const totals = journalTotals(draft);
  if (lines.length >= 2 && (!totals.difference.isZero() || totals.debit.isZero()))
    errors.balance = 'unbalanced';
  return errors;
}

/** The request body for `POST /v1/accounting/journal-entries`. */
export function journalInput(draft: JournalDraft): JournalEntryInput {
  return {
    date: draft.date,
    memo: draft.memo.trim(),
    currency: draft.currency,
    lines: postedLines(draft).map(({ line }) => ({
      account: line.account,
      ...(line.debit.trim() ? { debit: line.debit.trim() } : { credit: line.credit.trim() }),
      ...(line.memo.trim() ? { memo: line.memo.trim() } : {}),
    })),
  };
}
