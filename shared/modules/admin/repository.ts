import { sql, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { AuditLogTable, TenantsTable, UsersTable } from '../../platform/db/types.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import { isRole } from '../../platform/auth/roles.js';
import { Decimal, Money } from '../../platform/money.js';
import { z } from 'zod';
import { companyProfileSchema } from './schemas.js';
import type { AuditEntry, AuditQuery, Tenant, TenantPatch, User, UserCreate, UserPatch } from './schemas.js';
import { forgetInTransaction, TENANT_BOOKS } from '../../platform/db/transaction-memo.js';

function toTenant(row: Selectable<TenantsTable>): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    baseCurrency: row.base_currency,
    locale: row.locale,
    timeZone: row.time_zone,
    fiscalYearStartMonth: row.fiscal_year_start_month,
    approvalThreshold: Money.of(row.approval_threshold, row.base_currency).toJSON(),
    companyProfile: companyProfileSchema.catch({}).parse(row.company_profile),
    status: row.status,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    objectId: row.object_id,
    displayName: row.display_name,
    email: row.email,
    roles: row.roles.filter(isRole),
    approvalLimit: row.approval_limit === null ? null : new Decimal(row.approval_limit).toFixed(2),
    active: row.active,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    occurredAt: row.occurred_at.toISOString(),
    actorId: row.actor_id,
    actorName: row.actor_name,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    requestId: row.request_id,
    details: row.details ?? null,
  };
}

/** The current tenant (row-level security makes it the only visible one). */
export async function findCurrentTenant(trx: Tx): Promise<Tenant | undefined> {
  const row = await trx.selectFrom('tenants').selectAll().executeTakeFirst();
  return row ? toTenant(row) : undefined;
}

/** Applies a patch when the version still matches; undefined when it does not. */
export async function updateTenant(
  trx: Tx,
  id: string,
  version: number,
  patch: TenantPatch,
): Promise<Tenant | undefined> {
  forgetInTransaction(trx, TENANT_BOOKS);
  const row = await trx
    .updateTable('tenants')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.locale !== undefined && { locale: patch.locale }),
      ...(patch.timeZone !== undefined && { time_zone: patch.timeZone }),
      ...(patch.fiscalYearStartMonth !== undefined && {
        fiscal_year_start_month: patch.fiscalYearStartMonth,
      }),
      ...(patch.approvalThreshold !== undefined && { approval_threshold: patch.approvalThreshold.amount }),
      ...(patch.companyProfile !== undefined && { company_profile: JSON.stringify(patch.companyProfile) }),
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  return row ? toTenant(row) : undefined;
}

export async function findUser(trx: Tx, id: string): Promise<User | undefined> {
  const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toUser(row) : undefined;
}

export async function findUserByObjectId(trx: Tx, objectId: string): Promise<User | undefined> {
  const row = await trx.selectFrom('users').selectAll().where('object_id', '=', objectId).executeTakeFirst();
  return row ? toUser(row) : undefined;
}

const nameCursor = z.tuple([z.string(), z.string()]);

export async function listUsers(
  trx: Tx,
  query: { limit: number; cursor?: string; active?: 'true' | 'false'; role?: string },
): Promise<Page<User>> {
  const after = decodeCursor(query.cursor, nameCursor);
  let q = trx.selectFrom('users').selectAll();
  if (query.active) q = q.where('active', '=', query.active === 'true');
  if (query.role) q = q.where(sql<boolean>`${query.role} = any(roles)`);
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('display_name', '>', after[0]),
        eb.and([eb('display_name', '=', after[0]), eb('id', '>', after[1])]),
      ]),
    );
  const rows = await q
    .orderBy('display_name')
    .orderBy('id')
    .limit(query.limit + 1)
    .execute();
  return toPage(rows, query.limit, toUser, (row) => [row.display_name, row.id]);
}

/** Inserts a user; undefined when the object id is already in the directory. */
export async function insertUser(
  trx: Tx,
  tenantId: string,
  id: string,
  user: UserCreate,
): Promise<User | undefined> {
  const row = await trx
    .insertInto('users')
    .values({
      tenant_id: tenantId,
      id,
      object_id: user.objectId,
      display_name: user.displayName,
      email: user.email ?? null,
      roles: user.roles,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'object_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toUser(row) : undefined;
}

export async function updateUser(
  trx: Tx,
  id: string,
  version: number,
  patch: UserPatch,
): Promise<User | undefined> {
  const row = await trx
    .updateTable('users')
    .set({
      ...(patch.displayName !== undefined && { display_name: patch.displayName }),
      ...(patch.roles !== undefined && { roles: patch.roles }),
      ...(patch.active !== undefined && { active: patch.active }),
      ...(patch.approvalLimit !== undefined && { approval_limit: patch.approvalLimit }),
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  return row ? toUser(row) : undefined;
}

const sequenceCursor = z.tuple([z.string().regex(/^\d{1,19}$/)]);

export async function listAudit(trx: Tx, query: AuditQuery): Promise<Page<AuditEntry>> {
  const after = decodeCursor(query.cursor, sequenceCursor);
  let q = trx.selectFrom('audit_log').selectAll();
  if (query.entityType) q = q.where('entity_type', '=', query.entityType);
  if (query.entityId) q = q.where('entity_id', '=', query.entityId);
  if (query.actorId) q = q.where('actor_id', '=', query.actorId);
  if (query.action) q = q.where('action', '=', query.action);
  if (after) q = q.where('sequence', '<', after[0]);
  const rows = await q
    .orderBy('sequence', 'desc')
    .limit(query.limit + 1)
    .execute();
  return toPage(rows, query.limit, toAuditEntry, (row) => [String(row.sequence)]);
}
