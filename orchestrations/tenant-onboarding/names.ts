/** Function names of the tenant onboarding flow: constants, because renaming one breaks running instances. */
export const TENANT_ONBOARDING = 'tenant-onboarding';
export const CREATE_TENANT_ACTIVITY = 'tenant-onboarding-create-tenant';
export const SEED_TENANT_ACTIVITY = 'tenant-onboarding-seed-tenant';
export const SUSPEND_TENANT_ACTIVITY = 'tenant-onboarding-suspend-tenant';
