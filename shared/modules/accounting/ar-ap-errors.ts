import { AppError } from '../../platform/errors.js';

const field = (path: string, message: string) => ({ errors: [{ path, message }] });

/** Failures of receivables and payables, each with its stable code and the field it is about. */
export const arApErrors = {
  partyNotFound: (what: string) =>
    new AppError('not_found', `accounting.${what}_not_found`, `The ${what} does not exist.`),
  partyExists: (what: string) =>
    new AppError(
      'conflict',
      `accounting.${what}_exists`,
      `A ${what} with this code already exists.`,
      field('code', 'Already used'),
    ),
  unknownParty: (path: string, what: string) =>
    new AppError(
      'business_rule',
      `accounting.unknown_${what}`,
      `There is no such ${what}.`,
      field(path, `Unknown ${what}`),
    ),
  inactiveParty: (path: string, what: string) =>
    new AppError(
      'business_rule',
      `accounting.inactive_${what}`,
      `The ${what} is deactivated.`,
      field(path, `Inactive ${what}`),
    ),
  partyRequired: (path: string, what: string) =>
    new AppError(
      'business_rule',
      `accounting.${what}_required`,
      `Name the ${what} first.`,
      field(path, 'Required'),
    ),
  creditLimitReserved: () =>
    new AppError(
      'forbidden',
      'accounting.credit_limit_reserved',
      'Credit limits are set by finance (Finance.Clerk or Admin).',
      field('creditLimit', 'Set by finance'),
    ),
  creditLimitCurrency: () =>
    new AppError(
      'business_rule',
      'accounting.credit_limit_currency',
      "The credit limit is kept in the customer's currency.",
      field('creditLimit.currency', "Not the customer's currency"),
    ),
  documentNotFound: (what: string) =>
    new AppError(
      'not_found',
      `accounting.${what}_not_found`,
      `The ${what.replace('_', ' ')} does not exist.`,
    ),
  notDraft: (what: string, status: string) =>
    new AppError(
      'conflict',
      'accounting.document_not_draft',
      `The ${what.replace('_', ' ')} is ${status} and can no longer change; correct it with a new document.`,
    ),
  lineAccount: (path: string, code: string, expected: string) =>
    new AppError(
      'business_rule',
      'accounting.line_account',
      `Account ${code} cannot be used here: lines go to active ${expected} accounts that take postings.`,
      field(path, `Not an active ${expected} account`),
    ),
  unknownTaxCode: (path: string, code: string) =>
    new AppError(
      'business_rule',
      'accounting.unknown_tax_code',
      `There is no active tax code ${code}.`,
      field(path, `Unknown tax code ${code}`),
    ),
  roleAccountMissing: (role: string) =>
    new AppError(
      'business_rule',
      'accounting.role_account_missing',
      `The chart of accounts has no active account with the role ${role}.`,
    ),
  creditLimitExceeded: (path: string, limit: string, exposure: string) =>
    new AppError(
      'business_rule',
      'accounting.credit_limit_exceeded',
      `Issuing this takes the customer to ${exposure}, over the credit limit of ${limit}.`,
      field(path, 'Credit limit exceeded'),
    ),
  correctedDocument: (path: string, message: string) =>
    new AppError('business_rule', 'accounting.corrected_document', message, field(path, message)),
  duplicateSupplierReference: () =>
    new AppError(
      'conflict',
      'accounting.duplicate_supplier_reference',
      "A bill with this supplier's reference is already recorded for the supplier.",
      field('reference', 'Already recorded'),
    ),
  bankAccount: (path: string, code: string) =>
    new AppError(
      'business_rule',
      'accounting.bank_account',
      `Account ${code} is not an active asset account that takes postings.`,
      field(path, 'Not a usable bank account'),
    ),
  amountScale: (path: string, currency: string, places: number) =>
    new AppError(
      'validation',
      'accounting.amount_scale',
      `${currency} amounts have at most ${places} decimal places.`,
      field(path, `At most ${places} decimal places`),
    ),
  allocationsRequired: () =>
    new AppError(
      'business_rule',
      'accounting.allocations_required',
      'Allocate the amount to at least one document.',
      field('allocations', 'Required'),
    ),
  allocationsTotal: (allocated: string, amount: string) =>
    new AppError(
      'business_rule',
      'accounting.allocations_total',
      `The allocations add up to ${allocated}, the amount is ${amount}.`,
      field('allocations', `Total ${allocated} ≠ amount ${amount}`),
    ),
  allocationDocument: (path: string, message: string) =>
    new AppError('business_rule', 'accounting.allocation_document', message, field(path, message)),
  overAllocation: (path: string, outstanding: string) =>
    new AppError(
      'business_rule',
      'accounting.over_allocation',
      `The allocation is more than the ${outstanding} outstanding on the document.`,
      field(path, `More than the ${outstanding} outstanding`),
    ),
  dateRange: () =>
    new AppError(
      'validation',
      'accounting.date_range',
      'The range ends before it starts.',
      field('query.to', 'Before from'),
    ),
} as const;
