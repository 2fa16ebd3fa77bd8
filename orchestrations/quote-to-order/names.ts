/** Function names of the quote-to-order flow: constants, because renaming one breaks running instances. */
export { QUOTE_TO_ORDER } from '../../shared/modules/sales/index.js';
export const VALIDATE_ACTIVITY = 'quote-to-order-validate';
export const CREDIT_CHECK_ACTIVITY = 'quote-to-order-credit-check';
export const RESERVE_ACTIVITY = 'quote-to-order-reserve-stock';
export const REQUEST_APPROVAL_ACTIVITY = 'quote-to-order-request-approval';
export const ESCALATE_APPROVAL_ACTIVITY = 'quote-to-order-escalate-approval';
export const EXPIRE_APPROVAL_ACTIVITY = 'quote-to-order-expire-approval';
export const CREATE_ORDER_ACTIVITY = 'quote-to-order-create-order';
export const ABANDON_ACTIVITY = 'quote-to-order-abandon';

/** After this long without a decision the approvers are reminded (escalation). */
export const APPROVAL_REMINDER_HOURS = 24;
/** After this long without a decision the request expires and the reservations are released. */
export const APPROVAL_EXPIRY_HOURS = 72;
