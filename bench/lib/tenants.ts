/**
 * Tenants for the report workloads, made directly in the database (as onboarding would leave
 * them: the tenant row, its chart of accounts and tax codes through the accounting module's own
 * setup, and its fiscal years), so that a hundred of them take seconds rather than a hundred
 * onboarding flows. Their fiscal year starts in March, as the demo tenant's; the books cover the
 * fiscal years FY2025 and FY2026 (March 2024 to February 2026).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ensurePeriod, setUpBooks, tenantBooks } from '../../shared/modules/accounting/index.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import type { BenchDatabase } from './db.js';

export const FIRST_DAY = '2024-03-01';
export const DAYS = 730;
/** The fiscal year the reports ask for: FY2026. */
export const YEAR = { from: '2025-03-01', to: '2026-02-28' };

export interface BenchTenant {
  id: string;
  slug: string;
}

export async function createTenants(database: BenchDatabase, slugs: string[]): Promise<BenchTenant[]> {
  const tenants = slugs.map((slug) => ({ id: randomUUID(), slug }));
  await sql`insert into tenants (id, slug, name, entra_tenant_id, base_currency, locale, time_zone, fiscal_year_start_month, approval_threshold)
    select t.id, t.slug, 'Bench ' || t.slug, gen_random_uuid(), 'ZAR', 'en-ZA', 'Africa/Johannesburg', 3, 250000
    from unnest(${tenants.map((t) => t.id)}::uuid[], ${tenants.map((t) => t.slug)}::text[]) as t(id, slug)`.execute(
    database.db,
  );
  for (const tenant of tenants) {
    await withTenant(database.db, tenant.id, async (trx) => {
      await setUpBooks(trx, tenant.id, 'ZAR');
      const books = await tenantBooks(trx);
      for (let m = 0; m < 24; m++) await ensurePeriod(trx, books, monthStart(m));
    });
  }
  return tenants;
}

function monthStart(m: number): string {
  return new Date(Date.UTC(2024, 2 + m, 1)).toISOString().slice(0, 10);
}

/**
 * Runs `work` with the secondary indexes of `tables` dropped, and builds them again afterwards
 * from their own definitions: a bulk load of millions of rows goes several times faster that way.
 */
export async function withoutSecondaryIndexes(
  database: BenchDatabase,
  tables: string[],
  work: () => Promise<void>,
  log: (message: string) => void,
): Promise<void> {
  const indexes = await database.query<{ indexname: string; indexdef: string }>(
    `select i.indexname, i.indexdef from pg_indexes i
      where i.schemaname = 'public' and i.tablename = any($1)
        and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
    [tables],
  );
  for (const index of indexes) await database.query(`drop index ${index.indexname}`);
  try {
    await work();
  } finally {
    for (const index of indexes) {
      const started = Date.now();
      await database.query(`set maintenance_work_mem = '512MB'; ${index.indexdef}`);
      log(`  rebuilt ${index.indexname} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
}
