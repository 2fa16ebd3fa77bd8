/** Invoicing: each issued customer invoice as a tax invoice PDF, filed with the invoice and emailed to the customer. */
export { deliverIssuedInvoice } from './service.js';
export type { DeliveredInvoice, IssuedInvoice } from './service.js';
export { renderTaxInvoice } from './tax-invoice.js';
export type { TaxInvoiceData } from './tax-invoice.js';
