/** The admin module's public surface: tenant settings, users and roles, the audit log, onboarding. */
export * as adminService from './service.js';
export type { AdminActor } from './service.js';
export * from './schemas.js';
export { adminErrors } from './errors.js';
export { databaseTenantDirectory } from './directory.js';
export {
  assertOnboardable,
  createTenantRecord,
  seedTenant,
  suspendTenant,
  seedDemoTenants,
  DEMO_TENANTS,
  DEFAULT_NUMBER_SERIES,
} from './onboarding.js';
