import { z } from 'zod';
import { pageQuery } from '../../platform/http/pagination.js';
import { currencySchema } from '../../platform/money.js';
import { addressSchema, dateSchema, moneyAmount } from '../accounting/index.js';

export const WAREHOUSE_KINDS = ['warehouse', 'yard', 'site'] as const;
export const ITEM_KINDS = ['stock', 'service'] as const;

// ---- Shared fields -------------------------------------------------------------------------

const DECIMAL = /^(0|[1-9]\d{0,14})(\.\d{1,4})?$/;
const isZero = (v: string) => /^-?0(\.0+)?$/.test(v);

/** A quantity greater than zero: a decimal string with at most 4 decimal places. */
export const quantitySchema = z
  .string()
  .regex(DECIMAL, 'A positive quantity as a string, with at most 4 decimal places')
  .refine((v) => !isZero(v), 'Must be greater than zero')
  .meta({ examples: ['12.5'] });

/** A change of quantity: negative takes stock out, positive brings it in; never zero. */
export const quantityDeltaSchema = z
  .string()
  .regex(/^-?(0|[1-9]\d{0,14})(\.\d{1,4})?$/, 'A signed quantity as a string, with at most 4 decimal places')
  .refine((v) => !isZero(v), 'Must not be zero')
  .meta({ examples: ['-3'] });

const nonNegativeDecimal = z
  .string()
  .regex(DECIMAL, 'A decimal as a string, not negative, with at most 4 decimal places');

export const warehouseCodeSchema = z
  .string()
  .regex(/^[0-9A-Z][0-9A-Z._-]{0,19}$/, 'Up to 20 digits, capitals, dots, underscores or hyphens')
  .meta({ examples: ['MAIN'] });

export const skuSchema = z
  .string()
  .regex(/^[0-9A-Z][0-9A-Z._/-]{0,39}$/, 'Up to 40 digits, capitals, dots, underscores, slashes or hyphens')
  .meta({ examples: ['CEM-425-50'] });

const uomSchema = z
  .string()
  .regex(/^[a-z][a-z0-9]{0,11}$/, 'A unit such as bag, ton, each, m3 or day')
  .meta({ examples: ['bag'] });

const nonNegativeMoneySchema = z.strictObject({ amount: nonNegativeDecimal, currency: currencySchema });
const positiveMoneySchema = z.strictObject({ amount: quantitySchema, currency: currencySchema });
const taxCodeSchema = z.string().regex(/^[A-Z0-9_]{1,20}$/, 'A tax code such as VAT15');
const name = z.string().trim().min(1).max(200);
const someField = (p: object) => Object.keys(p).length > 0;
const activeFilter = z.enum(['true', 'false']).optional();

export const idParamsSchema = z.strictObject({ id: z.uuid() });

/** `?format=csv` (or `Accept: text/csv`) turns a report into a CSV download with the same figures. */
const reportFormat = {
  format: z.enum(['json', 'csv']).default('json').meta({ description: 'json (default) or csv' }),
};

// ---- Warehouses ----------------------------------------------------------------------------

export const warehouseSchema = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(WAREHOUSE_KINDS),
  address: addressSchema.nullable(),
  active: z.boolean(),
  version: z.number().int(),
});
export type Warehouse = z.infer<typeof warehouseSchema>;

export const warehouseCreateSchema = z.strictObject({
  code: warehouseCodeSchema,
  name,
  kind: z.enum(WAREHOUSE_KINDS),
  address: addressSchema.optional(),
});
export type WarehouseCreateInput = z.infer<typeof warehouseCreateSchema>;

export const warehousePatchSchema = z
  .strictObject({
    name: name.optional(),
    kind: z.enum(WAREHOUSE_KINDS).optional(),
    address: addressSchema.nullable().optional(),
    active: z.boolean().optional(),
  })
  .refine(someField, 'Name at least one field to change');
export type WarehousePatchInput = z.infer<typeof warehousePatchSchema>;

export const warehouseListQuerySchema = z.strictObject({
  ...pageQuery,
  kind: z.enum(WAREHOUSE_KINDS).optional(),
  active: activeFilter,
});

// ---- Items ---------------------------------------------------------------------------------

export const itemSchema = z.object({
  id: z.uuid(),
  sku: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  uom: z.string(),
  kind: z.enum(ITEM_KINDS),
  salesPrice: moneyAmount,
  taxCode: z.string(),
  reorderLevel: z.string().nullable(),
  active: z.boolean(),
  version: z.number().int(),
});
export type Item = z.infer<typeof itemSchema>;

export const itemCreateSchema = z.strictObject({
  sku: skuSchema,
  name,
  description: z.string().trim().min(1).max(2000).optional(),
  uom: uomSchema,
  kind: z.enum(ITEM_KINDS),
  salesPrice: nonNegativeMoneySchema.meta({ description: "In the tenant's base currency" }),
  taxCode: taxCodeSchema,
  reorderLevel: nonNegativeDecimal
    .optional()
    .meta({ description: 'Stock items: the low-stock report lists the item when available falls to it' }),
});
export type ItemCreateInput = z.infer<typeof itemCreateSchema>;

export const itemPatchSchema = z
  .strictObject({
    name: name.optional(),
    description: z.string().trim().min(1).max(2000).nullable().optional(),
    uom: uomSchema.optional(),
    salesPrice: nonNegativeMoneySchema.optional(),
    taxCode: taxCodeSchema.optional(),
    reorderLevel: nonNegativeDecimal.nullable().optional(),
    active: z.boolean().optional(),
  })
  .refine(someField, 'Name at least one field to change');
export type ItemPatchInput = z.infer<typeof itemPatchSchema>;

export const itemListQuerySchema = z.strictObject({
  ...pageQuery,
  search: z.string().trim().min(1).max(100).optional().meta({ description: 'Part of the SKU or name' }),
  kind: z.enum(ITEM_KINDS).optional(),
  active: activeFilter,
});

// ---- Stock ---------------------------------------------------------------------------------

export const stockQuerySchema = z.strictObject({
  ...pageQuery,
  itemId: z.uuid().optional(),
  warehouseId: z.uuid().optional(),
});

export const stockBalanceSchema = z.object({
  itemId: z.uuid(),
  sku: z.string(),
  itemName: z.string(),
  uom: z.string(),
  warehouseId: z.uuid(),
  warehouseCode: z.string(),
  onHand: z.string(),
  reserved: z.string(),
  available: z.string(),
  averageCost: moneyAmount,
  value: moneyAmount,
});
export type StockBalance = z.infer<typeof stockBalanceSchema>;

// ---- Stock documents -----------------------------------------------------------------------

const documentDate = dateSchema
  .optional()
  .meta({ description: "The document date; today (the tenant's day) by default" });
const lines = <T extends z.ZodType>(line: T) => z.array(line).min(1).max(500);

export const receiptInputSchema = z.strictObject({
  warehouse: warehouseCodeSchema.meta({ description: 'Code of the receiving warehouse, yard or site' }),
  date: documentDate,
  reference: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: "The supplier's delivery note or invoice number" }),
  lines: lines(
    z.strictObject({
      item: skuSchema,
      quantity: quantitySchema,
      unitCost: positiveMoneySchema.meta({ description: "In the tenant's base currency" }),
    }),
  ),
});
export type ReceiptInput = z.infer<typeof receiptInputSchema>;

export const adjustmentInputSchema = z.strictObject({
  warehouse: warehouseCodeSchema,
  date: documentDate,
  reason: z.string().trim().min(1).max(500),
  lines: lines(z.strictObject({ item: skuSchema, quantity: quantityDeltaSchema })),
});
export type AdjustmentInput = z.infer<typeof adjustmentInputSchema>;

export const transferInputSchema = z.strictObject({
  from: warehouseCodeSchema,
  to: warehouseCodeSchema,
  date: documentDate,
  reference: z.string().trim().min(1).max(100).optional(),
  lines: lines(z.strictObject({ item: skuSchema, quantity: quantitySchema })),
});
export type TransferInput = z.infer<typeof transferInputSchema>;

const warehouseRef = z.object({ id: z.uuid(), code: z.string(), name: z.string() });

export const stockDocumentSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['receipt', 'adjustment', 'transfer']),
  number: z.string(),
  date: z.string(),
  warehouse: warehouseRef.meta({
    description: 'Receipts and adjustments: the warehouse; transfers: the source',
  }),
  toWarehouse: warehouseRef.nullable(),
  reference: z.string().nullable(),
  reason: z.string().nullable(),
  lines: z.array(
    z.object({
      lineNo: z.number().int(),
      itemId: z.uuid(),
      sku: z.string(),
      itemName: z.string(),
      uom: z.string(),
      quantity: z.string(),
      unitCost: moneyAmount,
      value: moneyAmount,
    }),
  ),
  totalValue: moneyAmount,
  entryId: z.uuid().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type StockDocument = z.infer<typeof stockDocumentSchema>;

export const documentListQuerySchema = z.strictObject({
  ...pageQuery,
  from: dateSchema.optional(),
  to: dateSchema.optional(),
  warehouseId: z.uuid().optional(),
});

// ---- Reports -------------------------------------------------------------------------------

export const valuationQuerySchema = z.strictObject({
  asOf: dateSchema
    .optional()
    .meta({ description: "The date to value at; today (the tenant's day) by default" }),
  warehouseId: z.uuid().optional(),
  ...reportFormat,
});

export const valuationSchema = z.object({
  asOf: z.string(),
  currency: z.string(),
  warehouseId: z.uuid().nullable(),
  rows: z.array(
    z.object({
      itemId: z.uuid(),
      sku: z.string(),
      itemName: z.string(),
      uom: z.string(),
      warehouseId: z.uuid(),
      warehouseCode: z.string(),
      quantity: z.string(),
      averageCost: z.string(),
      value: z.string(),
    }),
  ),
  totals: z.object({ value: z.string() }),
});
export type Valuation = z.infer<typeof valuationSchema>;

export const lowStockQuerySchema = z.strictObject({ ...reportFormat });

export const lowStockSchema = z.object({
  rows: z.array(
    z.object({
      itemId: z.uuid(),
      sku: z.string(),
      itemName: z.string(),
      uom: z.string(),
      onHand: z.string(),
      reserved: z.string(),
      available: z.string(),
      reorderLevel: z.string(),
      shortfall: z.string().meta({ description: 'Reorder level less available' }),
    }),
  ),
});
export type LowStock = z.infer<typeof lowStockSchema>;

// ---- The service API other modules call ----------------------------------------------------

const referenceFields = {
  referenceType: z.string().min(1).max(50),
  referenceId: z.string().min(1).max(100),
};
const reservationKey = z.string().min(1).max(100);

export const reservationRequestSchema = z.strictObject({
  ...referenceFields,
  lines: z
    .array(
      z.strictObject({
        key: reservationKey,
        itemId: z.uuid(),
        warehouseId: z.uuid(),
        quantity: quantitySchema,
      }),
    )
    .min(1)
    .max(500),
});
export type ReservationRequest = z.infer<typeof reservationRequestSchema>;

export const issueRequestSchema = z.strictObject({
  ...referenceFields,
  source: z.strictObject({ type: z.string().min(1).max(100), id: z.string().min(1).max(100) }),
  date: dateSchema,
  lines: z
    .array(z.strictObject({ key: reservationKey, quantity: quantitySchema }))
    .min(1)
    .max(500),
});
export type IssueRequest = z.infer<typeof issueRequestSchema>;

export interface Reservation {
  id: string;
  referenceType: string;
  referenceId: string;
  key: string;
  itemId: string;
  warehouseId: string;
  quantity: string;
  issued: string;
  released: string;
  /** active: holds stock; issued: all of it left the warehouse; released: what was left went back. */
  status: 'active' | 'issued' | 'released';
}

export interface ReleasedReservation {
  key: string;
  itemId: string;
  warehouseId: string;
  quantity: string;
}

export interface IssueResult {
  lines: {
    key: string;
    itemId: string;
    warehouseId: string;
    quantity: string;
    unitCost: string;
    cost: string;
  }[];
  /** In the tenant's base currency, 4 decimal places at most. */
  totalCost: string;
  entryId: string | null;
}
