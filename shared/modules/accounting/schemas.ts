import { z } from 'zod';
import { pageQuery } from '../../platform/http/pagination.js';
import { currencySchema } from '../../platform/money.js';

export const ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;

/** A calendar date, 'YYYY-MM-DD', that exists. */
export const dateSchema = z.iso.date().meta({ examples: ['2026-11-02'] });

const positiveAmount = z
  .string()
  .regex(
    /^(0|[1-9]\d{0,14})(\.\d{1,4})?$/,
    'A positive decimal amount as a string, with at most 4 decimal places',
  )
  .refine((v) => !/^0(\.0+)?$/.test(v), 'Must be greater than zero');

export const accountCodeSchema = z
  .string()
  .regex(/^[0-9A-Z][0-9A-Z.-]{0,19}$/, 'Up to 20 digits, capitals, dots or hyphens');

export const accountSchema = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  type: z.enum(ACCOUNT_TYPES),
  role: z.string().nullable(),
  manualPosting: z.boolean(),
  active: z.boolean(),
  version: z.number().int(),
});
export type Account = z.infer<typeof accountSchema>;

export const accountCreateSchema = z.strictObject({
  code: accountCodeSchema,
  name: z.string().trim().min(1).max(200),
  type: z.enum(ACCOUNT_TYPES),
});

export const accountPatchSchema = z
  .strictObject({ name: z.string().trim().min(1).max(200).optional(), active: z.boolean().optional() })
  .refine((p) => Object.keys(p).length > 0, 'Name at least one field to change');

export const accountListQuerySchema = z.strictObject({
  ...pageQuery,
  type: z.enum(ACCOUNT_TYPES).optional(),
  active: z.enum(['true', 'false']).optional(),
});

export const journalLineInputSchema = z
  .strictObject({
    account: accountCodeSchema,
    debit: positiveAmount.optional(),
    credit: positiveAmount.optional(),
    memo: z.string().max(500).optional(),
  })
  .refine((line) => (line.debit === undefined) !== (line.credit === undefined), {
    message: 'A line is either a debit or a credit',
    path: ['debit'],
  });

export const journalEntryInputSchema = z.strictObject({
  date: dateSchema,
  memo: z.string().trim().min(1).max(500),
  currency: currencySchema,
  lines: z.array(journalLineInputSchema).min(2).max(500),
});
export type JournalEntryInput = z.infer<typeof journalEntryInputSchema>;

export const moneyAmount = z.object({ amount: z.string(), currency: z.string() });

export const journalLineSchema = z.object({
  lineNo: z.number().int(),
  account: z.string(),
  accountName: z.string(),
  debit: moneyAmount.nullable(),
  credit: moneyAmount.nullable(),
  baseDebit: moneyAmount.nullable(),
  baseCredit: moneyAmount.nullable(),
  memo: z.string().nullable(),
});

export const journalEntrySchema = z.object({
  id: z.uuid(),
  number: z.string(),
  date: z.string(),
  memo: z.string(),
  currency: z.string(),
  baseCurrency: z.string(),
  exchangeRate: z.string(),
  source: z.object({ type: z.string(), id: z.string() }).nullable(),
  reversesEntryId: z.uuid().nullable(),
  reversedByEntryId: z.uuid().nullable(),
  postedBy: z.string(),
  postedAt: z.string(),
  lines: z.array(journalLineSchema),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;

export const journalListQuerySchema = z.strictObject({
  ...pageQuery,
  from: dateSchema.optional(),
  to: dateSchema.optional(),
  account: accountCodeSchema.optional(),
});

export const reverseInputSchema = z.strictObject({
  date: dateSchema.optional().meta({
    description: "The reversal's date: by default the original's, or today when that period is closed",
  }),
  memo: z.string().trim().min(1).max(500).optional(),
});

export const exchangeRateInputSchema = z.strictObject({
  currency: currencySchema,
  date: dateSchema,
  rate: z
    .string()
    .regex(
      /^(0|[1-9]\d{0,10})(\.\d{1,8})?$/,
      'Units of base currency for one unit of the currency, at most 8 decimal places',
    )
    .refine((v) => !/^0(\.0+)?$/.test(v), 'Must be greater than zero'),
});
export const exchangeRateListQuerySchema = z.strictObject({
  ...pageQuery,
  currency: currencySchema.optional(),
  from: dateSchema.optional(),
  to: dateSchema.optional(),
});
export const exchangeRateSchema = z.object({
  currency: z.string(),
  date: z.string(),
  rate: z.string(),
  baseCurrency: z.string(),
});

export const periodSchema = z.object({
  id: z.uuid(),
  fiscalYear: z.string(),
  number: z.number().int(),
  startDate: z.string(),
  endDate: z.string(),
  status: z.enum(['open', 'closed']),
  version: z.number().int(),
});
export type Period = z.infer<typeof periodSchema>;

export const periodListQuerySchema = z.strictObject({
  ...pageQuery,
  year: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
});

export const taxCodeSchema = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.enum(['standard', 'zero', 'exempt']),
  rate: z.string(),
  active: z.boolean(),
});
export const taxCodeCreateSchema = z.strictObject({
  code: z.string().regex(/^[A-Z0-9_]{1,20}$/),
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['standard', 'zero', 'exempt']),
  rate: z.string().regex(/^\d{1,2}(\.\d{1,4})?$/, 'A percentage such as 15 or 7.5'),
});

export const trialBalanceQuerySchema = z.strictObject({ from: dateSchema, to: dateSchema });
export const trialBalanceSchema = z.object({
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  rows: z.array(
    z.object({
      account: z.string(),
      name: z.string(),
      type: z.string(),
      debit: z.string(),
      credit: z.string(),
      balance: z.string(),
    }),
  ),
  totals: z.object({ debit: z.string(), credit: z.string() }),
});

export const idParamsSchema = z.strictObject({ id: z.uuid() });
export const codeParamsSchema = z.strictObject({ code: accountCodeSchema });
