import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Quote } from '../../api/types';
import { renderWithApp, type Handler } from '../../test/render';
import { QuoteEditor } from './QuoteEditor';

const money = (amount: string) => ({ amount, currency: 'ZAR' });

const draft: Quote = {
  id: '6f1c1f8e-0000-4000-8000-000000000001',
  number: 'QU-2026-000042',
  status: 'draft',
  customer: { id: '6f1c1f8e-0000-4000-8000-0000000000c1', code: 'C001', name: 'Karoo Builders' },
  currency: 'ZAR',
  quoteDate: '2026-11-20',
  validUntil: '2026-12-20',
  reference: null,
  notes: null,
  lines: [
    {
      lineNo: 1,
      itemId: '6f1c1f8e-0000-4000-8000-0000000000a1',
      sku: 'CEM-50',
      uom: 'bag',
      warehouseId: '6f1c1f8e-0000-4000-8000-0000000000f1',
      warehouseCode: 'MAIN',
      description: 'Cement 50 kg',
      quantity: '2',
      unitPrice: money('100.00'),
      discountPercent: '0',
      taxCode: 'VAT15',
      taxRate: '15',
      net: money('200.00'),
    },
    {
      lineNo: 2,
      itemId: '6f1c1f8e-0000-4000-8000-0000000000a2',
      sku: 'SVC-DEL',
      uom: 'ea',
      warehouseId: null,
      warehouseCode: null,
      description: 'Delivery',
      quantity: '1',
      unitPrice: money('50.005'),
      discountPercent: '10',
      taxCode: 'VAT15',
      taxRate: '15',
      net: money('45.00'),
    },
  ],
  taxes: [{ taxCode: 'VAT15', rate: '15', net: money('245.00'), tax: money('36.75') }],
  net: money('245.00'),
  tax: money('36.75'),
  gross: money('281.75'),
  flow: null,
  outcome: null,
  orderId: null,
  createdBy: 'alice',
  version: 3,
  createdAt: '2026-11-20T08:00:00Z',
  updatedAt: '2026-11-20T08:00:00Z',
};

const handler: Handler = (method, url) => {
  if (url.pathname === '/api/v1/accounting/tax-codes')
    return {
      body: {
        items: [
          { code: 'VAT15', rate: '15' },
          { code: 'ZERO', rate: '0' },
        ],
        nextCursor: null,
      },
    };
  if (url.pathname === '/api/v1/inventory/warehouses')
    return {
      body: {
        items: [
          {
            id: draft.lines[0]!.warehouseId,
            code: 'MAIN',
            name: 'Main store',
            kind: 'warehouse',
            active: true,
            version: 1,
          },
        ],
        nextCursor: null,
      },
    };
  if (method === 'PATCH' && url.pathname === `/api/v1/sales/quotes/${draft.id}`)
    return { status: 412, body: { status: 412, title: 'Precondition Failed', detail: 'stale' } };
  return undefined;
};

/** Digits and the decimal comma of an en-ZA amount, without the currency sign and spaces. */
const amountText = (testId: string) => screen.getByTestId(testId).textContent?.replace(/[^\d,]/g, '');

describe('QuoteEditor', () => {
  it('computes the totals live, rounding like the server', async () => {
    renderWithApp(<QuoteEditor quote={draft} baseCurrency="ZAR" />, { handler });
    await waitFor(() => expect(amountText('total-gross')).toBe('281,75'));
    expect(amountText('line-1-net')).toBe('45,00'); // 50.005 less 10 % = 45.0045 → 45.00
    expect(amountText('total-net')).toBe('245,00');

    fireEvent.change(screen.getByLabelText('Quantity, line 1'), { target: { value: '3' } });
    expect(amountText('line-0-net')).toBe('300,00');
    expect(amountText('total-net')).toBe('345,00');
    expect(amountText('total-gross')).toBe('396,75'); // VAT 51.75
    expect(screen.getByText('Unsaved changes')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Discount %, line 1'), { target: { value: '12.5' } });
    // 300 less 12.5 % = 262.50; + 45.00 = 307.50; VAT 46.125 → 46.13 (half up)
    expect(amountText('total-net')).toBe('307,50');
    expect(amountText('total-gross')).toBe('353,63');
  });

  it('shows a field message instead of sending an invalid quantity', async () => {
    const { calls } = renderWithApp(<QuoteEditor quote={draft} baseCurrency="ZAR" />, { handler });
    fireEvent.change(screen.getByLabelText('Quantity, line 2'), { target: { value: '0' } });
    expect(amountText('line-1-net')).toBe('0,00');
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    expect(await screen.findByText('A number greater than zero')).toBeTruthy();
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('explains a conflict when someone else changed the quote', async () => {
    const { calls } = renderWithApp(<QuoteEditor quote={draft} baseCurrency="ZAR" />, { handler });
    fireEvent.change(screen.getByLabelText('Quantity, line 1'), { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    expect(await screen.findByText(/Someone else changed this record/)).toBeTruthy();
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.headers['If-Match']).toBe('"3"');
    expect(patch?.body).toMatchObject({
      lines: [{ quantity: '5', warehouseId: draft.lines[0]!.warehouseId }, { quantity: '1' }],
    });
  });

  it('asks why the customer declined and sends the reason', async () => {
    const reject: Handler = (method, url, body) =>
      method === 'POST' && url.pathname === `/api/v1/sales/quotes/${draft.id}/reject`
        ? { body: { ...draft, status: 'rejected', version: 4, notes: (body as { reason: string }).reason } }
        : handler(method, url, body);
    const { calls } = renderWithApp(<QuoteEditor quote={draft} baseCurrency="ZAR" />, { handler: reject });
    fireEvent.click(screen.getByRole('button', { name: 'Customer declined' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Mark as declined' }));
    expect(await screen.findByText('Required')).toBeTruthy();
    expect(calls.some((c) => c.url.pathname.endsWith('/reject'))).toBe(false);
    fireEvent.change(screen.getByLabelText(/Why did the customer decline/), {
      target: { value: 'Went with a supplier closer to site' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Mark as declined' }));
    await waitFor(() => expect(calls.some((c) => c.url.pathname.endsWith('/reject'))).toBe(true));
    const post = calls.find((c) => c.url.pathname.endsWith('/reject'));
    expect(post?.body).toEqual({ reason: 'Went with a supplier closer to site' });
    expect(post?.headers['If-Match']).toBe('"3"');
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('enters an order directly with the same form, without a validity or notes', async () => {
    const { calls } = renderWithApp(<QuoteEditor quote={undefined} baseCurrency="ZAR" mode="order" />, {
      handler,
    });
    expect(screen.getByRole('heading', { name: 'New order' })).toBeTruthy();
    expect(screen.queryByLabelText('Valid until')).toBeNull();
    expect(screen.queryByLabelText('Notes')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Save draft' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Place order' }));
    expect((await screen.findAllByText('Required')).length).toBeGreaterThan(0);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });
});
