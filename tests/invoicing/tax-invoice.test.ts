/**
 * Issuing a customer invoice files a tax invoice PDF with the invoice and emails it to the
 * customer, once, even when the event is delivered twice; the PDF carries what a tax invoice must.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDevhost, type Api } from '../support/devhost.js';
import { createParty, issuedDocument, line } from '../accounting/trade-helpers.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
let clerk: Api;

async function pdfText(bytes: Buffer): Promise<{ pages: number; text: string }> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  const result = await parser.getText();
  await parser.destroy();
  return { pages: result.total, text: result.text.replace(/\s+/g, ' ') };
}

async function documentsOf(invoiceId: string): Promise<any[]> {
  const response = await clerk.get(`/api/v1/documents?recordType=invoice&recordId=${invoiceId}`);
  expect(response.status, response.text).toBe(200);
  return response.body.items;
}

async function settled() {
  await devhost.settle();
  await devhost.timers.fire('notifications-email-delivery');
  await devhost.settle();
}

beforeAll(async () => {
  clerk = await devhost.as('demo', 'fiona', ['Finance.Clerk']);
});

describe('an issued invoice', () => {
  let invoice: any;

  beforeAll(async () => {
    const customer = await createParty(clerk, 'customers', 'BUILDCO', {
      name: 'BuildCo Contractors (Pty) Ltd',
      email: 'accounts@buildco.example',
      taxNumber: '4987654321',
      billingAddress: { line1: '5 Quarry Road', city: 'Durban', postalCode: '4001', country: 'ZA' },
    });
    invoice = await issuedDocument(clerk, 'invoices', {
      issueDate: '2026-11-20',
      customerId: customer.id,
      reference: 'PO-7781',
      lines: [
        line({
          account: '4000',
          description: 'Clay bricks, 1000',
          quantity: '12',
          unitPrice: '2400.00',
          taxCode: 'VAT15',
        }),
        line({ account: '4200', description: 'Delivery to site', unitPrice: '850.50', taxCode: 'VAT15' }),
      ],
    });
    await settled();
  });

  it('is filed once as a tax invoice PDF and emailed once with it attached', async () => {
    const documents = await documentsOf(invoice.id);
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ fileName: `${invoice.number}.pdf`, contentType: 'application/pdf' });
    const mail = devhost.mail.messages('accounts@buildco.example');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain(invoice.number);
    expect(mail[0]!.attachments).toHaveLength(1);
    expect(mail[0]!.attachments[0]).toMatchObject({
      name: `${invoice.number}.pdf`,
      contentType: 'application/pdf',
    });
  });

  it('carries what a tax invoice must', async () => {
    const mail = devhost.mail.messages('accounts@buildco.example')[0]!;
    const { pages, text } = await pdfText(Buffer.from(mail.attachments[0]!.contentBase64, 'base64'));
    expect(pages).toBe(1);
    expect(text).toContain('TAX INVOICE');
    // Seller: name, address, VAT and registration numbers, bank details.
    expect(text).toContain('Demo Construction (Pty) Ltd');
    expect(text).toContain('VAT no. 4123456789');
    expect(text).toContain('12 Brick Lane');
    expect(text).toContain('First National Bank');
    expect(text).toContain('62812345678');
    // Buyer, number, dates, reference.
    expect(text).toContain('BuildCo Contractors (Pty) Ltd');
    expect(text).toContain('VAT no. 4987654321');
    expect(text).toContain('5 Quarry Road');
    expect(text).toContain(invoice.number);
    expect(text).toContain('20 Nov 2026');
    expect(text).toContain('PO-7781');
    // Lines, the VAT per rate and the totals, exactly: 28 800,00 + 850,50 = 29 650,50; VAT 4 447,58.
    expect(invoice.net.amount).toBe('29650.50');
    expect(invoice.tax.amount).toBe('4447.58');
    expect(invoice.gross.amount).toBe('34098.08');
    expect(text).toContain('Clay bricks, 1000');
    expect(text).toContain('28 800,00');
    expect(text).toContain('29 650,50');
    expect(text).toContain('4 447,58');
    expect(text).toContain('ZAR 34 098,08');
    expect(text).toContain('Page 1 of 1');
  });

  it('changes nothing when the event is delivered again', async () => {
    const event = (
      await sql<{
        id: string;
        type: string;
        version: number;
        tenant_id: string;
        occurred_at: Date;
        payload: unknown;
      }>`
        select id, type, version, tenant_id, occurred_at, payload from outbox
        where type = 'accounting.InvoiceIssued' and payload->>'invoiceId' = ${invoice.id}`.execute(devhost.db)
    ).rows[0]!;
    const envelope = {
      id: event.id,
      type: event.type,
      version: event.version,
      tenantId: event.tenant_id,
      occurredAt: new Date(event.occurred_at).toISOString(),
      payload: event.payload,
    };
    // A new message id gets past Service Bus duplicate detection: only the invoicing keys stand in the way.
    await devhost.bus.send('erp-events', [
      { messageId: randomUUID(), subject: event.type, body: envelope, contentType: 'application/json' },
      { messageId: randomUUID(), subject: event.type, body: envelope, contentType: 'application/json' },
    ]);
    await settled();
    expect(await documentsOf(invoice.id)).toHaveLength(1);
    expect(devhost.mail.messages('accounts@buildco.example')).toHaveLength(1);
  });

  it('is filed but not emailed when the customer has no address', async () => {
    const customer = await createParty(clerk, 'customers', 'NOMAIL');
    const quiet = await issuedDocument(clerk, 'invoices', {
      issueDate: '2026-11-21',
      customerId: customer.id,
      lines: [line({ account: '4000', unitPrice: '100.00', taxCode: 'VAT15' })],
    });
    await settled();
    expect(await documentsOf(quiet.id)).toHaveLength(1);
    expect(devhost.mail.messages().filter((m) => m.subject.includes(quiet.number))).toEqual([]);
  });
});

describe('an invoice in another currency', () => {
  it('states the VAT in the base currency at the invoice rate', async () => {
    const rate = await clerk.post('/api/v1/accounting/exchange-rates', {
      currency: 'EUR',
      date: '2026-11-01',
      rate: '20',
    });
    expect(rate.status, rate.text).toBe(201);
    const customer = await createParty(clerk, 'customers', 'EUROBUILD', {
      currency: 'EUR',
      email: 'ap@eurobuild.example',
    });
    const invoice = await issuedDocument(clerk, 'invoices', {
      issueDate: '2026-11-20',
      customerId: customer.id,
      lines: [line({ account: '4000', unitPrice: '1000.00', taxCode: 'VAT15' })],
    });
    await settled();
    expect(invoice.baseGross).toEqual({ amount: '23000.00', currency: 'ZAR' });
    const mail = devhost.mail.messages('ap@eurobuild.example');
    expect(mail).toHaveLength(1);
    const { text } = await pdfText(Buffer.from(mail[0]!.attachments[0]!.contentBase64, 'base64'));
    expect(text).toContain('EUR 1 150,00');
    // 150,00 EUR of VAT at 20 is R 3 000,00; the total R 23 000,00.
    expect(text).toContain('VAT in ZAR at 20: 3 000,00 (total 23 000,00)');
  });
});
