import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Item, Warehouse } from '../../api/types';
import { renderWithApp, type Handler } from '../../test/render';
import { StockDocumentForm } from './StockDocumentForm';

const warehouse = (code: string, n: number): Warehouse => ({
  id: `6f1c1f8e-0000-4000-8000-0000000000f${n}`,
  code,
  name: `${code} store`,
  kind: 'warehouse',
  active: true,
  version: 1,
});
const warehouses = [warehouse('MAIN', 1), warehouse('CPT-YARD', 2)];

const cement: Item = {
  id: '6f1c1f8e-0000-4000-8000-0000000000a1',
  sku: 'CEM-50',
  name: 'Cement 50 kg',
  description: null,
  uom: 'bag',
  kind: 'stock',
  salesPrice: { amount: '119.00', currency: 'ZAR' },
  taxCode: 'VAT15',
  reorderLevel: '200',
  active: true,
  version: 1,
};

const items: Handler = (method, url) =>
  method === 'GET' && url.pathname === '/api/v1/inventory/items'
    ? { body: { items: [cement], nextCursor: null } }
    : undefined;

/** Picks the cement on a line through the item search, as a user does. */
async function pickCement(line: number, calls: { url: URL }[], search = 'CEM') {
  const picker = screen.getByRole('combobox', { name: `Item, line ${line}` });
  const before = calls.length;
  fireEvent.change(picker, { target: { value: search } });
  // The search waits for typing to pause, then lists the matches afresh.
  await waitFor(() =>
    expect(calls.slice(before).some((c) => c.url.searchParams.get('search') === search)).toBe(true),
  );
  fireEvent.click(await screen.findByRole('option', { name: 'CEM-50 · Cement 50 kg' }, { timeout: 3000 }));
  await waitFor(() => expect((picker as HTMLInputElement).value).toBe('CEM-50 · Cement 50 kg'));
}

const digits = (testId: string) => screen.getByTestId(testId).textContent?.replace(/[^\d,]/g, '');

describe('StockDocumentForm', () => {
  it('receives goods: lines of SKU, quantity and unit cost into a warehouse, valued live', async () => {
    const handler: Handler = (method, url, body) => {
      if (method === 'POST' && url.pathname === '/api/v1/inventory/receipts')
        return { status: 201, body: { ...(body as object), id: '6f1c1f8e-0000-4000-8000-0000000000d1' } };
      return items(method, url, body);
    };
    const { calls } = renderWithApp(
      <StockDocumentForm kind="receipt" warehouses={warehouses} baseCurrency="ZAR" />,
      {
        handler,
        roles: ['Inventory.Clerk'],
      },
    );
    expect(screen.getByRole('combobox', { name: /^Warehouse/ }).textContent).toContain('MAIN');
    await pickCement(1, calls);
    fireEvent.change(screen.getByLabelText('Quantity, line 1'), { target: { value: '10' } });
    fireEvent.change(screen.getByLabelText('Unit cost, line 1'), { target: { value: '92.505' } });
    expect(digits('line-0-value')).toBe('925,05');
    fireEvent.change(screen.getByLabelText(/^Delivery note or invoice/), { target: { value: 'PPC 88123' } });

    fireEvent.click(screen.getByRole('button', { name: 'Add line' }));
    await pickCement(2, calls, 'CEM-50');
    fireEvent.change(screen.getByLabelText('Quantity, line 2'), { target: { value: '2.5' } });
    fireEvent.change(screen.getByLabelText('Unit cost, line 2'), { target: { value: '90' } });
    expect(digits('receipt-total')).toBe('1150,05');

    fireEvent.click(screen.getByRole('button', { name: 'Receive the goods' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({
      warehouse: 'MAIN',
      reference: 'PPC 88123',
      lines: [
        { item: 'CEM-50', quantity: '10', unitCost: { amount: '92.505', currency: 'ZAR' } },
        { item: 'CEM-50', quantity: '2.5', unitCost: { amount: '90', currency: 'ZAR' } },
      ],
    });
    expect(post?.headers['Idempotency-Key']).toBeTruthy();
  });

  it('marks what is missing instead of posting an incomplete receipt', async () => {
    const { calls } = renderWithApp(
      <StockDocumentForm kind="receipt" warehouses={warehouses} baseCurrency="ZAR" />,
      {
        handler: items,
        roles: ['Inventory.Clerk'],
      },
    );
    fireEvent.change(screen.getByLabelText('Quantity, line 1'), { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Receive the goods' }));
    expect(await screen.findByText('Required')).toBeTruthy(); // the item
    expect(screen.getAllByText('A number greater than zero')).toHaveLength(2); // quantity, unit cost
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('shows the server refusal on the line it names', async () => {
    const handler: Handler = (method, url, body) =>
      method === 'POST'
        ? {
            status: 400,
            body: {
              status: 400,
              title: 'Bad Request',
              detail: 'The request is not valid.',
              errors: [{ path: 'body.lines.0.item', message: 'No active stock item CEM-50' }],
            },
          }
        : items(method, url, body);
    const { calls } = renderWithApp(
      <StockDocumentForm kind="receipt" warehouses={warehouses} baseCurrency="ZAR" />,
      { handler, roles: ['Inventory.Clerk'] },
    );
    await pickCement(1, calls);
    fireEvent.change(screen.getByLabelText('Quantity, line 1'), { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText('Unit cost, line 1'), { target: { value: '1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Receive the goods' }));
    expect(await screen.findByText('No active stock item CEM-50')).toBeTruthy();
    expect(screen.getByText(/1 field needs attention/)).toBeTruthy();
  });

  it('moves stock between two different warehouses', async () => {
    const handler: Handler = (method, url, body) =>
      method === 'POST' ? { status: 201, body: { ...(body as object), id: 'x' } } : items(method, url, body);
    const { calls } = renderWithApp(
      <StockDocumentForm kind="transfer" warehouses={warehouses} baseCurrency="ZAR" />,
      {
        handler,
        roles: ['Inventory.Clerk'],
      },
    );
    const choose = async (label: RegExp, code: string) => {
      fireEvent.click(screen.getByRole('combobox', { name: label }));
      fireEvent.click(await screen.findByRole('option', { name: `${code} · ${code} store` }));
    };
    await choose(/^From warehouse/, 'MAIN');
    await choose(/^To warehouse/, 'MAIN');
    await pickCement(1, calls);
    fireEvent.change(screen.getByLabelText('Quantity, line 1'), { target: { value: '40' } });
    fireEvent.click(screen.getByRole('button', { name: 'Move the stock' }));
    expect(await screen.findByText('Choose a warehouse other than the one the stock leaves')).toBeTruthy();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await choose(/^To warehouse/, 'CPT-YARD');
    fireEvent.click(screen.getByRole('button', { name: 'Move the stock' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url.pathname).toBe('/api/v1/inventory/transfers');
    expect(post?.body).toEqual({ from: 'MAIN', to: 'CPT-YARD', lines: [{ item: 'CEM-50', quantity: '40' }] });
  });
});
