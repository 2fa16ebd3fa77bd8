import { Decimal } from '../../platform/money.js';

/**
 * Moving-average costing on exact decimals. A balance keeps its quantity and its total value; the
 * average unit cost is their quotient. Values are kept to 4 decimal places (`numeric(19,4)`),
 * rounded half-even, so the stock ledger sums to the balances exactly:
 *
 * - goods coming in at a price add quantity × unit cost;
 * - goods going out take their share of the value (value × quantity / on hand), and the last units
 *   out take all that is left, so an empty balance never keeps a value;
 * - goods found (a positive adjustment) come in at the current average cost, or at the last known
 *   unit cost when the balance is empty.
 */
export type Dec = InstanceType<typeof Decimal>;

export const SCALE = 4;
export const ZERO = new Decimal(0);

export interface Balance {
  onHand: Dec;
  reserved: Dec;
  value: Dec;
}

const round = (value: Dec): Dec => value.toDecimalPlaces(SCALE, Decimal.ROUND_HALF_EVEN);

export function balanceOf(row: { on_hand: string; reserved: string; value: string } | undefined): Balance {
  return row
    ? { onHand: new Decimal(row.on_hand), reserved: new Decimal(row.reserved), value: new Decimal(row.value) }
    : { onHand: ZERO, reserved: ZERO, value: ZERO };
}

export function available(balance: Balance): Dec {
  return balance.onHand.minus(balance.reserved);
}

/** The average unit cost, rounded to 4 places; zero for an empty balance. */
export function averageCost(balance: Pick<Balance, 'onHand' | 'value'>): Dec {
  return balance.onHand.isZero() ? ZERO : round(balance.value.dividedBy(balance.onHand));
}

/** What `quantity` units at `unitCost` are worth. */
export function valueAt(quantity: Dec, unitCost: Dec): Dec {
  return round(quantity.times(unitCost));
}

/**
 * The cost of taking `quantity` (0 < quantity ≤ on hand) out of a balance: its share of the value,
 * or the whole value when it empties the balance.
 */
export function outgoingCost(balance: Balance, quantity: Dec): Dec {
  if (quantity.greaterThanOrEqualTo(balance.onHand)) return balance.value;
  return round(balance.value.times(quantity).dividedBy(balance.onHand));
}

/** The value of `quantity` units found: at the average cost, or `lastUnitCost` when the balance is empty. */
export function incomingAtAverage(balance: Balance, quantity: Dec, lastUnitCost: Dec): Dec {
  if (balance.onHand.isZero()) return valueAt(quantity, lastUnitCost);
  return round(balance.value.times(quantity).dividedBy(balance.onHand));
}

/** The balance after `quantity` units worth `value` came in (both positive) or went out (both negative). */
export function moved(balance: Balance, quantity: Dec, value: Dec): Balance {
  return {
    onHand: balance.onHand.plus(quantity),
    reserved: balance.reserved,
    value: balance.value.plus(value),
  };
}

/** A quantity as shown: exact, without trailing zeros ('30', '2.5'). */
export function quantityString(value: Dec | string): string {
  return new Decimal(value).toFixed();
}

/** An amount as stored: exactly 4 decimal places. */
export function dbAmount(value: Dec): string {
  return value.toFixed(SCALE);
}
