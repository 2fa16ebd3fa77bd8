import { describe, expect, it } from 'vitest';
import { documentTotals, lineNet, toAmount } from './decimal';

describe('client totals match the server rounding', () => {
  it('rounds a line net half up once, after the discount', () => {
    // 3 × 10.005 = 30.015 → 30.02 (half up; half even would give 30.02 too, so test a .5 on even)
    expect(toAmount(lineNet('3', '10.005', '0', 'ZAR'), 'ZAR')).toBe('30.02');
    expect(toAmount(lineNet('1', '0.125', '0', 'ZAR'), 'ZAR')).toBe('0.13');
    expect(toAmount(lineNet('7', '19.99', '12.5', 'ZAR'), 'ZAR')).toBe('122.44');
  });

  it('uses the currency minor units', () => {
    expect(toAmount(lineNet('3', '333.5', '0', 'JPY'), 'JPY')).toBe('1001');
  });

  it('adds VAT per tax code on the summed nets, rounded once per code', () => {
    const net = (v: string) => lineNet('1', v, '0', 'ZAR');
    const totals = documentTotals(
      [
        { net: net('0.03'), taxCode: 'VAT15', taxRate: '15' },
        { net: net('0.03'), taxCode: 'VAT15', taxRate: '15' },
        { net: net('100'), taxCode: 'ZERO', taxRate: '0' },
      ],
      'ZAR',
    );
    // 0.06 × 15 % = 0.009 → 0.01 (per line it would be 0.00 + 0.00).
    expect(totals.taxes.map((t) => [t.taxCode, toAmount(t.tax, 'ZAR')])).toEqual([
      ['VAT15', '0.01'],
      ['ZERO', '0.00'],
    ]);
    expect(toAmount(totals.gross, 'ZAR')).toBe('100.07');
  });
});
