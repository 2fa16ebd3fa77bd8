import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  adminService,
  assertOnboardable,
  auditEntrySchema,
  auditQuerySchema,
  idParamsSchema,
  onboardingRequestSchema,
  tenantPatchSchema,
  tenantSchema,
  userCreateSchema,
  userListQuerySchema,
  userPatchSchema,
  userSchema,
  type AdminActor,
} from '../shared/modules/admin/index.js';
import { primaryDb } from '../shared/platform/db/database.js';
import { requestFlow } from '../shared/platform/flows.js';
import type { Actor } from '../shared/platform/http/route.js';
import { defineRoute } from '../shared/platform/http/route.js';
import { TENANT_ONBOARDING } from '../orchestrations/tenant-onboarding/names.js';

const ADMINS = ['Admin'] as const;
const ADMIN_READERS = ['Admin', 'Auditor'] as const;

const pageOf = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const adminActor = (actor: Actor): AdminActor => ({ ...actor, objectId: actor.objectId });

defineRoute({
  name: 'admin-tenant-get',
  method: 'GET',
  route: 'v1/admin/tenant',
  summary: "The caller's tenant and its settings",
  tags: ['admin'],
  roles: 'any',
  response: tenantSchema,
  handler: async ({ trx }) => {
    const tenant = await adminService.getTenant(trx);
    return { body: tenant, etag: tenant.version };
  },
});

defineRoute({
  name: 'admin-tenant-update',
  method: 'PATCH',
  route: 'v1/admin/tenant',
  summary: "Change the tenant's settings (If-Match required)",
  tags: ['admin'],
  roles: ADMINS,
  body: tenantPatchSchema,
  response: tenantSchema,
  example: { name: 'Demo Construction (Pty) Ltd', fiscalYearStartMonth: 3 },
  handler: async ({ trx, actor, body, ifMatch }) => {
    const tenant = await adminService.updateTenantSettings(trx, adminActor(actor), ifMatch(), body);
    return { body: tenant, etag: tenant.version };
  },
});

defineRoute({
  name: 'admin-users-list',
  method: 'GET',
  route: 'v1/admin/users',
  summary: "The tenant's users and the roles granted to them",
  tags: ['admin'],
  roles: ADMIN_READERS,
  query: userListQuerySchema,
  response: pageOf(userSchema),
  handler: async ({ trx, query }) => ({ body: await adminService.listUsers(trx, query) }),
});

defineRoute({
  name: 'admin-users-create',
  method: 'POST',
  route: 'v1/admin/users',
  summary: 'Add a user of the directory to the tenant, with roles',
  tags: ['admin'],
  roles: ADMINS,
  body: userCreateSchema,
  response: userSchema,
  status: 201,
  example: {
    objectId: '0b6c1f7e-3a52-4d8e-9a1b-6f1e2d3c4b5a',
    displayName: 'Thandi Nkosi',
    email: 'thandi@example.com',
    roles: ['Finance.Approver'],
  },
  handler: async ({ trx, actor, body }) => {
    const user = await adminService.addUser(trx, adminActor(actor), body);
    return { body: user, etag: user.version, location: `/api/v1/admin/users/${user.id}` };
  },
});

defineRoute({
  name: 'admin-users-get',
  method: 'GET',
  route: 'v1/admin/users/{id:guid}',
  summary: 'One user',
  tags: ['admin'],
  roles: ADMIN_READERS,
  params: idParamsSchema,
  response: userSchema,
  handler: async ({ trx, params }) => {
    const user = await adminService.getUser(trx, params.id);
    return { body: user, etag: user.version };
  },
});

defineRoute({
  name: 'admin-users-update',
  method: 'PATCH',
  route: 'v1/admin/users/{id:guid}',
  summary: "Change a user's name, granted roles or active flag (If-Match required)",
  tags: ['admin'],
  roles: ADMINS,
  params: idParamsSchema,
  body: userPatchSchema,
  response: userSchema,
  example: { roles: ['Finance.Approver', 'Finance.Clerk'] },
  handler: async ({ trx, actor, params, body, ifMatch }) => {
    const user = await adminService.changeUser(trx, adminActor(actor), params.id, ifMatch(), body);
    return { body: user, etag: user.version };
  },
});

defineRoute({
  name: 'admin-audit-list',
  method: 'GET',
  route: 'v1/admin/audit',
  summary: 'The audit log, newest first',
  tags: ['admin'],
  roles: ADMIN_READERS,
  query: auditQuerySchema,
  response: pageOf(auditEntrySchema),
  handler: async ({ trx, query }) => ({ body: await adminService.listAudit(trx, query) }),
});

defineRoute({
  name: 'admin-tenants-onboard',
  method: 'POST',
  route: 'v1/admin/tenants',
  summary: 'Onboard a new tenant (platform operators); answers 202 with the flow to follow',
  tags: ['admin'],
  roles: ['Platform.Operator'],
  body: onboardingRequestSchema,
  status: 202,
  response: z.object({ instanceId: z.string(), statusUrl: z.string() }),
  example: {
    slug: 'karoo-civils',
    name: 'Karoo Civils (Pty) Ltd',
    entraTenantId: '7d4c2a10-5b9e-4f3a-8c21-0e6f5d4c3b2a',
    baseCurrency: 'ZAR',
    locale: 'en-ZA',
    timeZone: 'Africa/Johannesburg',
    fiscalYearStartMonth: 3,
    approvalThreshold: '100000.00',
  },
  // A taken slug or directory is refused at once; the flow checks again, for requests that race.
  before: async ({ body }) => assertOnboardable(primaryDb(), body),
  handler: async ({ trx, actor, body }) => {
    const { instanceId, location } = await requestFlow(trx, actor, TENANT_ONBOARDING, {
      ...body,
      tenantId: randomUUID(),
    });
    return { body: { instanceId, statusUrl: location }, location };
  },
});
