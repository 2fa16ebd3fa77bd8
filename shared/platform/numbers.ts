import { sql, type RawBuilder } from 'kysely';
import type { Tx } from './db/database.js';
import { AppError } from './errors.js';

export interface NumberSeries {
  code: string;
  prefix: string;
  padding: number;
  yearly: boolean;
}

/** A tenant's number series, read before numbering so that the counter is locked as late as possible. */
export async function numberSeries(trx: Tx, code: string): Promise<NumberSeries> {
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
  return { code, ...series };
}

/**
 * The statement that takes the next value of a series, as SQL to run on its own or as the first
 * part of a data-modifying statement: `insert into number_counters … returning number`, the
 * number formatted as `nextDocumentNumber` does. The counter row stays locked until the
 * transaction ends, so callers run it as late as they can: right before commit.
 */
export function takeNumberSql(
  tenantId: string,
  series: NumberSeries,
  documentDate: string,
): RawBuilder<{ number: string }> {
  const year = series.yearly ? Number(documentDate.slice(0, 4)) : 0;
  const prefix = series.yearly ? `${series.prefix}-${year}-` : `${series.prefix}-`;
  // lpad would cut a value longer than the padding; padStart does not, nor does this.
  return sql<{ number: string }>`
    insert into number_counters (tenant_id, code, year, last_value) values (${tenantId}, ${series.code}, ${year}, 1)
    on conflict (tenant_id, code, year) do update set last_value = number_counters.last_value + 1
    returning ${prefix}::text || case when length(last_value::text) >= ${series.padding}::int then last_value::text
                                      else lpad(last_value::text, ${series.padding}::int, '0') end as number`;
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
  const series = await numberSeries(trx, code);
  const result = await takeNumberSql(tenantId, series, documentDate).execute(trx);
  return String(result.rows[0]?.number);
}
