import { isDecimalText, lineNet, documentTotals, type Dec, type DocumentTotals } from '../../format/decimal';
import type { ItemKind, Quote, QuoteInput } from '../../api/types';

/** A line as the user edits it: texts, so a half-typed number is kept as typed. */
export interface LineDraft {
  key: string;
  itemId: string;
  itemLabel: string;
  kind: ItemKind | undefined;
  warehouseId: string;
  description: string;
  quantity: string;
  unitPrice: string;
  discountPercent: string;
  taxCode: string;
}

export interface QuoteDraft {
  customerId: string;
  customerLabel: string;
  currency: string;
  reference: string;
  validUntil: string;
  notes: string;
  lines: LineDraft[];
}

let nextKey = 0;
export const newLineKey = () => `line-${++nextKey}`;

export function emptyLine(): LineDraft {
  return {
    key: newLineKey(),
    itemId: '',
    itemLabel: '',
    kind: undefined,
    warehouseId: '',
    description: '',
    quantity: '1',
    unitPrice: '',
    discountPercent: '',
    taxCode: '',
  };
}

export function draftFromQuote(quote: Quote | undefined, currency: string): QuoteDraft {
  if (!quote) {
    return {
      customerId: '',
      customerLabel: '',
      currency,
      reference: '',
      validUntil: '',
      notes: '',
      lines: [emptyLine()],
    };
  }
  return {
    customerId: quote.customer.id,
    customerLabel: `${quote.customer.code} · ${quote.customer.name}`,
    currency: quote.currency,
    reference: quote.reference ?? '',
    validUntil: quote.validUntil,
    notes: quote.notes ?? '',
    lines: quote.lines.map((line) => ({
      key: newLineKey(),
      itemId: line.itemId,
      itemLabel: `${line.sku} · ${line.description}`,
      kind: line.warehouseId ? 'stock' : 'service',
      warehouseId: line.warehouseId ?? '',
      description: line.description,
      quantity: line.quantity,
      unitPrice: line.unitPrice.amount,
      discountPercent: line.discountPercent === '0' ? '' : line.discountPercent,
      taxCode: line.taxCode,
    })),
  };
}

const DISCOUNT_PATTERN = /^(0|[1-9]\d?)(\.\d{1,4})?$/;

export type DraftErrors = Record<string, 'required' | 'positive' | 'discount' | 'warehouse' | 'lines'>;

/** What the server would refuse, found before sending; keys are the API's field paths. */
export function validateDraft(draft: QuoteDraft): DraftErrors {
  const errors: DraftErrors = {};
  if (!draft.customerId) errors.customerId = 'required';
  if (draft.lines.length === 0) errors.lines = 'lines';
  draft.lines.forEach((line, i) => {
    if (!line.itemId) errors[`lines.${i}.itemId`] = 'required';
    if (line.kind === 'stock' && !line.warehouseId) errors[`lines.${i}.warehouseId`] = 'warehouse';
    if (!isDecimalText(line.quantity) || Number(line.quantity) <= 0)
      errors[`lines.${i}.quantity`] = 'positive';
    if (line.unitPrice.trim() && (!isDecimalText(line.unitPrice) || Number(line.unitPrice) <= 0))
      errors[`lines.${i}.unitPrice`] = 'positive';
    if (line.discountPercent.trim() && !DISCOUNT_PATTERN.test(line.discountPercent.trim()))
      errors[`lines.${i}.discountPercent`] = 'discount';
  });
  return errors;
}

/**
 * The body to send. A new quote leaves out what is empty; a change sends null to clear the
 * reference or the notes.
 */
export function inputFromDraft(draft: QuoteDraft, change = false): QuoteInput {
  const text = (value: string) => (value.trim() ? value.trim() : change ? null : undefined);
  const reference = text(draft.reference);
  const notes = text(draft.notes);
  return {
    customerId: draft.customerId,
    ...(draft.validUntil ? { validUntil: draft.validUntil } : {}),
    ...(reference !== undefined ? { reference } : {}),
    ...(notes !== undefined ? { notes } : {}),
    lines: draft.lines.map((line) => ({
      itemId: line.itemId,
      ...(line.kind === 'stock' && line.warehouseId ? { warehouseId: line.warehouseId } : {}),
      ...(line.description.trim() ? { description: line.description.trim() } : {}),
      quantity: line.quantity.trim(),
      ...(line.unitPrice.trim() ? { unitPrice: line.unitPrice.trim() } : {}),
      ...(line.discountPercent.trim() ? { discountPercent: line.discountPercent.trim() } : {}),
      ...(line.taxCode ? { taxCode: line.taxCode } : {}),
    })),
  };
}

export interface LiveTotals extends DocumentTotals {
  lineNets: (Dec | null)[];
  /** Lines without a price yet (the server prices them from the item when the quote is saved). */
  unpriced: number;
}

/** The totals as the server will compute them, from what is typed so far. */
export function liveTotals(draft: QuoteDraft, taxRates: ReadonlyMap<string, string>): LiveTotals {
  const lineNets = draft.lines.map((line) => {
    const discount = line.discountPercent.trim() || '0';
    if (!isDecimalText(line.quantity) || !isDecimalText(line.unitPrice) || !DISCOUNT_PATTERN.test(discount))
      return null;
    return lineNet(line.quantity.trim(), line.unitPrice.trim(), discount, draft.currency);
  });
  const priced = draft.lines.flatMap((line, i) => {
    const net = lineNets[i];
    return net ? [{ net, taxCode: line.taxCode, taxRate: taxRates.get(line.taxCode) ?? '0' }] : [];
  });
  return {
    ...documentTotals(priced, draft.currency),
    lineNets,
    unpriced: draft.lines.length - priced.length,
  };
}
