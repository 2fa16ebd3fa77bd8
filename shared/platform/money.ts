import { Decimal as DecimalBase } from 'decimal.js';
import { z } from 'zod';

/**
 * Money is exact: amounts are decimal strings on the wire, `numeric(19,4)` in the database and
 * `Decimal` in between. A JavaScript number never holds an amount.
 */
const D = DecimalBase.clone({
  precision: 40,
  rounding: DecimalBase.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
type Dec = InstanceType<typeof D>;

export const AMOUNT_SCALE_MAX = 4;
const AMOUNT_PATTERN = /^-?(0|[1-9]\d{0,14})(\.\d{1,4})?$/;

const currencies = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && currencies.has(code);
}

const MINOR_UNITS = new Map<string, number>();

/** Minor units of an ISO 4217 currency (2 for ZAR, 0 for JPY, 3 for BHD). */
export function minorUnits(currency: string): number {
  let units = MINOR_UNITS.get(currency);
  if (units === undefined) {
    // Building a NumberFormat costs tens of microseconds; reports ask this for every amount.
    units =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    MINOR_UNITS.set(currency, units);
  }
  return units;
}

export const currencySchema = z
  .string()
  .refine(isCurrency, { message: 'An ISO 4217 currency code such as ZAR' })
  .meta({ description: 'ISO 4217 currency code', examples: ['ZAR'] });

/** A decimal amount as a string, at most 15 integer digits and 4 decimal places. */
export const amountSchema = z
  .string()
  .regex(AMOUNT_PATTERN, { message: 'A decimal amount as a string, with at most 4 decimal places' })
  .meta({ description: 'Decimal amount as a string', examples: ['1234.50'] });

export const nonNegativeAmountSchema = amountSchema.refine((v) => !v.startsWith('-'), {
  message: 'Must not be negative',
});

export const moneySchema = z.strictObject({ amount: amountSchema, currency: currencySchema });
export type MoneyJson = z.infer<typeof moneySchema>;

export class Money {
  readonly amount: Dec;
  readonly currency: string;

  private constructor(amount: Dec, currency: string) {
    this.amount = amount;
    this.currency = currency;
  }

  static of(amount: string | Dec, currency: string): Money {
    if (!isCurrency(currency)) throw new RangeError(`Unknown currency ${currency}.`);
    const value = typeof amount === 'string' ? new D(amount) : amount;
    if (!value.isFinite()) throw new RangeError('An amount must be finite.');
    return new Money(value, currency);
  }

  static zero(currency: string): Money {
    return Money.of('0', currency);
  }

  static fromJson(json: MoneyJson): Money {
    return Money.of(json.amount, json.currency);
  }

  plus(other: Money): Money {
    this.#same(other);
    return new Money(this.amount.plus(other.amount), this.currency);
  }

  minus(other: Money): Money {
    this.#same(other);
    return new Money(this.amount.minus(other.amount), this.currency);
  }

  /** Multiplies by an exact factor (a quantity, a rate, a percentage as a fraction). */
  times(factor: string | Dec): Money {
    return new Money(this.amount.times(factor), this.currency);
  }

  negated(): Money {
    return new Money(this.amount.negated(), this.currency);
  }

  /** Rounds half-even to `scale` places (the currency's minor units unless said otherwise). */
  rounded(scale = minorUnits(this.currency)): Money {
    return new Money(this.amount.toDecimalPlaces(scale, D.ROUND_HALF_EVEN), this.currency);
  }

  isZero(): boolean {
    return this.amount.isZero();
  }

  isNegative(): boolean {
    return this.amount.isNegative() && !this.amount.isZero();
  }

  compare(other: Money): -1 | 0 | 1 {
    this.#same(other);
    return this.amount.comparedTo(other.amount) as -1 | 0 | 1;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.amount.equals(other.amount);
  }

  /** The amount as stored: exactly 4 decimal places, for `numeric(19,4)`. */
  toDbString(): string {
    return this.amount.toFixed(AMOUNT_SCALE_MAX);
  }

  /** The amount as shown: the currency's minor units, or more when the value needs them (up to 4). */
  toAmountString(): string {
    const scale = Math.min(
      AMOUNT_SCALE_MAX,
      Math.max(minorUnits(this.currency), this.amount.decimalPlaces()),
    );
    return this.amount.toFixed(scale);
  }

  toJSON(): MoneyJson {
    return { amount: this.toAmountString(), currency: this.currency };
  }

  #same(other: Money): void {
    if (other.currency !== this.currency)
      throw new RangeError(`Cannot combine ${this.currency} with ${other.currency}.`);
  }
}

export { D as Decimal };
