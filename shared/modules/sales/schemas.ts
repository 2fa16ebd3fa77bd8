import { z } from 'zod';
import { dateSchema, moneyAmount, positiveDecimal } from '../accounting/index.js';
import { pageQuery } from '../../platform/http/pagination.js';
import { currencySchema } from '../../platform/money.js';

export const QUOTE_STATUSES = ['draft', 'sent', 'accepted', 'ordered', 'rejected', 'expired'] as const;
export const ORDER_STATUSES = [
  'confirmed',
  'partially_delivered',
  'delivered',
  'invoiced',
  'cancelled',
] as const;

const discountPercent = z
  .string()
  .regex(/^(0|[1-9]\d?)(\.\d{1,4})?$/, 'A percentage from 0 to below 100, with at most 4 decimal places');
const taxCode = z.string().regex(/^[A-Z0-9_]{1,20}$/, 'A tax code such as VAT15');
const text = (max: number) => z.string().trim().min(1).max(max);

export const quoteLineInputSchema = z.strictObject({
  itemId: z.uuid(),
  warehouseId: z
    .uuid()
    .optional()
    .meta({ description: 'Where the goods come from; required for stock items, none for services' }),
  description: text(500).optional().meta({ description: "The item's name unless given" }),
  quantity: positiveDecimal,
  unitPrice: positiveDecimal
    .optional()
    .meta({ description: "In the quote's currency; the item's sales price unless given" }),
  discountPercent: discountPercent.optional(),
  taxCode: taxCode.optional().meta({ description: "The item's tax code unless given" }),
});
export type QuoteLineInput = z.infer<typeof quoteLineInputSchema>;

export const quoteCreateSchema = z.strictObject({
  customerId: z.uuid(),
  quoteDate: dateSchema.optional().meta({ description: 'Today unless given' }),
  validUntil: dateSchema.optional().meta({ description: '30 days after the quote date unless given' }),
  currency: currencySchema.optional().meta({ description: "The customer's currency unless given" }),
  reference: text(100).optional(),
  notes: text(2000).optional(),
  lines: z.array(quoteLineInputSchema).min(1).max(500),
});
export type QuoteCreateInput = z.infer<typeof quoteCreateSchema>;

export const quotePatchSchema = z
  .strictObject({
    customerId: z.uuid().optional(),
    quoteDate: dateSchema.optional(),
    validUntil: dateSchema.optional(),
    currency: currencySchema.optional(),
    reference: text(100).nullable().optional(),
    notes: text(2000).nullable().optional(),
    lines: z.array(quoteLineInputSchema).min(1).max(500).optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'Name at least one field to change');
export type QuotePatchInput = z.infer<typeof quotePatchSchema>;

export const quoteLineSchema = z.object({
  lineNo: z.number().int(),
  itemId: z.uuid(),
  sku: z.string(),
  uom: z.string(),
  warehouseId: z.uuid().nullable(),
  warehouseCode: z.string().nullable(),
  description: z.string(),
  quantity: z.string(),
  unitPrice: moneyAmount,
  discountPercent: z.string(),
  taxCode: z.string(),
  taxRate: z.string(),
  net: moneyAmount,
});

const taxLineSchema = z.object({ taxCode: z.string(), rate: z.string(), net: moneyAmount, tax: moneyAmount });
const partyRefSchema = z.object({ id: z.uuid(), code: z.string(), name: z.string() });

export const quoteSchema = z.object({
  id: z.uuid(),
  number: z.string(),
  status: z.enum(QUOTE_STATUSES),
  customer: partyRefSchema,
  currency: z.string(),
  quoteDate: z.string(),
  validUntil: z.string(),
  reference: z.string().nullable(),
  notes: z.string().nullable(),
  lines: z.array(quoteLineSchema),
  taxes: z.array(taxLineSchema),
  net: moneyAmount,
  tax: moneyAmount,
  gross: moneyAmount,
  flow: z
    .object({ instanceId: z.string(), statusUrl: z.string() })
    .nullable()
    .meta({ description: 'The quote-to-order flow of the last acceptance' }),
  outcome: z
    .string()
    .nullable()
    .meta({ description: 'Why the last acceptance did not become an order, or what it became' }),
  orderId: z.uuid().nullable(),
  createdBy: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Quote = z.infer<typeof quoteSchema>;

export const quoteListQuerySchema = z.strictObject({
  ...pageQuery,
  status: z.enum(QUOTE_STATUSES).optional(),
  customerId: z.uuid().optional(),
});
export type QuoteListQuery = z.infer<typeof quoteListQuerySchema>;

export const quoteRejectSchema = z.strictObject({ reason: text(500).optional() });

export const orderLineSchema = z.object({
  lineNo: z.number().int(),
  itemId: z.uuid(),
  sku: z.string(),
  uom: z.string(),
  warehouseId: z.uuid().nullable(),
  warehouseCode: z.string().nullable(),
  stocked: z.boolean(),
  description: z.string(),
  quantity: z.string(),
  unitPrice: moneyAmount,
  discountPercent: z.string(),
  taxCode: z.string(),
  taxRate: z.string(),
  net: moneyAmount,
  delivered: z.string(),
  invoiced: z.string(),
  cancelled: z.string(),
  toDeliver: z.string(),
  toInvoice: z.string(),
});

export const deliverySchema = z.object({
  id: z.uuid(),
  number: z.string(),
  orderId: z.uuid(),
  date: z.string(),
  cost: moneyAmount.meta({ description: 'Cost of the goods delivered, in the base currency' }),
  entryId: z.uuid().nullable(),
  lines: z.array(z.object({ lineNo: z.number().int(), quantity: z.string(), cost: moneyAmount })),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type Delivery = z.infer<typeof deliverySchema>;

export const orderSchema = z.object({
  id: z.uuid(),
  number: z.string(),
  status: z.enum(ORDER_STATUSES),
  quote: z
    .object({ id: z.uuid(), number: z.string() })
    .nullable()
    .meta({ description: 'The accepted quote it came from; none for an order entered directly' }),
  customer: partyRefSchema,
  currency: z.string(),
  orderDate: z.string(),
  reference: z.string().nullable(),
  lines: z.array(orderLineSchema),
  taxes: z.array(taxLineSchema),
  net: moneyAmount,
  tax: moneyAmount,
  gross: moneyAmount,
  approvalId: z.uuid().nullable(),
  flowInstanceId: z.string().nullable(),
  cancelReason: z.string().nullable(),
  deliveries: z.array(deliverySchema.omit({ lines: true })),
  invoices: z.array(z.object({ id: z.uuid(), number: z.string().nullable(), gross: moneyAmount })),
  createdBy: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Order = z.infer<typeof orderSchema>;

export const orderCreateSchema = z.strictObject({
  customerId: z.uuid(),
  currency: currencySchema.optional().meta({ description: "The customer's currency unless given" }),
  reference: text(100).optional().meta({ description: "The customer's order reference" }),
  lines: z.array(quoteLineInputSchema).min(1).max(500),
});
export type OrderCreateInput = z.infer<typeof orderCreateSchema>;

/** An order that needs finance's decision goes through a quote and its approval flow instead. */
export const orderSentForApprovalSchema = z.object({
  instanceId: z.string(),
  statusUrl: z.string(),
  reasons: z.array(z.enum(['over_threshold', 'over_credit_limit'])),
  quote: quoteSchema,
});

export const orderListQuerySchema = z.strictObject({
  ...pageQuery,
  status: z.enum(ORDER_STATUSES).optional(),
  customerId: z.uuid().optional(),
});
export type OrderListQuery = z.infer<typeof orderListQuerySchema>;

export const deliveryCreateSchema = z.strictObject({
  date: dateSchema.optional().meta({ description: 'Today unless given' }),
  lines: z
    .array(z.strictObject({ lineNo: z.number().int().min(1).max(500), quantity: positiveDecimal }))
    .min(1)
    .max(500)
    .optional()
    .meta({ description: 'What to deliver; everything still to deliver unless given' }),
});
export type DeliveryCreateInput = z.infer<typeof deliveryCreateSchema>;

export const orderInvoiceCreateSchema = z.strictObject({
  date: dateSchema.optional().meta({ description: 'Today unless given' }),
});

export const orderCancelSchema = z.strictObject({ reason: text(500) });
