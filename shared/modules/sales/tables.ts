import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, Numeric } from '../../platform/db/types.js';

/** A `date` column: a 'YYYY-MM-DD' string both ways. */
type DateColumn = ColumnType<string, string, string>;
/** A `numeric` column with a default: read as its decimal string, optional on insert. */
type GeneratedNumeric = ColumnType<string, string | undefined, string>;

export type QuoteStatus = 'draft' | 'sent' | 'accepted' | 'ordered' | 'rejected' | 'expired';
export type OrderStatus = 'confirmed' | 'partially_delivered' | 'delivered' | 'invoiced' | 'cancelled';

export interface SalesQuotesTable {
  tenant_id: string;
  id: string;
  number: string;
  customer_id: string;
  currency: string;
  quote_date: DateColumn;
  valid_until: DateColumn;
  status: Generated<QuoteStatus>;
  reference: string | null;
  notes: string | null;
  net: GeneratedNumeric;
  tax: GeneratedNumeric;
  gross: GeneratedNumeric;
  flow_instance_id: string | null;
  outcome: string | null;
  version: Generated<number>;
  created_by: string;
  created_by_id: string;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface SalesQuoteLinesTable {
  tenant_id: string;
  quote_id: string;
  line_no: number;
  item_id: string;
  warehouse_id: string | null;
  description: string;
  quantity: Numeric;
  unit_price: Numeric;
  discount_percent: Numeric;
  tax_code: string;
  tax_rate: Numeric;
  net: Numeric;
}

export interface SalesOrdersTable {
  tenant_id: string;
  id: string;
  number: string;
  quote_id: string | null;
  customer_id: string;
  currency: string;
  order_date: DateColumn;
  status: Generated<OrderStatus>;
  reference: string | null;
  net: Numeric;
  tax: Numeric;
  gross: Numeric;
  approval_id: string | null;
  flow_instance_id: string | null;
  cancel_reason: string | null;
  version: Generated<number>;
  created_by: string;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface SalesOrderLinesTable {
  tenant_id: string;
  order_id: string;
  line_no: number;
  item_id: string;
  warehouse_id: string | null;
  stocked: boolean;
  description: string;
  quantity: Numeric;
  unit_price: Numeric;
  discount_percent: Numeric;
  tax_code: string;
  tax_rate: Numeric;
  net: Numeric;
  delivered: GeneratedNumeric;
  invoiced: GeneratedNumeric;
  cancelled: GeneratedNumeric;
}

export interface SalesDeliveriesTable {
  tenant_id: string;
  id: string;
  number: string;
  order_id: string;
  delivery_date: DateColumn;
  cost: Numeric;
  entry_id: string | null;
  created_by: string;
  created_at: GeneratedTimestamp;
}

export interface SalesDeliveryLinesTable {
  tenant_id: string;
  delivery_id: string;
  order_line_no: number;
  quantity: Numeric;
  cost: Numeric;
}

export interface SalesOrderInvoicesTable {
  tenant_id: string;
  order_id: string;
  invoice_id: string;
  created_at: GeneratedTimestamp;
}

export interface SalesTables {
  sales_quotes: SalesQuotesTable;
  sales_quote_lines: SalesQuoteLinesTable;
  sales_orders: SalesOrdersTable;
  sales_order_lines: SalesOrderLinesTable;
  sales_deliveries: SalesDeliveriesTable;
  sales_delivery_lines: SalesDeliveryLinesTable;
  sales_order_invoices: SalesOrderInvoicesTable;
}

declare module '../../platform/db/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends SalesTables {}
}
