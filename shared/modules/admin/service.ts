import { randomUUID } from 'node:crypto';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { staleVersion } from '../../platform/errors.js';
import { emit } from '../../platform/events/outbox.js';
import { forgetUserAccess } from '../../platform/identity/users.js';
import type { Page } from '../../platform/http/pagination.js';
import { adminErrors } from './errors.js';
import * as repo from './repository.js';
import type { AuditEntry, AuditQuery, Tenant, TenantPatch, User, UserCreate, UserPatch } from './schemas.js';

export interface AdminActor extends AuditActor {
  /** The acting user's directory id, to stop administrators locking themselves out. */
  userId: string;
}

export async function getTenant(trx: Tx): Promise<Tenant> {
  const tenant = await repo.findCurrentTenant(trx);
  if (!tenant) throw adminErrors.tenantNotFound();
  return tenant;
}

export async function updateTenantSettings(
  trx: Tx,
  actor: AdminActor,
  version: number,
  patch: TenantPatch,
): Promise<Tenant> {
  const current = await getTenant(trx);
  if (patch.approvalThreshold && patch.approvalThreshold.currency !== current.baseCurrency) {
    throw adminErrors.thresholdCurrency(current.baseCurrency);
  }
  const updated = await repo.updateTenant(trx, current.id, version, patch);
  if (!updated) throw staleVersion('tenant settings');
  const changed = Object.keys(patch);
  await recordAudit(trx, actor, {
    action: 'tenant.settings_changed',
    entityType: 'tenant',
    entityId: current.id,
    details: { changed, patch },
  });
  await emit(trx, actor.tenantId, 'tenantSettingsChanged', {
    tenantId: current.id,
    version: updated.version,
    changed,
  });
  return updated;
}

export async function getUser(trx: Tx, id: string): Promise<User> {
  const user = await repo.findUser(trx, id);
  if (!user) throw adminErrors.userNotFound();
  return user;
}

export function listUsers(trx: Tx, query: Parameters<typeof repo.listUsers>[1]): Promise<Page<User>> {
  return repo.listUsers(trx, query);
}

export async function addUser(trx: Tx, actor: AdminActor, input: UserCreate): Promise<User> {
  const user = await repo.insertUser(trx, actor.tenantId, randomUUID(), input);
  if (!user) throw adminErrors.userExists();
  await recordAudit(trx, actor, {
    action: 'user.added',
    entityType: 'user',
    entityId: user.id,
    details: { objectId: user.objectId, roles: user.roles },
  });
  await emit(trx, actor.tenantId, 'userAccessChanged', {
    userId: user.id,
    objectId: user.objectId,
    roles: user.roles,
    active: user.active,
  });
  return user;
}

export async function changeUser(
  trx: Tx,
  actor: AdminActor,
  id: string,
  version: number,
  patch: UserPatch,
): Promise<User> {
  const current = await getUser(trx, id);
  if (
    current.id === actor.userId &&
    (patch.active === false ||
      (patch.roles && current.roles.includes('Admin') && !patch.roles.includes('Admin')))
  ) {
    throw adminErrors.selfLockout();
  }
  const updated = await repo.updateUser(trx, id, version, patch);
  if (!updated) throw staleVersion('user');
  await recordAudit(trx, actor, {
    action: 'user.changed',
    entityType: 'user',
    entityId: id,
    details: {
      before: { roles: current.roles, active: current.active, displayName: current.displayName },
      patch,
    },
  });
  if (patch.roles || patch.active !== undefined) {
    await emit(trx, actor.tenantId, 'userAccessChanged', {
      userId: id,
      objectId: updated.objectId,
      roles: updated.roles,
      active: updated.active,
    });
  }
  forgetUserAccess(actor.tenantId, updated.objectId);
  return updated;
}

export function listAudit(trx: Tx, query: AuditQuery): Promise<Page<AuditEntry>> {
  return repo.listAudit(trx, query);
}
