import { getDocument, getParty } from '../accounting/index.js';
import { adminService } from '../admin/index.js';
import { storeDocument } from '../documents/index.js';
import { notify } from '../notifications/index.js';
import type { AuditActor } from '../../platform/audit.js';
import type { Db } from '../../platform/db/database.js';
import { withTenant } from '../../platform/db/tenant.js';
import { renderTaxInvoice } from './tax-invoice.js';

export interface IssuedInvoice {
  tenantId: string;
  invoiceId: string;
}

export interface DeliveredInvoice {
  documentId: string;
  /** Whether the PDF was filed now (false: it was filed before, by an earlier delivery). */
  filed: boolean;
  /** The address the invoice is emailed to; null when the customer has none. */
  emailedTo: string | null;
}

/**
 * Renders an issued customer invoice as a tax invoice PDF, files it as a document of the invoice,
 * and emails it with the PDF attached when the customer has an email address. Safe to repeat for
 * the same invoice (a redelivered event, a retried step): the PDF is filed once (keyed by the
 * invoice) and the email queued once (keyed by the invoice), whatever happened before a crash.
 * Reading, filing and queueing are separate short steps: nothing holds a transaction while the
 * file is uploaded.
 */
export async function deliverIssuedInvoice(db: Db, issued: IssuedInvoice): Promise<DeliveredInvoice> {
  const { tenantId, invoiceId } = issued;
  const data = await withTenant(db, tenantId, async (trx) => {
    const tenant = await adminService.getTenant(trx);
    const invoice = await getDocument(trx, 'invoice', invoiceId);
    if (!invoice.partyId) throw new Error(`Invoice ${invoiceId} has no customer.`);
    const buyer = await getParty(trx, 'customer', invoice.partyId);
    return { tenant, invoice, buyer };
  });
  const { tenant, invoice, buyer } = data;
  if (invoice.status === 'draft') throw new Error(`Invoice ${invoiceId} is not issued.`);
  const bytes = await renderTaxInvoice({
    seller: { name: tenant.name, profile: tenant.companyProfile },
    buyer,
    invoice,
    baseCurrency: tenant.baseCurrency,
    locale: tenant.locale,
  });
  const actor: AuditActor = { tenantId, objectId: 'system:invoicing', name: 'Invoicing' };
  const stored = await storeDocument(db, {
    tenantId,
    recordType: 'invoice',
    recordId: invoiceId,
    fileName: `${invoice.number ?? invoiceId}.pdf`,
    contentType: 'application/pdf',
    bytes,
    actor,
    idempotencyKey: `tax-invoice:${invoiceId}`,
  });
  const email = buyer.email;
  if (email)
    await withTenant(db, tenantId, (trx) =>
      notify(trx, {
        tenantId,
        key: `invoice-issued:${invoiceId}`,
        template: 'invoice.issued',
        recipients: [{ email, name: buyer.name }],
        channels: ['email'],
        locale: tenant.locale,
        data: {
          invoiceNumber: invoice.number,
          customerName: buyer.name,
          total: invoice.gross,
          dueDate: invoice.dueDate,
          sellerName: tenant.companyProfile.legalName ?? tenant.name,
        },
        attachments: [{ documentId: stored.id }],
      }),
    );
  return { documentId: stored.id, filed: stored.created, emailedTo: email };
}
