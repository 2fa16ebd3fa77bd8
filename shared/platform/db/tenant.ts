import { sql } from 'kysely';
import { settings } from '../config.js';
import type { Db, Tx } from './database.js';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/**
 * Runs `work` in one transaction as the app role with `app.tenant_id` set, so row-level security
 * confines every statement to the tenant. Both settings are transaction-local (`set_config(..., true)`
 * is `SET LOCAL`): a pooled connection never carries them into another unit of work.
 */
export async function withTenant<T>(
  db: Db,
  tenantId: string,
  work: (trx: Tx) => Promise<T>,
  isolation: IsolationLevel = 'read committed',
): Promise<T> {
  return db
    .transaction()
    .setIsolationLevel(isolation)
    .execute(async (trx) => {
      await sql`select set_config('role', ${settings().DATABASE_APP_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)`.execute(
        trx,
      );
      return work(trx);
    });
}

/**
 * Runs `work` in one transaction as the system role: the cross-tenant machinery (outbox relay,
 * tenant lookup at sign-in, onboarding). It sees only the tables granted to that role.
 */
export async function withSystem<T>(db: Db, work: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('role', ${settings().DATABASE_SYSTEM_ROLE}, true), set_config('app.tenant_id', '', true)`.execute(
      trx,
    );
    return work(trx);
  });
}
