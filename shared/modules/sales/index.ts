/** Sales: quotes, orders (from accepted quotes through the quote-to-order flow, or entered directly), deliveries and invoicing. */
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
  placeOrder,
  deliverOrder,
  invoiceOrder,
  cancelOrder,
  getOrder,
  getDelivery,
  listOrders,
} from './orders.js';
export type {
  OrderCandidate,
  Validation,
  CreditCheck,
  ReservationOutcome,
  OrderPlacement,
} from './orders.js';
export { salesErrors } from './errors.js';
export * from './schemas.js';
export type { QuoteStatus, OrderStatus } from './tables.js';
