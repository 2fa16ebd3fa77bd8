import { AppError } from '../../platform/errors.js';

/** The accounting module's failures, each with its stable code and the field it is about. */
export const accountingErrors = {
  accountNotFound: () =>
    new AppError('not_found', 'accounting.account_not_found', 'The account does not exist.'),
  accountExists: () =>
    new AppError('conflict', 'accounting.account_exists', 'An account with this code already exists.', {
      errors: [{ path: 'code', message: 'Already used' }],
    }),
  accountInUse: () =>
    new AppError(
      'conflict',
      'accounting.account_in_use',
      'The account has postings: deactivate it instead of deleting it.',
    ),
  accountHasRole: () =>
    new AppError(
      'business_rule',
      'accounting.account_has_role',
      'The ledger relies on this account (a control, VAT, FX or retained earnings account); it cannot be deleted.',
    ),
  unknownAccount: (path: string, code: string) =>
    new AppError('business_rule', 'accounting.unknown_account', `There is no account ${code}.`, {
      errors: [{ path, message: `Unknown account ${code}` }],
    }),
  inactiveAccount: (path: string, code: string) =>
    new AppError('business_rule', 'accounting.inactive_account', `Account ${code} is deactivated.`, {
      errors: [{ path, message: `Account ${code} is inactive` }],
    }),
  controlAccount: (path: string, code: string) =>
    new AppError(
      'business_rule',
      'accounting.control_account',
      `Account ${code} is kept by its sub-ledger and takes no manual postings.`,
      {
        errors: [{ path, message: `Account ${code} is a control account` }],
      },
    ),
  unbalanced: (debit: string, credit: string, currency: string) =>
    new AppError(
      'business_rule',
      'accounting.unbalanced_entry',
      `The entry does not balance: debits ${debit} ${currency}, credits ${credit} ${currency}.`,
      {
        errors: [{ path: 'lines', message: `Debits ${debit} ≠ credits ${credit}` }],
      },
    ),
  periodClosed: (date: string) =>
    new AppError(
      'business_rule',
      'accounting.period_closed',
      `The period of ${date} is closed for posting.`,
      { errors: [{ path: 'date', message: 'Period closed' }] },
    ),
  noExchangeRate: (currency: string, date: string) =>
    new AppError(
      'business_rule',
      'accounting.no_exchange_rate',
      `There is no ${currency} exchange rate on or before ${date}.`,
      {
        errors: [{ path: 'currency', message: `No rate for ${currency}` }],
      },
    ),
  rateExists: () =>
    new AppError('conflict', 'accounting.rate_exists', 'A rate for this currency and date already exists.', {
      errors: [{ path: 'date', message: 'Rate exists' }],
    }),
  baseCurrencyRate: () =>
    new AppError(
      'business_rule',
      'accounting.base_currency_rate',
      'The base currency has no exchange rate to itself.',
      { errors: [{ path: 'currency', message: 'Base currency' }] },
    ),
  entryNotFound: () =>
    new AppError('not_found', 'accounting.entry_not_found', 'The journal entry does not exist.'),
  alreadyReversed: () =>
    new AppError('conflict', 'accounting.already_reversed', 'The entry was already reversed.'),
  reversalOfReversal: () =>
    new AppError(
      'business_rule',
      'accounting.reversal_of_reversal',
      'A reversing entry cannot itself be reversed; post a new entry instead.',
    ),
  periodNotFound: () =>
    new AppError('not_found', 'accounting.period_not_found', 'The period does not exist.'),
  periodOrder: () =>
    new AppError(
      'business_rule',
      'accounting.period_order',
      'Periods close in order: close the earlier open periods first, and reopen the later closed ones first.',
    ),
  taxCodeExists: () =>
    new AppError('conflict', 'accounting.tax_code_exists', 'A tax code with this code already exists.', {
      errors: [{ path: 'code', message: 'Already used' }],
    }),
  dateRange: () =>
    new AppError('validation', 'accounting.date_range', 'The range ends before it starts.', {
      errors: [{ path: 'query.to', message: 'Before from' }],
    }),
} as const;
