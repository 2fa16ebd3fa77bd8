import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp, type Handler } from '../../test/render';
import type { Account, JournalEntry } from './api';
import { JournalForm } from './JournalForm';

const account = (code: string, name: string, type: Account['type'], manualPosting = true): Account => ({
  id: `00000000-0000-4000-8000-00000000${code}`,
  code,
  name,
  type,
  role: manualPosting ? null : 'receivable',
  manualPosting,
  active: true,
  version: 1,
});

const accounts = [
  account('1000', 'Bank: current account', 'asset'),
  account('1100', 'Trade receivables', 'asset', false),
  account('6100', 'Rent', 'expense'),
  account('6200', 'Fuel', 'expense'),
];

const posted: JournalEntry = {
  id: '6f1c1f8e-0000-4000-8000-0000000000e1',
  number: 'JE-2026-000007',
  date: '2026-11-20',
  memo: 'November rent',
  currency: 'ZAR',
  baseCurrency: 'ZAR',
  exchangeRate: '1',
  source: null,
  reversesEntryId: null,
  reversedByEntryId: null,
  postedBy: 'alice',
  postedAt: '2026-11-20T08:00:00Z',
  lines: [],
};

function renderForm(handler: Handler = () => undefined) {
  return renderWithApp(<JournalForm accounts={accounts} baseCurrency="ZAR" date="2026-11-20" />, {
    handler,
    roles: ['Finance.Clerk'],
  });
}

const line = (index: number) => within(screen.getByTestId(`journal-line-${index}`));

async function chooseAccount(index: number, code: string) {
  const box = line(index).getByRole('combobox', { name: /Account, line/ });
  fireEvent.click(box);
  fireEvent.change(box, { target: { value: code } });
  fireEvent.click(await screen.findByRole('option', { name: new RegExp(`^${code} ·`) }));
}

const type = (index: number, field: 'Debit' | 'Credit', value: string) =>
  fireEvent.change(line(index).getByRole('textbox', { name: new RegExp(`^${field}, line`) }), {
    target: { value },
  });

const postButton = () => screen.getByRole('button', { name: 'Post entry' });

describe('JournalForm', () => {
  it('keeps running totals and will not post an entry that does not balance', async () => {
    const { calls } = renderForm();
    fireEvent.change(screen.getByRole('textbox', { name: /Description/ }), {
      target: { value: 'November rent' },
    });
    await chooseAccount(0, '6100');
    type(0, 'Debit', '12500.00');
    await chooseAccount(1, '1000');
    type(1, 'Credit', '12000');

    expect(screen.getByTestId('journal-total-debit').textContent).toMatch(/12[\s\u00a0]?500,00/);
    expect(screen.getByTestId('journal-total-credit').textContent).toMatch(/12[\s\u00a0]?000,00/);
    expect(screen.getByText(/Debits exceed credits by R[\s\u00a0]?500,00/)).toBeTruthy();
    expect(postButton().getAttribute('aria-disabled')).toBe('true');

    fireEvent.click(postButton());
    fireEvent.submit(postButton().closest('form')!);
    expect(await screen.findByText('Debits and credits must be equal and not zero')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('posts a balanced entry once, leaving blank rows out', async () => {
    const handler: Handler = (method, url) =>
      method === 'POST' && url.pathname === '/api/v1/accounting/journal-entries'
        ? { status: 201, body: posted }
        : undefined;
    const { calls } = renderForm(handler);
    fireEvent.change(screen.getByRole('textbox', { name: /Description/ }), {
      target: { value: 'November rent' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add line' }));
    await chooseAccount(0, '6100');
    type(0, 'Debit', '12500');
    await chooseAccount(2, '1000');
    type(2, 'Credit', '12500.00');
    expect(postButton().getAttribute('aria-disabled')).not.toBe('true');
    fireEvent.click(postButton());

    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({
      date: '2026-11-20',
      memo: 'November rent',
      currency: 'ZAR',
      lines: [
        { account: '6100', debit: '12500' },
        { account: '1000', credit: '12500.00' },
      ],
    });
    expect(post.headers['Idempotency-Key']).toMatch(/[0-9a-f-]{36}/);
  });

  it('offers only accounts that take manual postings', async () => {
    renderForm();
    const box = line(0).getByRole('combobox', { name: /Account, line/ });
    fireEvent.click(box);
    fireEvent.change(box, { target: { value: '1' } });
    expect(await screen.findByRole('option', { name: /^1000 ·/ })).toBeTruthy();
    expect(screen.queryByRole('option', { name: /^1100 ·/ })).toBeNull();
  });

  it('shows the server’s field errors on the line it names, counting only the lines sent', async () => {
    const handler: Handler = (method) =>
      method === 'POST'
        ? {
            status: 422,
            body: {
              status: 422,
              title: 'Unprocessable',
              detail: 'The entry was refused.',
              errors: [{ path: 'body.lines.1.account', message: 'Account 1000 is inactive' }],
            },
          }
        : undefined;
    renderForm(handler);
    fireEvent.change(screen.getByRole('textbox', { name: /Description/ }), { target: { value: 'Fuel' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add line' }));
    await chooseAccount(0, '6200');
    type(0, 'Debit', '300');
    await chooseAccount(2, '1000');
    type(2, 'Credit', '300');
    fireEvent.click(postButton());
    expect(await line(2).findByText('Account 1000 is inactive')).toBeTruthy();
    expect(line(0).queryByText('Account 1000 is inactive')).toBeNull();
  });
});
