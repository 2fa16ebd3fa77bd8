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
  version: number;
}

export interface PartyRef {
  id: string;
  code: string;
  name: string;
}

export interface Customer extends PartyRef {
  taxNumber: string | null;
  currency: string;
  paymentTermsDays: number;
  creditLimit?: Money | null;
  email: string | null;
  phone: string | null;
  active: boolean;
  version: number;
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
  quote: { id: string; number: string };
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
  flowInstanceId: string;
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
