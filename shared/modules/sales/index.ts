/** Sales: quotes, the orders accepted quotes become through the quote-to-order flow, deliveries and invoicing. */
import './tables.js';

export {
  QUOTE_TO_ORDER,
  QUOTE_VALIDITY_DAYS,
  createQuote,
  changeQuote,
  sendQuote,
  rejectQuote,
  acceptQuote,
  expireQuotes,
  getQuote,
  listQuotes,
} from './quotes.js';
export {
  RESERVATION_TYPE,
  validateForOrder,
  creditCheck,
  reserveForQuote,
  abandonQuoteOrder,
  createOrderFromQuote,
  deliverOrder,
  invoiceOrder,
  cancelOrder,
  getOrder,
  getDelivery,
  listOrders,
} from './orders.js';
export type { OrderCandidate, Validation, CreditCheck, ReservationOutcome } from './orders.js';
export { salesErrors } from './errors.js';
export * from './schemas.js';
export type { QuoteStatus, OrderStatus } from './tables.js';
