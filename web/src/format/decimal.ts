import Decimal from 'decimal.js';

/**
 * Exact decimal arithmetic for money on the client, rounded the way the server rounds
 * (shared/modules/accounting/trade-documents.ts): a line's net and each tax code's VAT are rounded
 * half up, once, to the currency's minor units.
 */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof D>;
export { D as Decimal };

const minorUnitsCache = new Map<string, number>();

export function minorUnits(currency: string): number {
  let places = minorUnitsCache.get(currency);
  if (places === undefined) {
    try {
      places =
        new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
          .maximumFractionDigits ?? 2;
    } catch {
      places = 2;
    }
    minorUnitsCache.set(currency, places);
  }
  return places;
}

const commercial = (value: Dec, currency: string) =>
  value.toDecimalPlaces(minorUnits(currency), D.ROUND_HALF_UP);

const DECIMAL_PATTERN = /^\d{1,15}(\.\d{1,6})?$/;

/** Whether a text is a plain non-negative decimal the API accepts ("12", "0.5"). */
export function isDecimalText(text: string): boolean {
  return DECIMAL_PATTERN.test(text.trim());
}

/** Quantity × unit price less the trade discount, rounded once for the currency. */
export function lineNet(quantity: string, unitPrice: string, discountPercent: string, currency: string): Dec {
  const gross = new D(quantity).times(unitPrice);
  return commercial(gross.minus(gross.times(discountPercent || '0').dividedBy(100)), currency);
}

export interface TaxTotal {
  taxCode: string;
  rate: string;
  net: Dec;
  tax: Dec;
}

/** VAT per tax code: the nets of the code's lines added, then the rate applied and rounded once. */
export function taxSummary(
  lines: { net: Dec; taxCode: string; taxRate: string }[],
  currency: string,
): TaxTotal[] {
  const byCode = new Map<string, { taxCode: string; rate: string; net: Dec }>();
  for (const line of lines) {
    const entry = byCode.get(line.taxCode) ?? { taxCode: line.taxCode, rate: line.taxRate, net: new D(0) };
    entry.net = entry.net.plus(line.net);
    byCode.set(line.taxCode, entry);
  }
  return [...byCode.values()]
    .sort((a, b) => a.taxCode.localeCompare(b.taxCode))
    .map((t) => ({ ...t, tax: commercial(t.net.times(t.rate).dividedBy(100), currency) }));
}

export interface DocumentTotals {
  net: Dec;
  tax: Dec;
  gross: Dec;
  taxes: TaxTotal[];
}

export function documentTotals(
  lines: { net: Dec; taxCode: string; taxRate: string }[],
  currency: string,
): DocumentTotals {
  const net = lines.reduce((sum, l) => sum.plus(l.net), new D(0));
  const taxes = taxSummary(lines, currency);
  const tax = taxes.reduce((sum, t) => sum.plus(t.tax), new D(0));
  return { net, tax, gross: net.plus(tax), taxes };
}

/** The amount as the API writes it: fixed to the currency's minor units. */
export function toAmount(value: Dec, currency: string): string {
  return value.toFixed(minorUnits(currency));
}
