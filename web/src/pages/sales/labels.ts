import { defineMessages } from 'react-intl';
import type { OrderStatus, QuoteStatus } from '../../api/types';

export const quoteStatusLabels = defineMessages<QuoteStatus>({
  draft: { id: 'quote.status.draft', defaultMessage: 'Draft' },
  sent: { id: 'quote.status.sent', defaultMessage: 'Sent' },
  accepted: { id: 'quote.status.accepted', defaultMessage: 'Accepted' },
  ordered: { id: 'quote.status.ordered', defaultMessage: 'Ordered' },
  rejected: { id: 'quote.status.rejected', defaultMessage: 'Rejected' },
  expired: { id: 'quote.status.expired', defaultMessage: 'Expired' },
});

export const orderStatusLabels = defineMessages<OrderStatus>({
  confirmed: { id: 'order.status.confirmed', defaultMessage: 'Confirmed' },
  partially_delivered: { id: 'order.status.partiallyDelivered', defaultMessage: 'Partly delivered' },
  delivered: { id: 'order.status.delivered', defaultMessage: 'Delivered' },
  invoiced: { id: 'order.status.invoiced', defaultMessage: 'Invoiced' },
  cancelled: { id: 'order.status.cancelled', defaultMessage: 'Cancelled' },
});

/** The steps of the quote-to-order flow (its custom status). */
export const flowStepLabels = defineMessages({
  'validating-quote': { id: 'flow.step.validating', defaultMessage: 'Checking the quote' },
  'checking-credit': { id: 'flow.step.credit', defaultMessage: 'Checking the customer’s credit' },
  'reserving-stock': { id: 'flow.step.reserving', defaultMessage: 'Reserving stock' },
  'requesting-approval': {
    id: 'flow.step.requestingApproval',
    defaultMessage: 'Asking finance for approval',
  },
  'awaiting-approval': { id: 'flow.step.awaitingApproval', defaultMessage: 'Waiting for finance to approve' },
  'creating-order': { id: 'flow.step.creatingOrder', defaultMessage: 'Creating the sales order' },
  'releasing-stock': { id: 'flow.step.releasing', defaultMessage: 'Releasing the reserved stock' },
  completed: { id: 'flow.step.completed', defaultMessage: 'The order is made' },
  ended: { id: 'flow.step.ended', defaultMessage: 'Ended without an order' },
  starting: { id: 'flow.step.starting', defaultMessage: 'Starting' },
});

export const flowOutcomeLabels = defineMessages({
  invalid: { id: 'flow.outcome.invalid', defaultMessage: 'The quote could not become an order' },
  stock_short: { id: 'flow.outcome.stockShort', defaultMessage: 'Not enough stock' },
  rejected: { id: 'flow.outcome.rejected', defaultMessage: 'Finance rejected the order' },
  expired: { id: 'flow.outcome.expired', defaultMessage: 'Nobody decided in time' },
});
