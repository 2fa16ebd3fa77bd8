import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Customer } from '../../api/types';
import { renderWithApp, type Handler } from '../../test/render';
import { CustomerForm } from './CustomerForm';

const saved: Customer = {
  id: '6f1c1f8e-0000-4000-8000-0000000000c1',
  code: 'KAROO',
  name: 'Karoo Builders',
  taxNumber: '4123456789',
  currency: 'ZAR',
  paymentTermsDays: 30,
  creditLimit: { amount: '250000.00', currency: 'ZAR' },
  email: 'accounts@karoo.example',
  phone: null,
  billingAddress: null,
  deliveryAddress: { line1: 'Erf 2211', city: 'Midrand', country: 'ZA' },
  contacts: [{ name: 'Thandi Mokoena', role: 'Site manager' }],
  active: true,
  version: 4,
};

const field = (label: RegExp) => screen.getByLabelText(label) as HTMLInputElement;
const type = (label: RegExp, value: string) => fireEvent.change(field(label), { target: { value } });

describe('CustomerForm', () => {
  it('creates a customer from what was filled in, leaving the blanks out', async () => {
    const handler: Handler = (method, url, body) =>
      method === 'POST' && url.pathname === '/api/v1/accounting/customers'
        ? { status: 201, body: { ...saved, ...(body as object), id: saved.id, version: 1 } }
        : undefined;
    const { calls } = renderWithApp(<CustomerForm customer={undefined} baseCurrency="ZAR" />, {
      handler,
      roles: ['Finance.Clerk'],
    });
    type(/^Code/, 'newco');
    type(/^Name(?!,)/, '  New Co (Pty) Ltd ');
    type(/^Credit limit/, '50000');
    type(/^Street address \(delivery address\)/, '1 Dock Road');
    type(/^City or town \(delivery address\)/, 'Cape Town');
    type(/^Country code \(delivery address\)/, 'za');
    fireEvent.click(screen.getByRole('button', { name: 'Create customer' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({
      code: 'NEWCO',
      name: 'New Co (Pty) Ltd',
      currency: 'ZAR',
      paymentTermsDays: 30,
      creditLimit: { amount: '50000', currency: 'ZAR' },
      deliveryAddress: { line1: '1 Dock Road', city: 'Cape Town', country: 'ZA' },
    });
    expect(post?.headers['Idempotency-Key']).toBeTruthy();
  });

  it('marks the required fields instead of sending an incomplete customer', async () => {
    const { calls } = renderWithApp(<CustomerForm customer={undefined} baseCurrency="ZAR" />, {
      handler: () => undefined,
      roles: ['Admin'],
    });
    type(/^City or town \(delivery address\)/, 'Cape Town');
    fireEvent.click(screen.getByRole('button', { name: 'Create customer' }));
    expect(await screen.findAllByText('Required')).toHaveLength(3); // code, name, street
    expect(screen.getByText('A two-letter country code such as ZA')).toBeTruthy();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('shows the server refusal on the field it names', async () => {
    const handler: Handler = (method) =>
      method === 'POST'
        ? {
            status: 409,
            body: {
              status: 409,
              title: 'Conflict',
              detail: 'A customer with code KAROO already exists.',
              errors: [{ path: 'body.code', message: 'The code KAROO is taken' }],
            },
          }
        : undefined;
    renderWithApp(<CustomerForm customer={undefined} baseCurrency="ZAR" />, { handler, roles: ['Admin'] });
    type(/^Code/, 'KAROO');
    type(/^Name(?!,)/, 'Karoo again');
    fireEvent.click(screen.getByRole('button', { name: 'Create customer' }));
    expect(await screen.findByText('The code KAROO is taken')).toBeTruthy();
    expect(screen.getByText(/already exists/)).toBeTruthy();
  });

  it('sends only the changed fields with the version it was based on, and explains a conflict', async () => {
    const handler: Handler = (method) =>
      method === 'PATCH'
        ? { status: 412, body: { status: 412, title: 'Precondition Failed', detail: 'stale' } }
        : undefined;
    const { calls } = renderWithApp(<CustomerForm customer={saved} baseCurrency="ZAR" />, {
      handler,
      roles: ['Finance.Clerk'],
    });
    expect(field(/^Code/).readOnly).toBe(true);
    type(/^Payment terms/, '60');
    type(/^Role, contact 1/, '');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText(/Someone else changed this record/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reload' })).toBeTruthy();
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.url.pathname).toBe(`/api/v1/accounting/customers/${saved.id}`);
    expect(patch?.headers['If-Match']).toBe('"4"');
    expect(patch?.body).toEqual({ paymentTermsDays: 60, contacts: [{ name: 'Thandi Mokoena' }] });
  });

  it('lets sales add a customer but leaves the credit limit to finance', async () => {
    const handler: Handler = (method, _url, body) =>
      method === 'POST'
        ? { status: 201, body: { ...saved, ...(body as object), creditLimit: null } }
        : undefined;
    const { calls } = renderWithApp(<CustomerForm customer={undefined} baseCurrency="ZAR" />, {
      handler,
      roles: ['Sales.Rep'],
    });
    expect(field(/^Credit limit/).readOnly).toBe(true);
    expect(screen.getByText(/Set by finance/)).toBeTruthy();
    type(/^Code/, 'SITECO');
    type(/^Name(?!,)/, 'Site Co');
    fireEvent.click(screen.getByRole('button', { name: 'Create customer' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      code: 'SITECO',
      name: 'Site Co',
      currency: 'ZAR',
      paymentTermsDays: 30,
    });
  });

  it('is read-only for those who may only read customers', () => {
    renderWithApp(<CustomerForm customer={saved} baseCurrency="ZAR" />, {
      handler: () => undefined,
      roles: ['Auditor'],
    });
    expect(field(/^Name(?!,)/).readOnly).toBe(true);
    expect(screen.queryByRole('button', { name: 'Save changes' })).toBeNull();
  });
});
