import { AppError } from '../../platform/errors.js';

/** The admin module's failures, each with its stable code. */
export const adminErrors = {
  tenantNotFound: () => new AppError('not_found', 'admin.tenant_not_found', 'The tenant does not exist.'),
  userNotFound: () => new AppError('not_found', 'admin.user_not_found', 'The user does not exist.'),
  userExists: () =>
    new AppError('conflict', 'admin.user_exists', 'A user with this object id is already in the directory.'),
  thresholdCurrency: (base: string) =>
    new AppError(
      'business_rule',
      'admin.threshold_currency',
      `The approval threshold is kept in the base currency ${base}.`,
      {
        errors: [{ path: 'approvalThreshold.currency', message: `Must be ${base}` }],
      },
    ),
  selfLockout: () =>
    new AppError(
      'business_rule',
      'admin.self_lockout',
      'You cannot deactivate yourself or remove your own Admin role.',
      {
        errors: [{ path: 'active', message: 'Ask another administrator' }],
      },
    ),
  slugTaken: () =>
    new AppError('conflict', 'admin.slug_taken', 'Another tenant already uses this slug.', {
      errors: [{ path: 'slug', message: 'Already taken' }],
    }),
  directoryTaken: () =>
    new AppError('conflict', 'admin.directory_taken', 'This Entra tenant is already onboarded.', {
      errors: [{ path: 'entraTenantId', message: 'Already onboarded' }],
    }),
} as const;
