import { describe, expect, it } from 'vitest';
import { formatDay, formatDecimal } from './print.js';

describe('printing exact decimals', () => {
  it('groups and separates by locale without rounding through a float', () => {
    expect(formatDecimal('1234567.50', 'en-US')).toBe('1,234,567.50');
    expect(formatDecimal('-1234567.5', 'en-US')).toBe('-1,234,567.50');
    // 17 significant digits survive: a float would print 12345678901234568.
    expect(formatDecimal('123456789012345.67', 'en-US')).toBe('123,456,789,012,345.67');
    expect(formatDecimal('0.00', 'en-US')).toBe('0.00');
    expect(formatDecimal('-0.00', 'en-US')).toBe('0.00');
  });

  it('uses the locale separators (South African English and Afrikaans)', () => {
    const za = formatDecimal('331200', 'en-ZA');
    expect(za.replace(/\s/g, ' ')).toBe('331 200,00');
    expect(formatDecimal('2.5', 'af-ZA').replace(/\s/g, ' ')).toBe('2,50');
  });

  it('prints quantities with only the decimals they have', () => {
    expect(formatDecimal('120000.0000', 'en-US', 0)).toBe('120,000');
    expect(formatDecimal('2.5000', 'en-US', 0)).toBe('2.5');
  });

  it('prints calendar days as they are', () => {
    expect(formatDay('2026-10-31', 'en-US')).toBe('Oct 31, 2026');
  });
});
