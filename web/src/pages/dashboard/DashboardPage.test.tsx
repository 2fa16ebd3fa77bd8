import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp, type Handler } from '../../test/render';
import { DashboardPage } from './DashboardPage';

const tenant = {
  id: 't',
  slug: 'demo',
  name: 'Demo',
  baseCurrency: 'ZAR',
  locale: 'en-ZA',
  timeZone: 'Africa/Johannesburg',
  approvalThreshold: { amount: '100000.00', currency: 'ZAR' },
  version: 1,
};
const buckets = (current: string, late: string) => ({
  current,
  days1To30: late,
  days31To60: '0',
  days61To90: '0',
  over90: '0.0018',
  total: String(Number(current) + Number(late) + 0.0018),
});
const order = (status: string, amount: string, orderDate: string) => ({
  id: `${status}-${amount}`,
  status,
  orderDate,
  gross: { amount, currency: 'ZAR' },
});

const handler: Handler = (_method, url) => {
  const q = url.searchParams;
  switch (url.pathname) {
    case '/api/v1/admin/tenant':
      return { body: tenant };
    case '/api/v1/sales/orders':
      if (q.get('status') === 'confirmed')
        return { body: { items: [order('confirmed', '100.10', '2000-01-01')], nextCursor: null } };
      if (q.get('status'))
        return { body: { items: [order(q.get('status')!, '0.20', '2000-01-01')], nextCursor: null } };
      return { body: { items: [], nextCursor: null } };
    case '/api/v1/approvals':
      return { body: { items: [], nextCursor: null } };
    case '/api/v1/accounting/reports/ar-aging':
      return {
        body: {
          asOf: '2026-11-22',
          baseCurrency: 'ZAR',
          parties: [{ partyId: 'p', code: 'C', name: 'C', byCurrency: [], base: buckets('10', '5') }],
          totals: { byCurrency: [], base: buckets('1000.00', '250.50') },
        },
      };
    case '/api/v1/inventory/reports/low-stock':
      return {
        body: {
          rows: [
            {
              itemId: 'a',
              sku: 'BOOTS',
              itemName: 'Boots',
              uom: 'pair',
              available: '30',
              reorderLevel: '40',
              shortfall: '10',
              onHand: '36',
              reserved: '6',
            },
            {
              itemId: 'b',
              sku: 'CEM',
              itemName: 'Cement',
              uom: 'bag',
              available: '5',
              reorderLevel: '200',
              shortfall: '195',
              onHand: '5',
              reserved: '0',
            },
          ],
        },
      };
    case '/api/v1/accounting/reports/profit-and-loss':
      return {
        body: {
          from: q.get('from'),
          to: q.get('to'),
          currency: 'ZAR',
          sections: [
            { type: 'revenue', total: '619527.37' },
            { type: 'expense', total: '1' },
          ],
        },
      };
  }
  return undefined;
};

const digits = (testId: string) => screen.getByTestId(testId).textContent?.replace(/[^\d,+]/g, '');

describe('DashboardPage', () => {
  it('shows a sales rep the cards of sales, approvals and stock, not the books', async () => {
    const { calls } = renderWithApp(<DashboardPage />, { handler, roles: ['Sales.Rep'] });
    await waitFor(() => expect(digits('dashboard-open-orders')).toBe('3'));
    expect(await screen.findByText('Nothing waits for your decision.')).toBeTruthy();
    expect(digits('dashboard-low-stock')).toBe('2');
    // The largest shortfall first.
    expect(screen.getAllByText(/· (Cement|Boots)$/).map((e) => e.textContent)).toEqual([
      'CEM · Cement',
      'BOOTS · Boots',
    ]);
    expect(screen.getByText('No orders this month')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Receivables overdue' })).toBeNull();
    expect(calls.some((c) => c.url.pathname.startsWith('/api/v1/accounting/reports'))).toBe(false);
  });

  it('shows finance the revenue to date and what is past due, from the aged receivables', async () => {
    const { calls } = renderWithApp(<DashboardPage />, { handler, roles: ['Finance.Approver'] });
    // 250.50 + 0.0018 past due, shown to the cent.
    await waitFor(() => expect(digits('dashboard-overdue')).toBe('250,50'));
    await waitFor(() => expect(digits('dashboard-revenue')).toBe('619527,37'));
    const pl = calls.find((c) => c.url.pathname.endsWith('/profit-and-loss'));
    expect(pl?.url.searchParams.get('from')).toMatch(/^\d{4}-\d{2}-01$/);
    expect(screen.getByText(/1 customer is past due/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Aged receivables' }).getAttribute('href')).toBe(
      '/accounting/ar-aging',
    );
  });
});
