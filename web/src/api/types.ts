/** The API's JSON shapes the app uses, as the OpenAPI document describes them. */

export interface Money {
  /** A decimal string, never a float: "1234.50". */
  amount: string;
  currency: string;
}

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  baseCurrency: string;
  locale: string;
  timeZone: string;
  approvalThreshold: Money;
  fiscalYearStartMonth?: number;
  status?: 'active' | 'suspended';
  version: number;
}

export interface TenantPatch {
  name?: string;
  locale?: string;
  timeZone?: string;
  fiscalYearStartMonth?: number;
  approvalThreshold?: Money;
}

export interface User {
  id: string;
  objectId: string;
  displayName: string;
  email: string | null;
  roles: string[];
  /** The most this user may approve, in the tenant's base currency; null: no limit beyond the roles. */
  approvalLimit: string | null;
  active: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface UserInput {
  objectId?: string;
  displayName?: string;
  email?: string;
  roles?: string[];
  approvalLimit?: string | null;
  active?: boolean;
}

export interface AuditEntry {
  id: string;
  occurredAt: string;
  actorId: string;
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string;
  requestId: string | null;
  details: unknown;
}

export interface PartyRef {
  id: string;
  code: string;
  name: string;
}

export interface Address {
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode?: string;
  /** ISO 3166 alpha-2, e.g. ZA. */
  country: string;
}

export interface Contact {
  name: string;
  role?: string;
  email?: string;
  phone?: string;
}

export interface Customer extends PartyRef {
  taxNumber: string | null;
  currency: string;
  paymentTermsDays: number;
  creditLimit?: Money | null;
  email: string | null;
  phone: string | null;
  billingAddress?: Address | null;
  deliveryAddress?: Address | null;
  contacts?: Contact[];
  active: boolean;
  version: number;
}

/** The body of a customer create (every field) or change (the changed fields, nulls clear). */
export interface CustomerInput {
  code?: string;
  name?: string;
  taxNumber?: string | null;
  currency?: string;
  paymentTermsDays?: number;
  creditLimit?: Money | null;
  email?: string | null;
  phone?: string | null;
  billingAddress?: Address | null;
  deliveryAddress?: Address | null;
  contacts?: Contact[];
  active?: boolean;
}

export type ItemKind = 'stock' | 'service';

export interface Item {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  uom: string;
  kind: ItemKind;
  salesPrice: Money;
  taxCode: string;
  reorderLevel: string | null;
  active: boolean;
  version: number;
}

export interface ItemInput {
  sku?: string;
  name?: string;
  description?: string | null;
  uom?: string;
  kind?: ItemKind;
  salesPrice?: Money;
  taxCode?: string;
  reorderLevel?: string | null;
  active?: boolean;
}

export interface Warehouse {
  id: string;
  code: string;
  name: string;
  kind: string;
  active: boolean;
  version: number;
}

export interface StockBalance {
  itemId: string;
  sku: string;
  itemName: string;
  uom: string;
  warehouseId: string;
  warehouseCode: string;
  onHand: string;
  reserved: string;
  available: string;
  averageCost: Money;
  value: Money;
}

export type StockDocumentKind = 'receipt' | 'adjustment' | 'transfer';

export interface WarehouseRef {
  id: string;
  code: string;
  name: string;
}

export interface StockDocument {
  id: string;
  kind: StockDocumentKind;
  number: string;
  date: string;
  /** Receipts and adjustments: the warehouse; transfers: the source. */
  warehouse: WarehouseRef;
  toWarehouse: WarehouseRef | null;
  reference: string | null;
  reason: string | null;
  lines: {
    lineNo: number;
    itemId: string;
    sku: string;
    itemName: string;
    uom: string;
    quantity: string;
    unitCost: Money;
    value: Money;
  }[];
  totalValue: Money;
  entryId: string | null;
  createdBy: string;
  createdAt: string;
}

/** Goods received (`unitCost` set), an adjustment (`reason`, signed quantities) or a transfer (`to`). */
export interface StockDocumentInput {
  warehouse?: string;
  from?: string;
  to?: string;
  date?: string;
  reference?: string;
  reason?: string;
  lines: { item: string; quantity: string; unitCost?: Money }[];
}

export interface LowStockReport {
  rows: {
    itemId: string;
    sku: string;
    itemName: string;
    uom: string;
    onHand: string;
    reserved: string;
    available: string;
    reorderLevel: string;
    shortfall: string;
  }[];
}

export interface TaxCode {
  code: string;
  name?: string;
  rate: string;
  active?: boolean;
}

export const QUOTE_STATUSES = ['draft', 'sent', 'accepted', 'ordered', 'rejected', 'expired'] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

export interface TaxLine {
  taxCode: string;
  rate: string;
  net: Money;
  tax: Money;
}

export interface QuoteLine {
  lineNo: number;
  itemId: string;
  sku: string;
  uom: string;
  warehouseId: string | null;
  warehouseCode: string | null;
  description: string;
  quantity: string;
  unitPrice: Money;
  discountPercent: string;
  taxCode: string;
  taxRate: string;
  net: Money;
}

export interface Quote {
  id: string;
  number: string;
  status: QuoteStatus;
  customer: PartyRef;
  currency: string;
  quoteDate: string;
  validUntil: string;
  reference: string | null;
  notes: string | null;
  lines: QuoteLine[];
  taxes: TaxLine[];
  net: Money;
  tax: Money;
  gross: Money;
  flow: { instanceId: string; statusUrl: string } | null;
  outcome: string | null;
  orderId: string | null;
  createdBy: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface QuoteLineInput {
  itemId: string;
  warehouseId?: string;
  description?: string;
  quantity: string;
  unitPrice?: string;
  discountPercent?: string;
  taxCode?: string;
}

export interface QuoteInput {
  customerId: string;
  validUntil?: string;
  reference?: string | null;
  notes?: string | null;
  lines: QuoteLineInput[];
}

export interface QuoteAccepted {
  instanceId: string;
  statusUrl: string;
  quote: Quote;
}

/** The 202 of an order entered directly that needs approval: it became an accepted quote. */
export interface OrderSentForApproval extends QuoteAccepted {
  reasons: ('over_threshold' | 'over_credit_limit')[];
}

export const ORDER_STATUSES = [
  'confirmed',
  'partially_delivered',
  'delivered',
  'invoiced',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderLine extends QuoteLine {
  stocked: boolean;
  delivered: string;
  invoiced: string;
  cancelled: string;
  toDeliver: string;
  toInvoice: string;
}

export interface Order {
  id: string;
  number: string;
  status: OrderStatus;
  /** The accepted quote it came from; null for an order entered directly. */
  quote: { id: string; number: string } | null;
  customer: PartyRef;
  currency: string;
  orderDate: string;
  reference: string | null;
  lines: OrderLine[];
  taxes: TaxLine[];
  net: Money;
  tax: Money;
  gross: Money;
  approvalId: string | null;
  flowInstanceId: string | null;
  cancelReason: string | null;
  deliveries: { id: string; number: string; date: string; cost: Money }[];
  invoices: { id: string; number: string | null; gross: Money }[];
  version: number;
}

export type FlowRuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated' | 'ContinuedAsNew' | 'Suspended' | 'Canceled';

export interface FlowStatus {
  instanceId: string;
  name: string;
  runtimeStatus: FlowRuntimeStatus;
  customStatus: { step?: string; reasons?: string[]; outcome?: string; reason?: string } | null;
  output: { outcome?: string; orderId?: string; orderNumber?: string; reason?: string } | null;
  error: string | null;
  createdAt: string;
  lastUpdatedAt: string | null;
}

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'cancelled'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface Approval {
  id: string;
  number: string;
  status: ApprovalStatus;
  subject: { type: string; id: string; number: string | null };
  title: string;
  amount: Money;
  baseAmount: Money;
  reasons: string[];
  requiredRole: string;
  requestedBy: { objectId: string; name: string };
  deadline: string;
  decision: {
    decision: 'approve' | 'reject';
    by: { name: string };
    at: string;
    comment: string | null;
  } | null;
  canDecide: boolean;
  version: number;
  createdAt: string;
}
