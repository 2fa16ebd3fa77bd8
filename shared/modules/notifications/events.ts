/**
 * Which events tell whom what. Each handler runs in the event's tenant transaction with the
 * event id recorded in the inbox, and calls `notify` keyed by the event id, so an event delivered
 * twice notifies once.
 */
import type { Tx } from '../../platform/db/database.js';
import type { EventPayload } from '../../platform/events/catalog.js';
import { findFlow } from '../../platform/flows.js';
import { getApproval, type Decider } from '../approvals/index.js';
import { getOrder, getQuote } from '../sales/index.js';
import { activeUserIdsWithRole, userIdByObjectId } from './repository.js';
import { notify, type NotificationChannel } from './service.js';

export const NOTIFIED_EVENT_TYPES = [
  'approvals.ApprovalRequested',
  'approvals.ApprovalDecided',
  'approvals.ApprovalEscalated',
  'approvals.ApprovalClosed',
  'sales.SalesOrderConfirmed',
  'sales.QuoteOrderFailed',
  'inventory.StockLow',
] as const;

export interface NotifiableEvent {
  id: string;
  type: string;
  tenantId: string;
  payload: unknown;
}

const BOTH: NotificationChannel[] = ['inApp', 'email'];

/** Notifications read a request as an overseer would: its people may not all be able to see it. */
const reader = (tenantId: string): Decider => ({
  tenantId,
  objectId: '00000000-0000-0000-0000-000000000000',
  name: 'Notifications',
  roles: ['Auditor'],
});

async function userOf(trx: Tx, objectId: string): Promise<{ userId: string }[]> {
  const userId = await userIdByObjectId(trx, objectId);
  return userId ? [{ userId }] : [];
}

async function starterOf(trx: Tx, flowInstanceId: string): Promise<{ userId: string }[]> {
  const flow = await findFlow(trx, flowInstanceId);
  return flow ? userOf(trx, flow.started_by) : [];
}

async function approvers(trx: Tx, role: string, requester: string): Promise<{ userId: string }[]> {
  return (await activeUserIdsWithRole(trx, role, requester)).map((userId) => ({ userId }));
}

/**
 * Whether an event may concern anyone, judged from the event alone: the consumer skips the others
 * without opening a transaction. An order entered directly was confirmed in front of the one who
 * entered it; an order made by a quote's flow is news to whoever started the flow.
 */
export function mayNotify(event: NotifiableEvent): boolean {
  if (!(NOTIFIED_EVENT_TYPES as readonly string[]).includes(event.type)) return false;
  if (event.type === 'sales.SalesOrderConfirmed') {
    const p = event.payload as EventPayload<'salesOrderConfirmed'>;
    return p.quoteId !== null && p.flowInstanceId !== null;
  }
  return true;
}

/**
 * Notifies whoever an event concerns; events it does not know change nothing. Returns how many
 * emails it queued.
 */
export async function notifyForEvent(trx: Tx, event: NotifiableEvent): Promise<number> {
  if (!mayNotify(event)) return 0;
  const base = { tenantId: event.tenantId, key: event.id, channels: BOTH };
  switch (event.type) {
    case 'approvals.ApprovalRequested': {
      const p = event.payload as EventPayload<'approvalRequested'>;
      return notify(trx, {
        ...base,
        template: 'approval.requested',
        data: {
          number: p.number,
          title: p.title,
          amount: { amount: p.amount, currency: p.currency },
          requestedBy: p.requestedBy.name,
          deadline: p.deadline,
        },
        recipients: await approvers(trx, p.requiredRole, p.requestedBy.objectId),
        link: '/approvals',
      });
    }
    case 'approvals.ApprovalDecided': {
      const p = event.payload as EventPayload<'approvalDecided'>;
      const approval = await getApproval(trx, reader(event.tenantId), p.approvalId);
      return notify(trx, {
        ...base,
        template: 'approval.decided',
        data: {
          number: p.number,
          title: approval.title,
          decision: p.decision,
          decidedBy: p.decidedBy.name,
          comment: p.comment,
        },
        recipients: await userOf(trx, approval.requestedBy.objectId),
        link: '/approvals',
      });
    }
    case 'approvals.ApprovalEscalated': {
      const p = event.payload as EventPayload<'approvalEscalated'>;
      const approval = await getApproval(trx, reader(event.tenantId), p.approvalId);
      if (approval.status !== 'pending') return 0;
      return notify(trx, {
        ...base,
        template: 'approval.escalated',
        data: { number: p.number, title: approval.title, amount: approval.amount, deadline: p.deadline },
        recipients: await approvers(trx, p.requiredRole, approval.requestedBy.objectId),
        link: '/approvals',
      });
    }
    case 'approvals.ApprovalClosed': {
      const p = event.payload as EventPayload<'approvalClosed'>;
      const approval = await getApproval(trx, reader(event.tenantId), p.approvalId);
      return notify(trx, {
        ...base,
        template: p.status === 'expired' ? 'approval.expired' : 'approval.closed',
        data: { number: p.number, title: approval.title },
        recipients: await userOf(trx, approval.requestedBy.objectId),
        link: '/approvals',
      });
    }
    case 'sales.SalesOrderConfirmed': {
      const p = event.payload as EventPayload<'salesOrderConfirmed'>;
      if (!p.quoteId || !p.flowInstanceId) return 0;
      const order = await getOrder(trx, p.orderId);
      const quote = await getQuote(trx, p.quoteId);
      return notify(trx, {
        ...base,
        template: 'sales.orderConfirmed',
        data: {
          orderNumber: p.number,
          quoteNumber: quote.number,
          customerName: order.customer.name,
          total: { amount: p.gross, currency: p.currency },
        },
        recipients: await starterOf(trx, p.flowInstanceId),
        link: `/sales/orders/${p.orderId}`,
      });
    }
    case 'sales.QuoteOrderFailed': {
      const p = event.payload as EventPayload<'quoteOrderFailed'>;
      return notify(trx, {
        ...base,
        template: 'sales.quoteOrderFailed',
        data: { quoteNumber: p.number, outcome: p.outcome, reason: p.reason },
        recipients: await starterOf(trx, p.flowInstanceId),
        link: `/sales/quotes/${p.quoteId}`,
      });
    }
    case 'inventory.StockLow': {
      const p = event.payload as EventPayload<'stockLow'>;
      return notify(trx, {
        ...base,
        template: 'inventory.stockLow',
        data: { sku: p.sku, uom: p.uom, available: p.available, reorderLevel: p.reorderLevel },
        recipients: (await activeUserIdsWithRole(trx, 'Inventory.Clerk')).map((userId) => ({ userId })),
        link: '/inventory/stock',
      });
    }
    default:
      return 0;
  }
}
