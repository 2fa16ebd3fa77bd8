import { z } from 'zod';

/**
 * The closed set of app roles. Entra ID issues them in the access token's `roles` claim (assigned
 * to users and groups in the enterprise application), and tenant admins may grant more inside
 * Tessera. Anything else in a token is ignored, so a typo in an app registration cannot invent a
 * permission.
 */
export const ROLES = [
  'Admin',
  'Finance.Approver',
  'Finance.Clerk',
  'Sales.Manager',
  'Sales.Rep',
  'Inventory.Clerk',
  'Purchasing.Officer',
  'HR.Manager',
  'Employee',
  'SiteManager',
  'Auditor',
  /** The people who run the service itself: onboarding tenants, never reading their business data. */
  'Platform.Operator',
] as const;

export type Role = (typeof ROLES)[number];

export const roleSchema = z.enum(ROLES, { error: () => `Expected one of the roles: ${ROLES.join(', ')}.` });

const roleSet: ReadonlySet<string> = new Set(ROLES);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && roleSet.has(value);
}
