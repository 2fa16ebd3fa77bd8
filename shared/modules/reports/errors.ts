import { AppError, notFound, type FieldError } from '../../platform/errors.js';

export const reportErrors = {
  scheduleNotFound: () => notFound('reports.schedule_not_found', 'No report schedule has this id.'),
  runNotFound: () => notFound('reports.run_not_found', 'No report run has this id.'),
  fileNotFound: (format: string) =>
    notFound('reports.file_not_found', `This run has no ${format} file (yet).`),
  nameTaken: () =>
    new AppError('conflict', 'reports.schedule_name_taken', 'Another report schedule has this name.', {
      errors: [{ path: 'name', message: 'Already used by another schedule' }],
    }),
  mayNotRead: (reportType: string) =>
    new AppError('forbidden', 'reports.may_not_read', `Your roles do not open the ${reportType} report.`),
  recipients: (errors: FieldError[]) =>
    new AppError(
      'business_rule',
      'reports.recipients_refused',
      'Some recipients may not receive this report.',
      {
        errors,
      },
    ),
  explicitPeriod: (paths: string[]) =>
    new AppError(
      'validation',
      'reports.period_invalid',
      'Give the period as from and to, with from on or before to.',
      {
        errors: paths.map((path) => ({ path, message: 'Needed for an explicit period, and from ≤ to' })),
      },
    ),
};
