import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS, seedDemoTenants } from '../../shared/modules/admin/index.js';
import { recordAudit } from '../../shared/platform/audit.js';
import { withSystem, withTenant } from '../../shared/platform/db/tenant.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let t: TestDatabase;
const [demo, acme] = DEMO_TENANTS as [(typeof DEMO_TENANTS)[0], (typeof DEMO_TENANTS)[0]];

/** Whether the app role may read the table at all (the outbox, for one, is write-only to it). */
async function appCanRead(table: string): Promise<boolean> {
  const { rows } = await sql<{
    ok: boolean;
  }>`select has_table_privilege('tessera_app', ${table}, 'SELECT') as ok`.execute(t.db);
  return rows[0]?.ok === true;
}

/** Every table of the public schema with a tenant_id column. */
async function tenantTables(): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select c.table_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
    order by 1`.execute(t.db);
  return rows.map((r) => r.table_name);
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemoTenants(t.db);
  // Give each tenant rows in several tables.
  for (const tenant of [demo, acme]) {
    await withTenant(t.db, tenant.id, async (trx) => {
      await trx
        .insertInto('users')
        .values({
          tenant_id: tenant.id,
          id: randomUUID(),
          object_id: randomUUID(),
          display_name: `${tenant.slug} user`,
        })
        .execute();
      await recordAudit(
        trx,
        { tenantId: tenant.id, objectId: 'test', name: 'Test' },
        { action: 'test', entityType: 'test', entityId: '1' },
      );
    });
  }
});
afterAll(async () => t?.close());

describe(`row-level security (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('runs tenant work as a role that is neither superuser nor owner and cannot bypass RLS', async () => {
    const role = await withTenant(
      t.db,
      demo.id,
      async (trx) =>
        (
          await sql<{ current_user: string; rolsuper: boolean; rolbypassrls: boolean; owns: string }>`
          select current_user, r.rolsuper, r.rolbypassrls,
            (select count(*) from pg_tables where tableowner = current_user)::text as owns
          from pg_roles r where r.rolname = current_user`.execute(trx)
        ).rows[0],
    );
    expect(role).toEqual({ current_user: 'tessera_app', rolsuper: false, rolbypassrls: false, owns: '0' });
  });

  it('forces row-level security on every table with a tenant_id, with a policy for the app role', async () => {
    const tables = await tenantTables();
    expect(tables.length).toBeGreaterThan(5);
    const { rows } = await sql<{
      relname: string;
      relrowsecurity: boolean;
      relforcerowsecurity: boolean;
      policies: string;
    }>`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity,
        (select count(*) from pg_policies p where p.tablename = c.relname and 'tessera_app' = any(p.roles))::text as policies
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relname = any(${tables})`.execute(t.db);
    const unprotected = rows
      .filter((r) => !r.relrowsecurity || !r.relforcerowsecurity || r.policies === '0')
      .map((r) => r.relname);
    expect(unprotected).toEqual([]);
    expect(rows).toHaveLength(tables.length);
  });

  it("shows a tenant none of another tenant's rows", async () => {
    for (const table of await tenantTables()) {
      if (!(await appCanRead(table))) continue;
      const foreign = await withTenant(
        t.db,
        demo.id,
        async (trx) =>
          (
            await sql<{
              n: string;
            }>`select count(*)::text as n from ${sql.table(table)} where tenant_id <> ${demo.id}`.execute(trx)
          ).rows[0]?.n,
      );
      expect(foreign, table).toBe('0');
    }
    const visibleTenants = await withTenant(t.db, demo.id, (trx) =>
      trx.selectFrom('tenants').select('slug').execute(),
    );
    expect(visibleTenants.map((r) => r.slug)).toEqual(['demo']);
  });

  it('returns no rows from any tenant table when no tenant is set', async () => {
    for (const table of await tenantTables()) {
      if (!(await appCanRead(table))) continue;
      const count = await t.db.transaction().execute(async (trx) => {
        await sql`select set_config('role', 'tessera_app', true)`.execute(trx);
        return (await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)}`.execute(trx))
          .rows[0]?.n;
      });
      expect(count, table).toBe('0');
    }
  });

  it("refuses to write another tenant's rows", async () => {
    await expect(
      withTenant(t.db, demo.id, (trx) =>
        trx
          .insertInto('users')
          .values({ tenant_id: acme.id, id: randomUUID(), object_id: randomUUID(), display_name: 'intruder' })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    const updated = await withTenant(t.db, demo.id, (trx) =>
      trx
        .updateTable('users')
        .set({ display_name: 'hijacked' })
        .where('tenant_id', '=', acme.id)
        .executeTakeFirst(),
    );
    expect(Number(updated.numUpdatedRows)).toBe(0);
    await expect(
      withTenant(t.db, demo.id, (trx) =>
        trx.updateTable('users').set({ tenant_id: acme.id }).where('tenant_id', '=', demo.id).execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    const acmeNames = await withTenant(t.db, acme.id, (trx) =>
      trx.selectFrom('users').select('display_name').execute(),
    );
    expect(acmeNames.map((r) => r.display_name)).toEqual(['acme user']);
  });

  it('keeps the audit log append-only for the app role', async () => {
    await expect(
      withTenant(t.db, demo.id, (trx) => trx.updateTable('audit_log').set({ action: 'x' }).execute()),
    ).rejects.toThrow(/permission denied/);
    await expect(withTenant(t.db, demo.id, (trx) => trx.deleteFrom('audit_log').execute())).rejects.toThrow(
      /permission denied/,
    );
  });

  it('does not leak the tenant setting into the next unit of work on the same connection', async () => {
    await withTenant(t.db, demo.id, async () => undefined);
    const setting = await sql<{
      v: string | null;
    }>`select current_setting('app.tenant_id', true) as v`.execute(t.db);
    expect(setting.rows[0]?.v ?? '').toBe('');
    const user = await sql<{ u: string }>`select current_user as u`.execute(t.db);
    expect(user.rows[0]?.u).not.toBe('tessera_app');
  });

  it('lets the system role see across tenants only where its machinery needs to', async () => {
    const tenants = await withSystem(t.db, (trx) =>
      trx.selectFrom('tenants').select('slug').orderBy('slug').execute(),
    );
    expect(tenants.map((r) => r.slug)).toEqual(['acme', 'demo']);
    // Business records stay out of its sight.
    await expect(
      withSystem(t.db, (trx) => trx.selectFrom('journal_entries').selectAll().execute()),
    ).rejects.toThrow(/permission denied/);
    // The audit log it reads only to copy it to the archive: it may mark a record archived, never change one.
    await expect(
      withSystem(t.db, (trx) => trx.updateTable('audit_log').set({ action: 'forged' }).execute()),
    ).rejects.toThrow(/permission denied/);
  });
});
