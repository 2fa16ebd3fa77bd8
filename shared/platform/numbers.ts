import { sql, type RawBuilder } from 'kysely';
import type { Tx } from './db/database.js';
import { AppError } from './errors.js';

function seriesMissing(code: string): AppError {
  return new AppError(
    'business_rule',
    'platform.number_series_missing',
    `The tenant has no number series ${code}.`,
  );
}

/**
 * Why a numbering statement wrote nothing, when it wrote nothing: a missing series is a clear error
 * (other reasons, such as a document written first by a concurrent request, are the caller's).
 */
export async function assertNumberSeries(trx: Tx, code: string): Promise<void> {
  const series = await trx
    .selectFrom('number_series')
    .select('code')
    .where('code', '=', code)
    .executeTakeFirst();
  if (!series) throw seriesMissing(code);
}

/**
 * The statement that takes the next value of the tenant's series `code`, as SQL to run on its own or
 * as the first part of a data-modifying statement: `insert into number_counters … returning number`,
 * formatted from the series (`SO-2026-000123`; a number longer than the padding is not cut). It
 * reads the series itself, so numbering costs one statement; it returns no row when the tenant has
 * no such series. The counter row stays locked until the transaction ends, so callers run it as late
 * as they can: right before commit.
 */
export function takeNumberSql(
  tenantId: string,
  code: string,
  documentDate: string,
): RawBuilder<{ number: string }> {
  const year = Number(documentDate.slice(0, 4));
  return sql<{ number: string }>`
    insert into number_counters (tenant_id, code, year, last_value)
    select ${tenantId}::uuid, s.code, case when s.yearly then ${year}::int else 0 end, 1
      from number_series s where s.code = ${code}
    on conflict (tenant_id, code, year) do update set last_value = number_counters.last_value + 1
    returning (select s.prefix || '-' || case when s.yearly then number_counters.year::text || '-' else '' end
                 || case when length(number_counters.last_value::text) >= s.padding then number_counters.last_value::text
                         else lpad(number_counters.last_value::text, s.padding, '0') end
                 from number_series s where s.code = ${code}) as number`;
}

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
  const result = await takeNumberSql(tenantId, code, documentDate).execute(trx);
  const number = result.rows[0]?.number;
  if (number === undefined) throw seriesMissing(code);
  return number;
}
