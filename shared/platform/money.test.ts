import { describe, expect, it } from 'vitest';
import { amountSchema, isCurrency, minorUnits, Money } from './money.js';

describe('Money', () => {
  it('adds without floating-point error', () => {
    const sum = Money.of('0.1', 'ZAR').plus(Money.of('0.2', 'ZAR'));
    expect(sum.toAmountString()).toBe('0.30');
    expect(sum.equals(Money.of('0.3', 'ZAR'))).toBe(true);
  });

  it('keeps four decimal places for storage and the minor units for display', () => {
    const m = Money.of('1234.5', 'ZAR');
    expect(m.toDbString()).toBe('1234.5000');
    expect(m.toJSON()).toEqual({ amount: '1234.50', currency: 'ZAR' });
    expect(Money.of('1.2345', 'ZAR').toAmountString()).toBe('1.2345');
    expect(Money.of('5', 'JPY').toAmountString()).toBe('5');
  });

  it('rounds half to even', () => {
    expect(Money.of('2.345', 'ZAR').rounded().toAmountString()).toBe('2.34');
    expect(Money.of('2.355', 'ZAR').rounded().toAmountString()).toBe('2.36');
  });

  it('refuses to mix currencies and unknown currencies', () => {
    expect(() => Money.of('1', 'ZAR').plus(Money.of('1', 'EUR'))).toThrow(/ZAR with EUR/);
    expect(() => Money.of('1', 'XYZ')).toThrow(/Unknown currency/);
    expect(isCurrency('ZAR')).toBe(true);
    expect(isCurrency('zar')).toBe(false);
    expect(minorUnits('BHD')).toBe(3);
  });

  it('accepts amounts only as decimal strings with at most four places', () => {
    expect(amountSchema.safeParse('150.00').success).toBe(true);
    expect(amountSchema.safeParse('-0.0001').success).toBe(true);
    expect(amountSchema.safeParse('1.23456').success).toBe(false);
    expect(amountSchema.safeParse('1e3').success).toBe(false);
    expect(amountSchema.safeParse(150).success).toBe(false);
    expect(amountSchema.safeParse('0150').success).toBe(false);
  });
});
