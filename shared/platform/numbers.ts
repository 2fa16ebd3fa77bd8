import { sql } from 'kysely';
import type { Tx } from './db/database.js';
import { AppError } from './errors.js';

/**
 * The next document number of a series, such as `SO-2026-000123`. The counter row stays locked
 * until the caller's transaction ends, so numbers are unique and, for committed documents,
 * without gaps within a year.
 */
export async function nextDocumentNumber(
  trx: Tx,
  tenantId: string,
  code: string,
  documentDate: string,
): Promise<string> {
  const series = await trx
    .selectFrom('number_series')
    .select(['prefix', 'padding', 'yearly'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!series)
    throw new AppError(
      'business_rule',
      'platform.number_series_missing',
      `The tenant has no number series ${code}.`,
    );
  const year = series.yearly ? Number(documentDate.slice(0, 4)) : 0;
  const result = await sql<{ last_value: string }>`
    insert into number_counters (tenant_id, code, year, last_value) values (${tenantId}, ${code}, ${year}, 1)
    on conflict (tenant_id, code, year) do update set last_value = number_counters.last_value + 1
    returning last_value`.execute(trx);
  const value = String(result.rows[0]?.last_value).padStart(series.padding, '0');
  return series.yearly ? `${series.prefix}-${year}-${value}` : `${series.prefix}-${value}`;
}
