import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { textOf } from '../test/blob';
import { renderWithApp, type Handler } from '../test/render';
import { DocumentsPanel } from './DocumentsPanel';
import type { StoredDocument } from './documents.types';

const QUOTE_ID = '6f1c1f8e-0000-4000-8000-0000000000a1';
const INVOICE_ID = '6f1c1f8e-0000-4000-8000-0000000000b1';

const stored = (over: Partial<StoredDocument> = {}): StoredDocument => ({
  id: '6f1c1f8e-0000-4000-8000-0000000000d1',
  recordType: 'quote',
  recordId: QUOTE_ID,
  fileName: 'site-plan.pdf',
  contentType: 'application/pdf',
  sizeBytes: 250 * 1024,
  sha256: 'ab',
  status: 'available',
  rejection: null,
  uploadedBy: { objectId: 'u1', name: 'Thandi Mokoena' },
  createdAt: '2026-03-02T08:15:00Z',
  availableAt: '2026-03-02T08:15:01Z',
  deletedAt: null,
  deletedBy: null,
  version: 3,
  ...over,
});

/** The documents API over one record's list; `upload` and `remove` answer the changes. */
function documentsApi(options: {
  items: StoredDocument[];
  upload?: () => { status: number; body: unknown };
  remove?: () => { status: number; body: unknown };
}): Handler {
  return (method, url) => {
    if (url.pathname === '/api/v1/documents' && method === 'GET')
      return { body: { items: options.items, nextCursor: null } };
    if (url.pathname === '/api/v1/documents' && method === 'POST')
      return options.upload?.() ?? { status: 201, body: stored({ id: 'new' }) };
    const download = url.pathname.match(/^\/api\/v1\/documents\/([^/]+)\/download$/);
    if (download && method === 'GET')
      return {
        body: {
          url: `https://blob.example/documents/${download[1]}?sig=abc`,
          expiresAt: '2026-03-02T08:20:00Z',
        },
      };
    if (url.pathname.startsWith('/api/v1/documents/') && method === 'DELETE')
      return options.remove?.() ?? { status: 204, body: null };
    return undefined;
  };
}

describe('DocumentsPanel', () => {
  it("lists the record's documents with their type, size and who attached them", async () => {
    const { calls } = renderWithApp(<DocumentsPanel recordType="quote" recordId={QUOTE_ID} />, {
      handler: documentsApi({
        items: [
          stored(),
          stored({
            id: 'd2',
            fileName: 'prices.xlsx',
            contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            sizeBytes: 3 * 1024 * 1024,
          }),
        ],
      }),
    });

    const table = await screen.findByRole('table', { name: 'Documents' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]!.textContent).toContain('site-plan.pdf');
    expect(rows[1]!.textContent).toContain('PDF');
    expect(rows[1]!.textContent).toContain('250 kB');
    expect(rows[1]!.textContent).toContain('Thandi Mokoena');
    expect(rows[2]!.textContent).toContain('Excel workbook');
    expect(rows[2]!.textContent).toContain('3 MB');
    const list = calls.find((c) => c.method === 'GET');
    expect(Object.fromEntries(list!.url.searchParams)).toMatchObject({
      recordType: 'quote',
      recordId: QUOTE_ID,
    });
    // A sales rep may change quotes, so may attach and delete.
    expect(screen.getByRole('button', { name: 'Attach files' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Delete site-plan.pdf' })).toBeTruthy();
  });

  it("uploads a chosen file's bytes with the record and the file name in the query, then lists again", async () => {
    const { calls } = renderWithApp(<DocumentsPanel recordType="quote" recordId={QUOTE_ID} />, {
      handler: documentsApi({ items: [] }),
    });
    expect(await screen.findByText('No documents attached yet.')).toBeTruthy();
    const file = new File(['%PDF-1.4 drawing'], 'drawing.pdf', { type: 'application/pdf' });

    fireEvent.change(screen.getByLabelText('Files to attach to Documents'), { target: { files: [file] } });

    await waitFor(() => expect(calls.filter((c) => c.method === 'GET')).toHaveLength(2));
    const upload = calls.find((c) => c.method === 'POST');
    expect(upload!.url.pathname).toBe('/api/v1/documents');
    expect(Object.fromEntries(upload!.url.searchParams)).toEqual({
      recordType: 'quote',
      recordId: QUOTE_ID,
      fileName: 'drawing.pdf',
    });
    expect(upload!.headers['Content-Type']).toBe('application/pdf');
    expect(upload!.headers['Idempotency-Key']).toBeTruthy();
    expect(upload!.body).toBe(file);
    expect(await textOf(upload!.body as Blob)).toBe('%PDF-1.4 drawing');
  });

  it('says why a file was refused: a type the server does not accept (415) or too large (413)', async () => {
    let status = 415;
    renderWithApp(<DocumentsPanel recordType="quote" recordId={QUOTE_ID} />, {
      handler: documentsApi({
        items: [],
        upload: () => ({
          status,
          body: {
            status,
            title: status === 415 ? 'Unsupported Media Type' : 'Content Too Large',
            detail: 'refused',
            code: status === 415 ? 'documents.type_refused' : 'platform.body_too_large',
          },
        }),
      }),
    });
    const input = await screen.findByLabelText('Files to attach to Documents');

    fireEvent.change(input, {
      target: { files: [new File(['<svg/>'], 'logo.svg', { type: 'image/svg+xml' })] },
    });
    expect(await screen.findByText(/“logo\.svg” is not a kind of file that can be attached/)).toBeTruthy();
    expect(screen.getByText('A file was not attached')).toBeTruthy();

    status = 413;
    fireEvent.change(input, { target: { files: [new File(['x'], 'scan.tiff', { type: 'image/tiff' })] } });
    expect(await screen.findByText(/“scan\.tiff” is too large to attach/)).toBeTruthy();
    expect(screen.queryByText(/logo\.svg/)).toBeNull();
  });

  it('downloads through the download route and opens the link it gives', async () => {
    const opened: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      opened.push({ href: this.href, download: this.download });
    });
    const { calls } = renderWithApp(<DocumentsPanel recordType="quote" recordId={QUOTE_ID} />, {
      handler: documentsApi({ items: [stored()] }),
      roles: ['Auditor'],
    });

    fireEvent.click(await screen.findByRole('button', { name: 'Download site-plan.pdf' }));

    await waitFor(() => expect(opened).toHaveLength(1));
    expect(calls.at(-1)!.url.pathname).toBe(`/api/v1/documents/${stored().id}/download`);
    expect(opened[0]).toEqual({
      href: `https://blob.example/documents/${stored().id}?sig=abc`,
      download: 'site-plan.pdf',
    });
    // An auditor reads, and changes nothing.
    expect(screen.queryByRole('button', { name: 'Attach files' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete site-plan.pdf' })).toBeNull();
  });

  it('deletes after a confirmation, with the version read as If-Match', async () => {
    let items = [stored()];
    const { calls } = renderWithApp(<DocumentsPanel recordType="quote" recordId={QUOTE_ID} />, {
      handler: documentsApi({
        get items() {
          return items;
        },
        remove: () => {
          items = [];
          return { status: 204, body: null };
        },
      }),
    });

    fireEvent.click(await screen.findByRole('button', { name: 'Delete site-plan.pdf' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('“site-plan.pdf” leaves this record');
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));

    expect(await screen.findByText('No documents attached yet.')).toBeTruthy();
    const remove = calls.find((c) => c.method === 'DELETE');
    expect(remove!.url.pathname).toBe(`/api/v1/documents/${stored().id}`);
    expect(remove!.headers['If-Match']).toBe('"3"');
  });

  it("marks the tax invoice filed by invoicing, and shows nothing to whoever may not read invoices' files", async () => {
    const taxInvoice = stored({
      recordType: 'invoice',
      recordId: INVOICE_ID,
      fileName: 'INV-2026-000012.pdf',
      uploadedBy: { objectId: 'system:invoicing', name: 'Invoicing' },
    });
    renderWithApp(<DocumentsPanel recordType="invoice" recordId={INVOICE_ID} />, {
      handler: documentsApi({ items: [taxInvoice] }),
      roles: ['Finance.Approver'],
    });
    expect(await screen.findByText('Tax invoice')).toBeTruthy();

    const { calls, container } = renderWithApp(
      <DocumentsPanel recordType="invoice" recordId={INVOICE_ID} />,
      { handler: documentsApi({ items: [taxInvoice] }), roles: ['Sales.Rep'] },
    );
    expect(container.querySelector('section')).toBeNull();
    expect(calls).toHaveLength(0);
  });
});
