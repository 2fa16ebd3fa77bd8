import { z } from 'zod';
import { roleSchema } from '../../platform/auth/roles.js';
import { pageQuery } from '../../platform/http/pagination.js';
import { currencySchema, moneySchema, nonNegativeAmountSchema } from '../../platform/money.js';

export const localeSchema = z
  .string()
  .max(35)
  .refine((value) => {
    try {
      return Intl.getCanonicalLocales(value).length === 1;
    } catch {
      return false;
    }
  }, 'A BCP 47 locale such as en-ZA')
  .meta({ examples: ['en-ZA'] });

export const timeZoneSchema = z
  .string()
  .max(64)
  .refine((value) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }, 'An IANA time zone such as Africa/Johannesburg')
  .meta({ examples: ['Africa/Johannesburg'] });

export const slugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/, '3 to 40 lower-case letters, digits and hyphens')
  .meta({ examples: ['demo'] });

export const tenantSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  baseCurrency: z.string(),
  locale: z.string(),
  timeZone: z.string(),
  fiscalYearStartMonth: z.number().int(),
  approvalThreshold: moneySchema,
  status: z.enum(['active', 'suspended']),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Tenant = z.infer<typeof tenantSchema>;

export const tenantPatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    locale: localeSchema.optional(),
    timeZone: timeZoneSchema.optional(),
    fiscalYearStartMonth: z.number().int().min(1).max(12).optional(),
    approvalThreshold: z
      .strictObject({ amount: nonNegativeAmountSchema, currency: currencySchema })
      .optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Name at least one setting to change');
export type TenantPatch = z.infer<typeof tenantPatchSchema>;

export const userSchema = z.object({
  id: z.uuid(),
  objectId: z.uuid(),
  displayName: z.string(),
  email: z.string().nullable(),
  roles: z.array(roleSchema),
  approvalLimit: z.string().nullable().meta({
    description:
      "The most this user may approve, in the tenant's base currency; null: no limit beyond their roles",
  }),
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

const rolesSchema = z
  .array(roleSchema)
  .max(20)
  .refine((roles) => new Set(roles).size === roles.length, 'Roles must not repeat');

export const userCreateSchema = z.strictObject({
  objectId: z.uuid().meta({ description: 'The Entra object id (oid) of the user' }),
  displayName: z.string().trim().min(1).max(200),
  email: z.email().max(320).optional(),
  roles: rolesSchema.default([]),
});
export type UserCreate = z.infer<typeof userCreateSchema>;

export const userPatchSchema = z
  .strictObject({
    displayName: z.string().trim().min(1).max(200).optional(),
    roles: rolesSchema.optional(),
    approvalLimit: nonNegativeAmountSchema.nullable().optional(),
    active: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Name at least one field to change');
export type UserPatch = z.infer<typeof userPatchSchema>;

export const userListQuerySchema = z.strictObject({
  ...pageQuery,
  active: z.enum(['true', 'false']).optional(),
  role: roleSchema.optional(),
});

export const auditEntrySchema = z.object({
  id: z.uuid(),
  occurredAt: z.string(),
  actorId: z.string(),
  actorName: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  requestId: z.string().nullable(),
  details: z.unknown(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditQuerySchema = z.strictObject({
  ...pageQuery,
  entityType: z.string().max(100).optional(),
  entityId: z.string().max(100).optional(),
  actorId: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const onboardingRequestSchema = z.strictObject({
  slug: slugSchema,
  name: z.string().trim().min(1).max(200),
  entraTenantId: z.uuid().meta({ description: "The customer's Entra (directory) tenant id" }),
  baseCurrency: currencySchema,
  locale: localeSchema,
  timeZone: timeZoneSchema,
  fiscalYearStartMonth: z.number().int().min(1).max(12),
  approvalThreshold: nonNegativeAmountSchema,
  initialAdmin: z
    .strictObject({
      objectId: z.uuid(),
      displayName: z.string().trim().min(1).max(200),
      email: z.email().max(320).optional(),
    })
    .optional(),
});
export type OnboardingRequest = z.infer<typeof onboardingRequestSchema>;

export const idParamsSchema = z.strictObject({ id: z.uuid() });
