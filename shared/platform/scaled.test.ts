import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, Money } from './money.js';
import { divideHalfEven, parseScaled, scaledAmountString, scaledQuantityString } from './scaled.js';

/** Scaled integers give, value for value, what Decimal and Money give. */
const stored = fc
  .tuple(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 4 }))
  .map(([units, places]) => new Decimal(units.toString()).dividedBy(new Decimal(10).pow(places)).toFixed(4));

const toText = (value: bigint) => scaledAmountString(value, 4);

describe('scaled decimals', () => {
  it('parses stored numerics and refuses what is not one', () => {
    expect(parseScaled('12.5')).toBe(125000n);
    expect(parseScaled('-0.0001')).toBe(-1n);
    expect(parseScaled('7')).toBe(70000n);
    expect(parseScaled('-0.0000')).toBe(0n);
    for (const bad of ['1.23456', '1e3', '', '.5', '1.', 'NaN'])
      expect(() => parseScaled(bad)).toThrow(RangeError);
  });

  it('divides with ties to the even neighbour, both signs, and 0 for a zero denominator', () => {
    const q = (n: string, d: string) => toText(divideHalfEven(parseScaled(n), parseScaled(d)));
    expect(q('0.0025', '10')).toBe('0.0002'); // 0.00025
    expect(q('0.0035', '10')).toBe('0.0004'); // 0.00035
    expect(q('-0.0025', '10')).toBe('-0.0002');
    expect(q('0.0035', '-10')).toBe('-0.0004');
    expect(q('20', '3')).toBe('6.6667');
    expect(q('123.4567', '0')).toBe('0.0000');
  });

  it('matches Decimal for random quotients', () => {
    fc.assert(
      fc.property(stored, stored, (n, d) => {
        const exact = new Decimal(d).isZero()
          ? '0.0000'
          : new Decimal(n).dividedBy(d).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4);
        expect(toText(divideHalfEven(parseScaled(n), parseScaled(d)))).toBe(exact);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['ZAR', 2],
    ['JPY', 0],
    ['BHD', 3],
  ])('shows amounts as Money does and quantities as Decimal does (%s)', (currency, minorUnits) => {
    fc.assert(
      fc.property(stored, (text) => {
        expect(scaledAmountString(parseScaled(text), minorUnits)).toBe(
          Money.of(text, currency).toAmountString(),
        );
        expect(scaledQuantityString(parseScaled(text))).toBe(new Decimal(text).toFixed());
      }),
      { numRuns: 1000 },
    );
  });
});
