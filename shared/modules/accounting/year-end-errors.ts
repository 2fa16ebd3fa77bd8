import { AppError } from '../../platform/errors.js';

/** The year-end close's failures, each with its stable code. */
export const yearEndErrors = {
  fiscalYearNotFound: () =>
    new AppError('not_found', 'accounting.fiscal_year_not_found', 'The fiscal year does not exist.'),
  alreadyClosed: (name: string) =>
    new AppError('conflict', 'accounting.fiscal_year_closed', `${name} is already closed.`),
  alreadyClosing: (name: string) =>
    new AppError('conflict', 'accounting.fiscal_year_closing', `${name} is being closed already.`),
  periodsOpen: (name: string, periods: string[]) =>
    new AppError(
      'business_rule',
      'accounting.periods_open',
      `${name} cannot be closed while periods are open: ${periods.join(', ')}. Close them first.`,
      { errors: periods.map((p) => ({ path: 'periods', message: `Period ${p} is open` })) },
    ),
  earlierYearOpen: (name: string, earlier: string) =>
    new AppError(
      'business_rule',
      'accounting.earlier_year_open',
      `Fiscal years close in order: close ${earlier} before ${name}.`,
    ),
  noRetainedEarnings: () =>
    new AppError(
      'business_rule',
      'accounting.no_retained_earnings_account',
      'The chart of accounts has no retained earnings account to close the year into.',
    ),
  yearClosed: () =>
    new AppError(
      'business_rule',
      'accounting.fiscal_year_closed',
      'The period belongs to a fiscal year that is closed or being closed; it cannot be reopened.',
    ),
} as const;
