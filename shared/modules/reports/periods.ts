import type { RelativePeriod } from './schemas.js';

export interface Period {
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
/** Days in a month (1-12) of a year. */
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The first month (year, month 1-12) of the fiscal quarter or year holding (y, m). */
function startOf(y: number, m: number, fiscalStartMonth: number, months: 3 | 12): { y: number; m: number } {
  const offset = (m - fiscalStartMonth + 12) % 12; // months since the fiscal year began
  const back = offset % months;
  const total = y * 12 + (m - 1) - back;
  return { y: Math.floor(total / 12), m: (total % 12) + 1 };
}

function addMonths(start: { y: number; m: number }, months: number): { y: number; m: number } {
  const total = start.y * 12 + (start.m - 1) + months;
  return { y: Math.floor(total / 12), m: (total % 12) + 1 };
}

function span(start: { y: number; m: number }, months: number): Period {
  const end = addMonths(start, months - 1);
  return { from: iso(start.y, start.m, 1), to: iso(end.y, end.m, daysIn(end.y, end.m)) };
}

/**
 * The dates a relative period covers on a run date ('YYYY-MM-DD', the day in the schedule's time
 * zone). Quarters and years follow the tenant's fiscal year (which starts on the first of
 * `fiscalStartMonth`); "last month" on 1 November is October.
 */
export function resolvePeriod(period: RelativePeriod, runDate: string, fiscalStartMonth: number): Period {
  const [y, m, d] = runDate.split('-').map(Number) as [number, number, number];
  switch (period) {
    case 'today':
      return { from: runDate, to: runDate };
    case 'yesterday': {
      const day = new Date(Date.UTC(y, m - 1, d - 1));
      const text = day.toISOString().slice(0, 10);
      return { from: text, to: text };
    }
    case 'monthToDate':
      return { from: iso(y, m, 1), to: runDate };
    case 'lastMonth':
      return span(addMonths({ y, m }, -1), 1);
    case 'quarterToDate': {
      const start = startOf(y, m, fiscalStartMonth, 3);
      return { from: iso(start.y, start.m, 1), to: runDate };
    }
    case 'lastQuarter':
      return span(addMonths(startOf(y, m, fiscalStartMonth, 3), -3), 3);
    case 'fiscalYearToDate': {
      const start = startOf(y, m, fiscalStartMonth, 12);
      return { from: iso(start.y, start.m, 1), to: runDate };
    }
    case 'lastFiscalYear':
      return span(addMonths(startOf(y, m, fiscalStartMonth, 12), -12), 12);
  }
}
