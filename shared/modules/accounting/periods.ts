import { randomUUID } from 'node:crypto';
import type { Tx } from '../../platform/db/database.js';
import * as repo from './repository.js';

function addMonths(year: number, month: number, add: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + add;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

function lastDay(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const iso = (year: number, month: number, day: number) =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** The fiscal year containing `date` for a year that starts in `startMonth`: its first month and name. */
export function fiscalYearOf(date: string, startMonth: number): { startYear: number; name: string } {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const startYear = month >= startMonth ? year : year - 1;
  const endYear = startMonth === 1 ? startYear : startYear + 1;
  return { startYear, name: `FY${endYear}` };
}

/**
 * The period containing `date`, creating its fiscal year (twelve monthly periods) when the books
 * have none for that date yet. Concurrent callers create it once (unique start dates).
 */
export async function ensurePeriod(trx: Tx, books: repo.TenantBooks, date: string) {
  const existing = await repo.periodContaining(trx, date);
  if (existing) return existing;
  const { startYear, name } = fiscalYearOf(date, books.fiscalYearStartMonth);
  const start = iso(startYear, books.fiscalYearStartMonth, 1);
  const endMonth = addMonths(startYear, books.fiscalYearStartMonth, 11);
  const end = iso(endMonth.year, endMonth.month, lastDay(endMonth.year, endMonth.month));
  const yearId = randomUUID();
  const inserted = await trx
    .insertInto('fiscal_years')
    .values({ tenant_id: books.id, id: yearId, name, start_date: start, end_date: end })
    .onConflict((oc) => oc.columns(['tenant_id', 'start_date']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) {
    await trx
      .insertInto('periods')
      .values(
        Array.from({ length: 12 }, (_, i) => {
          const m = addMonths(startYear, books.fiscalYearStartMonth, i);
          return {
            tenant_id: books.id,
            id: randomUUID(),
            fiscal_year_id: yearId,
            number: i + 1,
            start_date: iso(m.year, m.month, 1),
            end_date: iso(m.year, m.month, lastDay(m.year, m.month)),
          };
        }),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'start_date']).doNothing())
      .execute();
  }
  const period = await repo.periodContaining(trx, date);
  if (!period) throw new Error(`No period contains ${date} after creating ${name}.`);
  return period;
}
