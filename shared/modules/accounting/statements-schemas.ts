import { z } from 'zod';
import { PAGE_SIZE_MAX } from '../../platform/http/pagination.js';
import { accountCodeSchema, dateSchema } from './schemas.js';

/** `?format=csv` turns any report into a CSV download with the same figures. */
export const reportFormat = {
  format: z.enum(['json', 'csv']).default('json').meta({ description: 'json (default) or csv' }),
};

const amount = z.string().meta({ description: 'Exact decimal in the base currency', examples: ['1234.50'] });

export const trialBalanceReportQuerySchema = z.strictObject({
  from: dateSchema,
  to: dateSchema,
  ...reportFormat,
});

export const generalLedgerQuerySchema = z.strictObject({
  account: accountCodeSchema,
  from: dateSchema,
  to: dateSchema,
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(100),
  cursor: z.string().max(512).optional(),
  ...reportFormat,
});

export const generalLedgerSchema = z.object({
  account: z.object({ code: z.string(), name: z.string(), type: z.string() }),
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  openingBalance: amount.meta({ description: 'Debit-positive balance before `from`' }),
  pageOpeningBalance: amount.meta({ description: 'The balance before the first line of this page' }),
  totals: z.object({ debit: amount, credit: amount }),
  closingBalance: amount,
  items: z.array(
    z.object({
      date: z.string(),
      entryId: z.uuid(),
      entryNumber: z.string(),
      lineNo: z.number().int(),
      memo: z.string(),
      debit: amount.nullable(),
      credit: amount.nullable(),
      balance: amount,
    }),
  ),
  nextCursor: z.string().nullable(),
});
export type GeneralLedger = z.infer<typeof generalLedgerSchema>;

export const profitAndLossQuerySchema = z.strictObject({
  from: dateSchema,
  to: dateSchema,
  compareFrom: dateSchema.optional().meta({
    description:
      'Start of the comparison period; by default the period of the same length just before (whole months when the range is whole months)',
  }),
  compareTo: dateSchema.optional(),
  ...reportFormat,
});

const statementLine = z.object({
  account: z.string(),
  name: z.string(),
  amount,
  comparativeAmount: amount,
});

const section = <T extends string>(type: T) =>
  z.object({
    type: z.literal(type),
    title: z.string(),
    lines: z.array(statementLine),
    total: amount,
    comparativeTotal: amount,
  });

export const profitAndLossSchema = z.object({
  from: z.string(),
  to: z.string(),
  comparison: z.object({ from: z.string(), to: z.string() }),
  currency: z.string(),
  sections: z.tuple([section('revenue'), section('expense')]),
  netResult: amount.meta({ description: 'Revenue less expenses: positive is a profit' }),
  comparativeNetResult: amount,
});
export type ProfitAndLoss = z.infer<typeof profitAndLossSchema>;

export const balanceSheetQuerySchema = z.strictObject({
  date: dateSchema,
  compareTo: dateSchema.optional().meta({ description: 'The comparison date; by default a year earlier' }),
  ...reportFormat,
});

export const balanceSheetSchema = z.object({
  date: z.string(),
  comparisonDate: z.string(),
  currency: z.string(),
  sections: z.tuple([section('asset'), section('liability'), section('equity')]),
  currentResult: amount.meta({
    description: 'Revenue less expenses not yet closed into retained earnings, up to the date',
  }),
  comparativeCurrentResult: amount,
  totals: z.object({
    assets: amount,
    comparativeAssets: amount,
    liabilitiesAndEquity: amount.meta({ description: 'Liabilities + equity + current result' }),
    comparativeLiabilitiesAndEquity: amount,
  }),
});
export type BalanceSheet = z.infer<typeof balanceSheetSchema>;

// ---- Fiscal years --------------------------------------------------------------------------

export const fiscalYearSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  startDate: z.string(),
  endDate: z.string(),
  status: z.enum(['open', 'closing', 'closed']),
  closedAt: z.string().nullable(),
});
export type FiscalYear = z.infer<typeof fiscalYearSchema>;

export const fiscalYearListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(50),
  cursor: z.string().max(512).optional(),
});
