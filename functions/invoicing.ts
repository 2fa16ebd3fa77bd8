/**
 * Invoicing: when a customer invoice is issued, its tax invoice PDF is filed with the invoice and
 * emailed to the customer (with the PDF attached) if the customer has an email address.
 */
import { deliverIssuedInvoice } from '../shared/modules/invoicing/index.js';
import { nudgeEmailDelivery } from '../shared/modules/notifications/index.js';
import { primaryDb } from '../shared/platform/db/database.js';
import { defineConsumer } from '../shared/platform/events/consumer.js';
import { nudgeOutboxRelay } from '../shared/platform/events/relay-trigger.js';

defineConsumer({
  name: 'invoicing-tax-invoice',
  subscription: 'invoicing',
  eventTypes: ['accounting.InvoiceIssued'],
  // Filing uploads a file: outside any transaction, and idempotent by the invoice itself.
  handleOutsideTransaction: async (event, { invocation }) => {
    const { invoiceId } = event.payload as { invoiceId: string };
    const delivered = await deliverIssuedInvoice(primaryDb(), { tenantId: event.tenantId, invoiceId });
    nudgeOutboxRelay();
    nudgeEmailDelivery();
    invocation.log(
      `tax invoice ${delivered.documentId} for invoice ${invoiceId}${delivered.filed ? ' filed' : ' already filed'}${delivered.emailedTo ? ', emailed' : ''}`,
    );
  },
});
