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

const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * What a tax invoice and a report header print about the company: its legal name, VAT and
 * registration numbers, address, contact and bank details. Every field is optional: a tenant fills
 * in what it has; an invoice leaves out what is not there.
 */
export const companyProfileSchema = z
  .strictObject({
    legalName: text(200).optional(),
    taxNumber: text(30)
      .regex(/^[A-Za-z0-9 ./-]+$/, 'Letters, digits, spaces, dots, slashes and hyphens')
      .optional()
      .meta({ description: 'VAT registration number, e.g. 4123456789' }),
    registrationNumber: text(40)
      .optional()
      .meta({ description: 'Company registration number, e.g. 2015/123456/07' }),
    address: z
      .strictObject({
        lines: z.array(text(200)).min(1).max(4),
        city: text(100).optional(),
        postalCode: text(20).optional(),
        country: z
          .string()
          .regex(/^[A-Z]{2}$/, 'An ISO 3166 country code such as ZA')
          .optional(),
      })
      .optional(),
    email: z.email().max(254).optional(),
    phone: text(40).optional(),
    website: z
      .url({ protocol: /^https?$/ })
      .max(200)
      .optional(),
    bank: z
      .strictObject({
        bankName: text(100),
        accountName: text(200),
        accountNumber: text(40),
        branchCode: text(20).optional(),
        swift: z
          .string()
          .regex(/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/, 'An 8 or 11 character SWIFT/BIC code')
          .optional(),
        iban: z
          .string()
          .regex(/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/, 'An IBAN without spaces')
          .optional(),
      })
      .optional(),
  })
  .meta({ description: 'Company details printed on tax invoices and reports' });
export type CompanyProfile = z.infer<typeof companyProfileSchema>;

export const tenantSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  baseCurrency: z.string(),
  locale: z.string(),
  timeZone: z.string(),
  fiscalYearStartMonth: z.number().int(),
  approvalThreshold: moneySchema,
  companyProfile: companyProfileSchema,
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
    companyProfile: companyProfileSchema
      .optional()
      .meta({ description: 'Replaces the whole company profile (send every field to keep)' }),
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
  companyProfile: companyProfileSchema.optional(),
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
