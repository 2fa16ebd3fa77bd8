import { AppError } from '../../platform/errors.js';

/** Failures of approvals, each with its stable code. */
export const approvalErrors = {
  notFound: () => new AppError('not_found', 'approvals.not_found', 'The approval request does not exist.'),
  notAllowed: (role: string) =>
    new AppError('forbidden', 'approvals.not_allowed', `Only a user with the role ${role} may decide this.`),
  ownRequest: () =>
    new AppError(
      'forbidden',
      'approvals.own_request',
      'The person who asked for an approval may not decide it.',
    ),
  overLimit: (limit: string, currency: string) =>
    new AppError(
      'forbidden',
      'approvals.over_limit',
      `The amount is over your approval limit of ${currency} ${limit}; another approver must decide it.`,
    ),
  alreadyClosed: (status: string, by: string | null) =>
    new AppError(
      'conflict',
      'approvals.already_closed',
      by ? `The request was already ${status} by ${by}.` : `The request is already ${status}.`,
    ),
  deadlinePassed: () =>
    new AppError('conflict', 'approvals.deadline_passed', 'The deadline for this decision has passed.'),
  viewNotAllowed: () =>
    new AppError(
      'forbidden',
      'approvals.view_not_allowed',
      'Only Admin and Auditor may list every request.',
      {
        errors: [{ path: 'query.view', message: 'Not allowed' }],
      },
    ),
};
