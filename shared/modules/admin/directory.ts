import type { TenantDirectory, TenantRef } from '../../platform/auth/tenant-directory.js';
import type { Db } from '../../platform/db/database.js';
import { withSystem } from '../../platform/db/tenant.js';

/** Maps a token's directory (tid) or a slug to the tenant, for sign-in. Reads across tenants. */
export function databaseTenantDirectory(db: () => Db): TenantDirectory {
  const find = async (column: 'entra_tenant_id' | 'slug', value: string): Promise<TenantRef | undefined> => {
    if (column === 'entra_tenant_id' && !/^[0-9a-f-]{36}$/i.test(value)) return undefined;
    const row = await withSystem(db(), (trx) =>
      trx
        .selectFrom('tenants')
        .select(['id', 'slug', 'entra_tenant_id', 'status'])
        .where(column, '=', value)
        .executeTakeFirst(),
    );
    return row
      ? { id: row.id, slug: row.slug, entraTenantId: row.entra_tenant_id, status: row.status }
      : undefined;
  };
  return {
    byEntraTenantId: (tid) => find('entra_tenant_id', tid.toLowerCase()),
    bySlug: (slug) => find('slug', slug),
  };
}
