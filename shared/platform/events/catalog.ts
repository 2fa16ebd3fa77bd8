import { z } from 'zod';

/**
 * The event catalog: every event the app publishes, its version and its payload schema, in one
 * place. Producers cannot emit an event that is not here, and consumers parse with the same schema.
 */
export interface EventDefinition<T extends string = string, S extends z.ZodType = z.ZodType> {
  type: T;
  version: number;
  schema: S;
  description: string;
}

function defineEvent<T extends string, S extends z.ZodType>(
  type: T,
  version: number,
  description: string,
  schema: S,
): EventDefinition<T, S> {
  return { type, version, schema, description };
}

const uuid = z.uuid();

export const events = {
  flowStartRequested: defineEvent(
    'platform.FlowStartRequested',
    1,
    'A request asked for a durable flow; the flow starter begins it with this instance id.',
    z.strictObject({
      instanceId: z.string().min(1).max(100),
      orchestration: z.string().min(1).max(100),
      input: z.unknown(),
    }),
  ),
  tenantOnboarded: defineEvent(
    'admin.TenantOnboarded',
    1,
    'A new tenant exists, with its settings and number series.',
    z.strictObject({
      tenantId: uuid,
      slug: z.string(),
      name: z.string(),
      baseCurrency: z.string().length(3),
    }),
  ),
  tenantSettingsChanged: defineEvent(
    'admin.TenantSettingsChanged',
    1,
    "An administrator changed the tenant's settings.",
    z.strictObject({ tenantId: uuid, version: z.number().int(), changed: z.array(z.string()) }),
  ),
  userAccessChanged: defineEvent(
    'admin.UserAccessChanged',
    1,
    "A user's granted roles or active flag changed.",
    z.strictObject({ userId: uuid, objectId: uuid, roles: z.array(z.string()), active: z.boolean() }),
  ),
  journalEntryPosted: defineEvent(
    'accounting.JournalEntryPosted',
    1,
    'A journal entry was posted to the ledger.',
    z.strictObject({
      entryId: uuid,
      number: z.string(),
      date: z.iso.date(),
      currency: z.string().length(3),
      source: z.strictObject({ type: z.string(), id: z.string() }).nullable(),
      reversesEntryId: uuid.nullable(),
    }),
  ),
  periodClosed: defineEvent(
    'accounting.PeriodClosed',
    1,
    'A period was closed for posting.',
    z.strictObject({ periodId: uuid, startDate: z.iso.date(), endDate: z.iso.date() }),
  ),
  fiscalYearClosed: defineEvent(
    'accounting.FiscalYearClosed',
    1,
    'A fiscal year was closed: its revenue and expenses were moved to retained earnings.',
    z.strictObject({
      fiscalYearId: uuid,
      name: z.string(),
      endDate: z.iso.date(),
      closingEntryId: uuid.nullable(),
      netResult: z.string(),
    }),
  ),
  invoiceIssued: defineEvent(
    'accounting.InvoiceIssued',
    1,
    'A customer invoice was issued and posted to the ledger.',
    z.strictObject({
      invoiceId: uuid,
      number: z.string(),
      customerId: uuid,
      currency: z.string().length(3),
      net: z.string(),
      tax: z.string(),
      gross: z.string(),
      issueDate: z.iso.date(),
      dueDate: z.iso.date(),
      entryId: uuid,
    }),
  ),
  creditNoteIssued: defineEvent(
    'accounting.CreditNoteIssued',
    1,
    'A customer credit note was issued and posted, settling the invoice it corrects when it names one.',
    z.strictObject({
      creditNoteId: uuid,
      number: z.string(),
      customerId: uuid,
      invoiceId: uuid.nullable(),
      currency: z.string().length(3),
      gross: z.string(),
      issueDate: z.iso.date(),
      entryId: uuid,
    }),
  ),
  paymentReceived: defineEvent(
    'accounting.PaymentReceived',
    1,
    "A customer's payment was posted and allocated to invoices.",
    z.strictObject({
      receiptId: uuid,
      number: z.string(),
      customerId: uuid,
      date: z.iso.date(),
      currency: z.string().length(3),
      amount: z.string(),
      allocations: z.array(z.strictObject({ invoiceId: uuid, amount: z.string() })),
      fxDifference: z.string(),
      entryId: uuid,
    }),
  ),
  billRecorded: defineEvent(
    'accounting.BillRecorded',
    1,
    "A supplier's bill was recorded and posted to the ledger.",
    z.strictObject({
      billId: uuid,
      number: z.string(),
      supplierId: uuid,
      supplierReference: z.string().nullable(),
      currency: z.string().length(3),
      gross: z.string(),
      issueDate: z.iso.date(),
      dueDate: z.iso.date(),
      entryId: uuid,
    }),
  ),
  paymentMade: defineEvent(
    'accounting.PaymentMade',
    1,
    'A payment to a supplier was posted and allocated to bills.',
    z.strictObject({
      paymentId: uuid,
      number: z.string(),
      supplierId: uuid,
      date: z.iso.date(),
      currency: z.string().length(3),
      amount: z.string(),
      allocations: z.array(z.strictObject({ billId: uuid, amount: z.string() })),
      fxDifference: z.string(),
      entryId: uuid,
    }),
  ),
  goodsReceived: defineEvent(
    'inventory.GoodsReceived',
    1,
    'Goods were received into a warehouse at their cost; stock and its value went up.',
    z.strictObject({
      receiptId: uuid,
      number: z.string(),
      warehouseId: uuid,
      date: z.iso.date(),
      supplierReference: z.string().nullable(),
      currency: z.string().length(3),
      totalValue: z.string(),
      lines: z.array(z.strictObject({ itemId: uuid, quantity: z.string(), unitCost: z.string() })),
      entryId: uuid,
    }),
  ),
  stockAdjusted: defineEvent(
    'inventory.StockAdjusted',
    1,
    'Stock on hand in a warehouse was corrected (count, breakage, loss) at its average cost.',
    z.strictObject({
      adjustmentId: uuid,
      number: z.string(),
      warehouseId: uuid,
      date: z.iso.date(),
      reason: z.string(),
      currency: z.string().length(3),
      totalValue: z.string(),
      lines: z.array(z.strictObject({ itemId: uuid, quantity: z.string(), value: z.string() })),
      entryId: uuid.nullable(),
    }),
  ),
  stockTransferred: defineEvent(
    'inventory.StockTransferred',
    1,
    'Stock moved from one warehouse, yard or site to another at its average cost.',
    z.strictObject({
      transferId: uuid,
      number: z.string(),
      fromWarehouseId: uuid,
      toWarehouseId: uuid,
      date: z.iso.date(),
      currency: z.string().length(3),
      totalValue: z.string(),
      lines: z.array(z.strictObject({ itemId: uuid, quantity: z.string(), unitCost: z.string() })),
    }),
  ),
  stockIssued: defineEvent(
    'inventory.StockIssued',
    1,
    'Reserved stock left the warehouse for a document (a delivery, say); cost of sales was posted.',
    z.strictObject({
      source: z.strictObject({ type: z.string(), id: z.string() }),
      reference: z.strictObject({ type: z.string(), id: z.string() }),
      date: z.iso.date(),
      currency: z.string().length(3),
      totalCost: z.string(),
      lines: z.array(
        z.strictObject({
          key: z.string(),
          itemId: uuid,
          warehouseId: uuid,
          quantity: z.string(),
          unitCost: z.string(),
          cost: z.string(),
        }),
      ),
      entryId: uuid.nullable(),
    }),
  ),
  stockLow: defineEvent(
    'inventory.StockLow',
    1,
    "An item's stock available across warehouses fell to or below its reorder level.",
    z.strictObject({
      itemId: uuid,
      sku: z.string(),
      uom: z.string(),
      available: z.string(),
      reorderLevel: z.string(),
    }),
  ),
  approvalRequested: defineEvent(
    'approvals.ApprovalRequested',
    1,
    'A flow asked for a decision; the approvers with the required role are told (web inbox, Teams card).',
    z.strictObject({
      approvalId: uuid,
      number: z.string(),
      subject: z.strictObject({ type: z.string(), id: uuid, number: z.string().nullable() }),
      title: z.string(),
      amount: z.string(),
      currency: z.string().length(3),
      reasons: z.array(z.string()),
      requiredRole: z.string(),
      requestedBy: z.strictObject({ objectId: z.string(), name: z.string() }),
      deadline: z.iso.datetime({ offset: true }),
      flowInstanceId: z.string().nullable(),
    }),
  ),
  approvalDecided: defineEvent(
    'approvals.ApprovalDecided',
    1,
    'An approver approved or rejected a request; the flow waiting for it goes on.',
    z.strictObject({
      approvalId: uuid,
      number: z.string(),
      subject: z.strictObject({ type: z.string(), id: uuid, number: z.string().nullable() }),
      decision: z.enum(['approve', 'reject']),
      decidedBy: z.strictObject({ objectId: z.string(), name: z.string() }),
      decidedAt: z.iso.datetime({ offset: true }),
      comment: z.string().nullable(),
      flowInstanceId: z.string().nullable(),
    }),
  ),
  approvalEscalated: defineEvent(
    'approvals.ApprovalEscalated',
    1,
    'A request is still undecided after the reminder time; approvers are reminded.',
    z.strictObject({
      approvalId: uuid,
      number: z.string(),
      requiredRole: z.string(),
      deadline: z.iso.datetime({ offset: true }),
    }),
  ),
  approvalClosed: defineEvent(
    'approvals.ApprovalClosed',
    1,
    'A request ended without a decision: it expired at its deadline or its flow withdrew it.',
    z.strictObject({
      approvalId: uuid,
      number: z.string(),
      status: z.enum(['expired', 'cancelled']),
      flowInstanceId: z.string().nullable(),
    }),
  ),
  salesOrderConfirmed: defineEvent(
    'sales.SalesOrderConfirmed',
    1,
    'A sales order was confirmed, its stock reserved: from an accepted quote, or entered directly (no quote, no flow).',
    z.strictObject({
      orderId: uuid,
      number: z.string(),
      quoteId: uuid.nullable(),
      customerId: uuid,
      currency: z.string().length(3),
      net: z.string(),
      tax: z.string(),
      gross: z.string(),
      approvalId: uuid.nullable(),
      flowInstanceId: z.string().nullable(),
    }),
  ),
  quoteOrderFailed: defineEvent(
    'sales.QuoteOrderFailed',
    1,
    'An accepted quote did not become an order (stock short, approval rejected or expired); nothing stays reserved.',
    z.strictObject({
      quoteId: uuid,
      number: z.string(),
      reason: z.string(),
      outcome: z.enum(['stock_short', 'rejected', 'expired', 'invalid']),
      flowInstanceId: z.string(),
    }),
  ),
  deliveryPosted: defineEvent(
    'sales.DeliveryPosted',
    1,
    'Goods of a sales order left the warehouse; stock and cost of sales are posted.',
    z.strictObject({
      deliveryId: uuid,
      number: z.string(),
      orderId: uuid,
      date: z.iso.date(),
      cost: z.string(),
      entryId: uuid.nullable(),
    }),
  ),
  salesOrderInvoiced: defineEvent(
    'sales.SalesOrderInvoiced',
    1,
    'What was delivered on a sales order was invoiced.',
    z.strictObject({
      orderId: uuid,
      number: z.string(),
      invoiceId: uuid,
      invoiceNumber: z.string(),
      currency: z.string().length(3),
      gross: z.string(),
    }),
  ),
  salesOrderCancelled: defineEvent(
    'sales.SalesOrderCancelled',
    1,
    'A sales order was cancelled; what was still reserved for it is available again.',
    z.strictObject({ orderId: uuid, number: z.string(), reason: z.string() }),
  ),
} as const;

export type EventKey = keyof typeof events;
export type EventType = (typeof events)[EventKey]['type'];
export type EventPayload<K extends EventKey> = z.input<(typeof events)[K]['schema']>;

const byType = new Map<string, EventDefinition>(Object.values(events).map((e) => [e.type, e]));

export function eventDefinition(type: string): EventDefinition | undefined {
  return byType.get(type);
}

export function eventCatalog(): EventDefinition[] {
  return [...byType.values()];
}

/** The message body on the bus. */
export const eventEnvelopeSchema = z.object({
  id: uuid,
  type: z.string(),
  version: z.number().int(),
  tenantId: uuid,
  occurredAt: z.string(),
  payload: z.unknown(),
});
export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;
