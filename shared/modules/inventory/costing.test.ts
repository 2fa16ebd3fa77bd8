import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../platform/money.js';
import {
  averageCost,
  balanceOf,
  incomingAtAverage,
  moved,
  outgoingCost,
  quantityString,
  valueAt,
  ZERO,
  type Balance,
} from './costing.js';

const d = (v: string) => new Decimal(v);
const empty: Balance = balanceOf(undefined);

describe('moving-average costing', () => {
  it('averages receipts at different prices exactly, to 4 places', () => {
    let b = moved(empty, d('10'), valueAt(d('10'), d('100.00')));
    b = moved(b, d('5'), valueAt(d('5'), d('115.50')));
    expect(b.value.toFixed(4)).toBe('1577.5000');
    expect(averageCost(b).toFixed(4)).toBe('105.1667');
    const third = valueAt(d('2.5'), d('99.9999'));
    expect(third.toFixed(4)).toBe('249.9998'); // 249.99975, rounded half-even
  });

  it('takes the proportional share of the value out, and all of it with the last units', () => {
    const b: Balance = { onHand: d('3'), reserved: ZERO, value: d('100.0000') };
    expect(outgoingCost(b, d('1')).toFixed(4)).toBe('33.3333');
    const after = moved(b, d('-1'), outgoingCost(b, d('1')).negated());
    expect(after.value.toFixed(4)).toBe('66.6667');
    expect(outgoingCost(after, d('2')).toFixed(4)).toBe('66.6667');
  });

  it('values found goods at the average, or at the last known cost when nothing is on hand', () => {
    const b: Balance = { onHand: d('4'), reserved: ZERO, value: d('10.0000') };
    expect(incomingAtAverage(b, d('2'), d('999')).toFixed(4)).toBe('5.0000');
    expect(incomingAtAverage(empty, d('2'), d('7.125')).toFixed(4)).toBe('14.2500');
    expect(averageCost(empty).isZero()).toBe(true);
  });

  it('never leaves value on an empty balance nor takes more value than there is', () => {
    const amount = fc
      .integer({ min: 1, max: 10_000_000 })
      .map((n) => new Decimal(n).dividedBy(10_000)) as fc.Arbitrary<InstanceType<typeof Decimal>>;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), amount, amount), { minLength: 1, maxLength: 40 }),
        (steps) => {
          let b = empty;
          for (const [incoming, quantity, price] of steps) {
            if (incoming) b = moved(b, quantity, valueAt(quantity, price));
            else {
              const q = Decimal.min(quantity, b.onHand);
              if (q.isZero()) continue;
              const cost = outgoingCost(b, q);
              expect(cost.lessThanOrEqualTo(b.value)).toBe(true);
              b = moved(b, q.negated(), cost.negated());
            }
            expect(b.value.isNegative()).toBe(false);
            if (b.onHand.isZero()) expect(b.value.isZero()).toBe(true);
          }
        },
      ),
    );
  });

  it('shows quantities without trailing zeros', () => {
    expect(quantityString('30.0000')).toBe('30');
    expect(quantityString('2.5000')).toBe('2.5');
  });
});
