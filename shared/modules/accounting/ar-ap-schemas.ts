import { z } from 'zod';
import { reportFormat } from './statements-schemas.js';
import { pageQuery } from '../../platform/http/pagination.js';
import { currencySchema } from '../../platform/money.js';
import { accountCodeSchema, dateSchema, moneyAmount } from './schemas.js';

/** A decimal string greater than zero, at most 15 integer digits and 4 decimal places. */
export const positiveDecimal = z
  .string()
  .regex(/^(0|[1-9]\d{0,14})(\.\d{1,4})?$/, 'A positive decimal as a string, with at most 4 decimal places')
  .refine((v) => !/^0(\.0+)?$/.test(v), 'Must be greater than zero');

const nonNegativeDecimal = z
  .string()
  .regex(/^(0|[1-9]\d{0,14})(\.\d{1,4})?$/, 'A decimal amount as a string, with at most 4 decimal places');

export const positiveMoneySchema = z.strictObject({ amount: positiveDecimal, currency: currencySchema });
const nonNegativeMoneySchema = z.strictObject({ amount: nonNegativeDecimal, currency: currencySchema });

export const partyCodeSchema = z
  .string()
  .regex(/^[0-9A-Z][0-9A-Z._-]{0,19}$/, 'Up to 20 digits, capitals, dots, underscores or hyphens');

export const addressSchema = z.strictObject({
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().min(1).max(200).optional(),
  city: z.string().trim().min(1).max(100),
  region: z.string().trim().min(1).max(100).optional(),
  postalCode: z.string().trim().min(1).max(20).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'An ISO 3166 alpha-2 country code such as ZA'),
});
export type Address = z.infer<typeof addressSchema>;

export const contactSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'Site manager, accounts payable, …' }),
  email: z.email().max(254).optional(),
  phone: z.string().trim().min(3).max(40).optional(),
});
export type Contact = z.infer<typeof contactSchema>;
const phoneSchema = z.string().trim().min(3).max(40);

const partyFields = {
  code: partyCodeSchema,
  name: z.string().trim().min(1).max(200),
  taxNumber: z.string().trim().min(1).max(30).optional().meta({ description: 'VAT registration number' }),
  currency: currencySchema
    .optional()
    .meta({ description: "Default currency of documents; the tenant's base currency when left out" }),
  paymentTermsDays: z.number().int().min(0).max(365).default(30),
  email: z.email().max(254).optional(),
  phone: phoneSchema.optional(),
  billingAddress: addressSchema.optional(),
  deliveryAddress: addressSchema
    .optional()
    .meta({ description: 'Where goods go unless an order says otherwise' }),
  contacts: z.array(contactSchema).max(20).optional(),
};

export const customerCreateSchema = z.strictObject({
  ...partyFields,
  creditLimit: nonNegativeMoneySchema
    .optional()
    .meta({ description: "In the customer's currency; none: no limit" }),
});
export const supplierCreateSchema = z.strictObject(partyFields);
export type PartyCreateInput = z.infer<typeof customerCreateSchema>;

const partyPatchFields = {
  name: partyFields.name.optional(),
  taxNumber: z.string().trim().min(1).max(30).nullable().optional(),
  currency: currencySchema.optional(),
  paymentTermsDays: z.number().int().min(0).max(365).optional(),
  email: z.email().max(254).nullable().optional(),
  phone: phoneSchema.nullable().optional(),
  billingAddress: addressSchema.nullable().optional(),
  deliveryAddress: addressSchema.nullable().optional(),
  contacts: z.array(contactSchema).max(20).optional().meta({ description: 'Replaces the list' }),
  active: z.boolean().optional(),
};
const someField = (p: object) => Object.keys(p).length > 0;
export const customerPatchSchema = z
  .strictObject({ ...partyPatchFields, creditLimit: nonNegativeMoneySchema.nullable().optional() })
  .refine(someField, 'Name at least one field to change');
export const supplierPatchSchema = z
  .strictObject(partyPatchFields)
  .refine(someField, 'Name at least one field to change');
export type PartyPatchInput = z.infer<typeof customerPatchSchema>;

export const partySchema = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  taxNumber: z.string().nullable(),
  currency: z.string(),
  paymentTermsDays: z.number().int(),
  creditLimit: moneyAmount.nullable().optional(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  billingAddress: addressSchema.nullable(),
  deliveryAddress: addressSchema.nullable(),
  contacts: z.array(contactSchema),
  active: z.boolean(),
  version: z.number().int(),
});
export type Party = z.infer<typeof partySchema>;

export const partyListQuerySchema = z.strictObject({
  ...pageQuery,
  search: z.string().trim().min(1).max(100).optional().meta({ description: 'Part of the name or code' }),
  active: z.enum(['true', 'false']).optional(),
});

// ---- Documents -----------------------------------------------------------------------------

export const documentLineInputSchema = z.strictObject({
  description: z.string().trim().min(1).max(500),
  account: accountCodeSchema,
  quantity: positiveDecimal,
  unitPrice: positiveDecimal,
  discountPercent: z
    .string()
    .regex(/^(0|[1-9]\d?)(\.\d{1,4})?$/, 'A percentage from 0 to below 100, with at most 4 decimal places')
    .optional()
    .meta({ description: 'A trade discount on the line, in percent of quantity × unit price' }),
  taxCode: z.string().regex(/^[A-Z0-9_]{1,20}$/, 'A tax code such as VAT15'),
});
export type DocumentLineInput = z.infer<typeof documentLineInputSchema>;

const reference = z.string().trim().min(1).max(100);
const memo = z.string().trim().min(1).max(500);

/** The fields of a document draft; `party` is the id of its customer or supplier. */
export interface DocumentDraftInput {
  issueDate?: string;
  party?: string | null;
  currency?: string;
  reference?: string | null;
  memo?: string | null;
  corrects?: string | null;
  lines?: DocumentLineInput[];
}

/**
 * The create and patch bodies of a document kind, naming its party field (`customerId`,
 * `supplierId`) and, for credit notes, the invoice it corrects.
 */
export function documentInputSchemas<P extends string, C extends string | undefined>(
  partyKey: P,
  correctsKey?: C,
) {
  const create = z.strictObject({
    issueDate: dateSchema
      .optional()
      .meta({ description: "The document date; today (the tenant's day) by default" }),
    [partyKey]: z.uuid().optional(),
    currency: currencySchema.optional(),
    reference: reference.optional(),
    memo: memo.optional(),
    ...(correctsKey ? { [correctsKey]: z.uuid().optional() } : {}),
    lines: z.array(documentLineInputSchema).min(1).max(500),
  });
  const patch = z
    .strictObject({
      issueDate: dateSchema.optional(),
      [partyKey]: z.uuid().nullable().optional(),
      currency: currencySchema.optional(),
      reference: reference.nullable().optional(),
      memo: memo.nullable().optional(),
      ...(correctsKey ? { [correctsKey]: z.uuid().nullable().optional() } : {}),
      lines: z.array(documentLineInputSchema).min(1).max(500).optional(),
    })
    .refine(someField, 'Name at least one field to change');
  const toDraft = (body: Record<string, unknown>): DocumentDraftInput => ({
    issueDate: body.issueDate as string | undefined,
    party: body[partyKey] as string | null | undefined,
    currency: body.currency as string | undefined,
    reference: body.reference as string | null | undefined,
    memo: body.memo as string | null | undefined,
    corrects: correctsKey ? (body[correctsKey] as string | null | undefined) : undefined,
    lines: body.lines as DocumentLineInput[] | undefined,
  });
  return { create, patch, toDraft };
}

export const documentLineSchema = z.object({
  lineNo: z.number().int(),
  description: z.string(),
  account: z.string(),
  quantity: z.string(),
  unitPrice: moneyAmount,
  discountPercent: z.string(),
  taxCode: z.string(),
  taxRate: z.string(),
  net: moneyAmount,
});

export const documentSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['invoice', 'credit_note', 'bill']),
  number: z.string().nullable(),
  status: z.enum(['draft', 'issued', 'posted']),
  partyId: z.uuid().nullable(),
  partyCode: z.string().nullable(),
  partyName: z.string().nullable(),
  currency: z.string(),
  issueDate: z.string(),
  dueDate: z.string().nullable(),
  reference: z.string().nullable(),
  memo: z.string().nullable(),
  correctsDocumentId: z.uuid().nullable(),
  lines: z.array(documentLineSchema),
  taxes: z.array(z.object({ taxCode: z.string(), rate: z.string(), net: moneyAmount, tax: moneyAmount })),
  net: moneyAmount,
  tax: moneyAmount,
  gross: moneyAmount,
  settled: moneyAmount,
  outstanding: moneyAmount,
  exchangeRate: z.string().nullable(),
  baseGross: moneyAmount.nullable(),
  baseOutstanding: moneyAmount.nullable(),
  entryId: z.uuid().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  issuedAt: z.string().nullable(),
});
export type TradeDocument = z.infer<typeof documentSchema>;

export const documentListQuerySchema = (partyKey: string) =>
  z.strictObject({
    ...pageQuery,
    [partyKey]: z.uuid().optional(),
    status: z.enum(['draft', 'issued', 'posted']).optional(),
    open: z
      .enum(['true', 'false'])
      .optional()
      .meta({ description: 'Only documents with something outstanding' }),
    from: dateSchema.optional(),
    to: dateSchema.optional(),
  });

// ---- Receipts and payments -----------------------------------------------------------------

export interface AllocationInput {
  documentId: string;
  amount: string;
}

export interface SettlementDraftInput {
  date?: string;
  party?: string | null;
  amount?: { amount: string; currency: string };
  bankAccount?: string | null;
  reference?: string | null;
  memo?: string | null;
  allocations?: AllocationInput[];
}

/** The create and patch bodies of a receipt (`customerId`, `invoiceId`) or payment (`supplierId`, `billId`). */
export function settlementInputSchemas<P extends string, D extends string>(partyKey: P, documentKey: D) {
  const allocation = z.strictObject({ [documentKey]: z.uuid(), amount: positiveDecimal });
  const allocations = z
    .array(allocation)
    .max(200)
    .refine(
      (list) => new Set(list.map((a) => a[documentKey])).size === list.length,
      'Each document at most once',
    );
  const create = z.strictObject({
    date: dateSchema.optional().meta({ description: "The value date; today (the tenant's day) by default" }),
    [partyKey]: z.uuid().optional(),
    amount: positiveMoneySchema,
    bankAccount: accountCodeSchema
      .optional()
      .meta({ description: 'The bank account; the main bank account by default' }),
    reference: reference.optional(),
    memo: memo.optional(),
    allocations: allocations.optional(),
  });
  const patch = z
    .strictObject({
      date: dateSchema.optional(),
      [partyKey]: z.uuid().nullable().optional(),
      amount: positiveMoneySchema.optional(),
      bankAccount: accountCodeSchema.nullable().optional(),
      reference: reference.nullable().optional(),
      memo: memo.nullable().optional(),
      allocations: allocations.optional(),
    })
    .refine(someField, 'Name at least one field to change');
  const toDraft = (body: Record<string, unknown>): SettlementDraftInput => ({
    date: body.date as string | undefined,
    party: body[partyKey] as string | null | undefined,
    amount: body.amount as { amount: string; currency: string } | undefined,
    bankAccount: body.bankAccount as string | null | undefined,
    reference: body.reference as string | null | undefined,
    memo: body.memo as string | null | undefined,
    allocations: (body.allocations as Record<string, string>[] | undefined)?.map((a) => ({
      documentId: a[documentKey] as string,
      amount: a.amount as string,
    })),
  });
  return { create, patch, toDraft };
}

export const settlementSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['receipt', 'payment']),
  number: z.string().nullable(),
  status: z.enum(['draft', 'posted']),
  partyId: z.uuid().nullable(),
  partyCode: z.string().nullable(),
  partyName: z.string().nullable(),
  date: z.string(),
  amount: moneyAmount,
  bankAccount: z.string().nullable(),
  reference: z.string().nullable(),
  memo: z.string().nullable(),
  allocations: z.array(
    z.object({
      documentId: z.uuid(),
      documentNumber: z.string().nullable(),
      amount: moneyAmount,
      baseAmount: moneyAmount.nullable(),
    }),
  ),
  exchangeRate: z.string().nullable(),
  baseAmount: moneyAmount.nullable(),
  fxDifference: moneyAmount.nullable().meta({
    description: 'Realised exchange difference in the base currency: positive a gain, negative a loss',
  }),
  entryId: z.uuid().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  postedAt: z.string().nullable(),
});
export type Settlement = z.infer<typeof settlementSchema>;

export const settlementListQuerySchema = (partyKey: string) =>
  z.strictObject({
    ...pageQuery,
    [partyKey]: z.uuid().optional(),
    status: z.enum(['draft', 'posted']).optional(),
    from: dateSchema.optional(),
    to: dateSchema.optional(),
  });

// ---- Reports -------------------------------------------------------------------------------

export const agingQuerySchema = z.strictObject({
  ...reportFormat,
  asOf: dateSchema
    .optional()
    .meta({ description: "The date to age at; today (the tenant's day) by default" }),
});

const buckets = z.object({
  current: z.string(),
  days1To30: z.string(),
  days31To60: z.string(),
  days61To90: z.string(),
  over90: z.string(),
  total: z.string(),
});
export type AgingBuckets = z.infer<typeof buckets>;

export const agingReportSchema = z.object({
  asOf: z.string(),
  baseCurrency: z.string(),
  parties: z.array(
    z.object({
      partyId: z.uuid(),
      code: z.string(),
      name: z.string(),
      byCurrency: z.array(buckets.extend({ currency: z.string() })),
      base: buckets,
    }),
  ),
  totals: z.object({ byCurrency: z.array(buckets.extend({ currency: z.string() })), base: buckets }),
});
export type AgingReport = z.infer<typeof agingReportSchema>;

export const statementQuerySchema = z.strictObject({
  ...reportFormat,
  from: dateSchema.optional().meta({ description: 'First day; the first of the month of `to` by default' }),
  to: dateSchema.optional().meta({ description: "Last day; today (the tenant's day) by default" }),
});

export const statementSchema = z.object({
  partyId: z.uuid(),
  code: z.string(),
  name: z.string(),
  from: z.string(),
  to: z.string(),
  accounts: z.array(
    z.object({
      currency: z.string(),
      openingBalance: z.string(),
      lines: z.array(
        z.object({
          date: z.string(),
          type: z.enum(['invoice', 'credit_note', 'bill', 'receipt', 'payment']),
          id: z.uuid(),
          number: z.string(),
          reference: z.string().nullable(),
          dueDate: z.string().nullable(),
          debit: z.string().nullable(),
          credit: z.string().nullable(),
          balance: z.string(),
        }),
      ),
      closingBalance: z.string(),
    }),
  ),
});
export type Statement = z.infer<typeof statementSchema>;
