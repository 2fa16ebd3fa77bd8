import { describe, expect, it } from 'vitest';
import { resolvePeriod } from './periods.js';

describe('relative report periods', () => {
  it('last month and month to date', () => {
    expect(resolvePeriod('lastMonth', '2026-11-01', 3)).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(resolvePeriod('lastMonth', '2026-03-15', 3)).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(resolvePeriod('lastMonth', '2028-03-01', 1)).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(resolvePeriod('lastMonth', '2027-01-05', 1)).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(resolvePeriod('monthToDate', '2026-11-22', 3)).toEqual({ from: '2026-11-01', to: '2026-11-22' });
  });

  it('today and yesterday across a month and a year', () => {
    expect(resolvePeriod('yesterday', '2027-01-01', 3)).toEqual({ from: '2026-12-31', to: '2026-12-31' });
    expect(resolvePeriod('today', '2026-11-22', 3)).toEqual({ from: '2026-11-22', to: '2026-11-22' });
  });

  it('fiscal quarters follow the fiscal year start', () => {
    // Fiscal year from March: quarters Mar-May, Jun-Aug, Sep-Nov, Dec-Feb.
    expect(resolvePeriod('quarterToDate', '2026-11-22', 3)).toEqual({ from: '2026-09-01', to: '2026-11-22' });
    expect(resolvePeriod('lastQuarter', '2026-11-22', 3)).toEqual({ from: '2026-06-01', to: '2026-08-31' });
    expect(resolvePeriod('lastQuarter', '2027-01-10', 3)).toEqual({ from: '2026-09-01', to: '2026-11-30' });
    // Calendar quarters when the year starts in January.
    expect(resolvePeriod('lastQuarter', '2026-04-01', 1)).toEqual({ from: '2026-01-01', to: '2026-03-31' });
  });

  it('fiscal years', () => {
    expect(resolvePeriod('fiscalYearToDate', '2026-11-22', 3)).toEqual({
      from: '2026-03-01',
      to: '2026-11-22',
    });
    expect(resolvePeriod('fiscalYearToDate', '2027-02-10', 3)).toEqual({
      from: '2026-03-01',
      to: '2027-02-10',
    });
    expect(resolvePeriod('lastFiscalYear', '2026-11-22', 3)).toEqual({
      from: '2025-03-01',
      to: '2026-02-28',
    });
    expect(resolvePeriod('lastFiscalYear', '2026-11-22', 1)).toEqual({
      from: '2025-01-01',
      to: '2025-12-31',
    });
  });
});
