import type { StockDocumentInput, StockDocumentKind } from '../../api/types';
import { Decimal, isDecimalText, type Dec } from '../../format/decimal';
import type { FormErrorKind } from './formParts';

export interface DocumentLineDraft {
  key: string;
  /** The item's SKU, what the API names items by in stock documents. */
  sku: string;
  itemLabel: string;
  uom: string;
  quantity: string;
  unitCost: string;
}

export interface StockDocumentDraft {
  /** Receipts and adjustments: the warehouse; transfers: where the stock leaves. */
  warehouse: string;
  /** Transfers: where the stock arrives. */
  to: string;
  date: string;
  reference: string;
  reason: string;
  lines: DocumentLineDraft[];
}

export type DocumentErrors = Record<string, FormErrorKind>;

export const emptyDocumentLine = (): DocumentLineDraft => ({
  key: crypto.randomUUID(),
  sku: '',
  itemLabel: '',
  uom: '',
  quantity: '',
  unitCost: '',
});

export const emptyDocument = (warehouse: string): StockDocumentDraft => ({
  warehouse,
  to: '',
  date: '',
  reference: '',
  reason: '',
  lines: [emptyDocumentLine()],
});

const SIGNED = /^-?\d{1,15}(\.\d{1,4})?$/;
const POSITIVE = /^\d{1,15}(\.\d{1,4})?$/;
const isZero = (v: string) => /^-?0*(\.0*)?$/.test(v);

/** What the form can tell before asking the server, keyed like the server's field paths. */
export function validateDocument(kind: StockDocumentKind, draft: StockDocumentDraft): DocumentErrors {
  const errors: DocumentErrors = {};
  const source = kind === 'transfer' ? 'from' : 'warehouse';
  if (!draft.warehouse) errors[source] = 'required';
  if (kind === 'transfer') {
    if (!draft.to) errors.to = 'required';
    else if (draft.to === draft.warehouse) errors.to = 'sameWarehouse';
  }
  if (kind === 'adjustment' && !draft.reason.trim()) errors.reason = 'required';
  if (draft.lines.length === 0) errors.lines = 'lines';
  draft.lines.forEach((line, i) => {
    if (!line.sku) errors[`lines.${i}.item`] = 'required';
    const quantity = line.quantity.trim();
    if (kind === 'adjustment') {
      if (!SIGNED.test(quantity) || isZero(quantity)) errors[`lines.${i}.quantity`] = 'nonZero';
    } else if (!POSITIVE.test(quantity) || isZero(quantity)) errors[`lines.${i}.quantity`] = 'positive';
    if (kind === 'receipt' && (!isDecimalText(line.unitCost) || isZero(line.unitCost.trim())))
      errors[`lines.${i}.unitCost.amount`] = 'positive';
  });
  return errors;
}

/** The body the API takes for the kind of document; blank optional fields are left out. */
export function documentInput(
  kind: StockDocumentKind,
  draft: StockDocumentDraft,
  baseCurrency: string,
): StockDocumentInput {
  const optional = (value: string) => value.trim() || undefined;
  const lines = draft.lines.map((line) => ({
    item: line.sku,
    quantity: line.quantity.trim(),
    ...(kind === 'receipt' ? { unitCost: { amount: line.unitCost.trim(), currency: baseCurrency } } : {}),
  }));
  const date = optional(draft.date);
  if (kind === 'transfer')
    return { from: draft.warehouse, to: draft.to, date, reference: optional(draft.reference), lines };
  if (kind === 'adjustment') return { warehouse: draft.warehouse, date, reason: draft.reason.trim(), lines };
  return { warehouse: draft.warehouse, date, reference: optional(draft.reference), lines };
}

/** A receipt line's value and the receipt's total, exact; lines not yet valid count as nothing. */
export function receiptValues(draft: StockDocumentDraft) {
  const values = draft.lines.map((line) =>
    isDecimalText(line.quantity) && isDecimalText(line.unitCost)
      ? new Decimal(line.quantity).times(line.unitCost)
      : undefined,
  );
  const total = values.reduce<Dec>((sum, v) => (v ? sum.plus(v) : sum), new Decimal(0));
  return { values, total };
}
