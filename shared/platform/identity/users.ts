import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Principal } from '../auth/principal.js';
import { isRole, type Role } from '../auth/roles.js';
import { settings } from '../config.js';
import type { Db } from '../db/database.js';
import { withTenant } from '../db/tenant.js';

export interface UserAccess {
  userId: string;
  active: boolean;
  /** Roles granted inside Tessera by a tenant admin, added to the token's app roles. */
  grantedRoles: Role[];
}

const CACHE_TTL_MS = 30_000;
const CACHE_ENTRIES_MAX = 10_000;
const cache = new Map<string, { access: UserAccess; expiresAt: number; fingerprint: string }>();

/** Forgets what was cached about a user, after an admin changed their roles or deactivated them. */
export function forgetUserAccess(tenantId: string, objectId: string): void {
  cache.delete(`${tenantId}:${objectId}`);
}

/**
 * Makes sure the signed-in user is in the tenant's directory (created on first sign-in, name and
 * email kept current) and returns what the directory says about them: whether they are active and
 * which roles were granted in Tessera. Cached briefly per process, so a request costs no write.
 */
export async function resolveUserAccess(db: Db, principal: Principal): Promise<UserAccess> {
  const cacheKey = `${principal.tenantId}:${principal.userId}`;
  const fingerprint = `${principal.name}\u0000${principal.email ?? ''}`;
  const hit = cache.get(cacheKey);
  if (hit && hit.expiresAt > Date.now() && hit.fingerprint === fingerprint) return hit.access;

  const row = await withTenant(db, principal.tenantId, async (trx) => {
    const result = await sql<{ id: string; active: boolean; roles: string[] }>`
      insert into users (tenant_id, id, object_id, display_name, email)
      values (${principal.tenantId}, ${randomUUID()}, ${principal.userId}, ${principal.name}, ${principal.email ?? null})
      on conflict (tenant_id, object_id) do update set
        display_name = excluded.display_name, email = excluded.email, updated_at = now()
      where users.display_name is distinct from excluded.display_name or users.email is distinct from excluded.email
      returning id, active, roles`.execute(trx);
    if (result.rows[0]) return result.rows[0];
    return trx
      .selectFrom('users')
      .select(['id', 'active', 'roles'])
      .where('object_id', '=', principal.userId)
      .executeTakeFirstOrThrow();
  });
  const access: UserAccess = { userId: row.id, active: row.active, grantedRoles: row.roles.filter(isRole) };
  if (cache.size >= CACHE_ENTRIES_MAX) cache.clear();
  cache.set(cacheKey, { access, expiresAt: Date.now() + CACHE_TTL_MS, fingerprint });
  return access;
}

/**
 * The roles a request acts with: the token's app roles plus those granted in Tessera. Platform
 * operators run the service itself, so that role counts only from the operator's own Entra tenant:
 * a customer's directory admin could otherwise assign it to themselves.
 */
export function effectiveRoles(principal: Principal, access: UserAccess): Role[] {
  const roles = new Set<Role>([...principal.roles, ...access.grantedRoles]);
  const platformTenant = settings().PLATFORM_ENTRA_TENANT_ID;
  if (!platformTenant || principal.entraTenantId !== platformTenant) roles.delete('Platform.Operator');
  return [...roles];
}
