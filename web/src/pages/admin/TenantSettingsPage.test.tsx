import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp, type Handler } from '../../test/render';
import { TenantSettingsPage } from './TenantSettingsPage';

const TENANT_ID = '6f1c1f8e-0000-4000-8000-000000000001';

const tenant = (version: number, name: string, companyProfile: Record<string, unknown> = {}) => ({
  id: TENANT_ID,
  slug: 'demo',
  name,
  baseCurrency: 'ZAR',
  locale: 'en-ZA',
  timeZone: 'Africa/Johannesburg',
  fiscalYearStartMonth: 3,
  approvalThreshold: { amount: '250000.00', currency: 'ZAR' },
  companyProfile,
  status: 'active',
  version,
});

/** The company's documents: none yet. */
const noDocuments: Handler = (method, url) =>
  method === 'GET' && url.pathname === '/api/v1/documents'
    ? { body: { items: [], nextCursor: null } }
    : undefined;

describe('TenantSettingsPage', () => {
  it('saves what changed against the version read, and offers to reload when someone else saved first', async () => {
    let current = tenant(7, 'Demo Construction');
    const handler: Handler = (method, url, body) => {
      if (url.pathname !== '/api/v1/admin/tenant') return noDocuments(method, url, body);
      if (method === 'PATCH')
        return { status: 412, body: { status: 412, title: 'Precondition Failed', detail: 'stale' } };
      return { body: current };
    };
    const { calls } = renderWithApp(<TenantSettingsPage />, { handler, roles: ['Admin'] });
    const name = (await screen.findByLabelText(/^Company name/)) as HTMLInputElement;
    fireEvent.change(name, { target: { value: 'Demo Construction (Pty) Ltd' } });
    fireEvent.change(screen.getByLabelText(/^Orders need approval above/), { target: { value: '300000' } });
    expect(screen.getByText('Unsaved changes')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    expect(await screen.findByText(/Someone else changed this record/)).toBeTruthy();
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.headers['If-Match']).toBe('"7"');
    expect(patch?.body).toEqual({
      name: 'Demo Construction (Pty) Ltd',
      approvalThreshold: { amount: '300000', currency: 'ZAR' },
    });

    current = tenant(8, 'Demo Construction Group');
    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    await waitFor(() =>
      expect((screen.getByLabelText(/^Company name/) as HTMLInputElement).value).toBe(
        'Demo Construction Group',
      ),
    );
    expect(screen.queryByText('Unsaved changes')).toBeNull();
  });

  it('is read-only for an auditor', async () => {
    renderWithApp(<TenantSettingsPage />, {
      handler: (m, url, body) =>
        url.pathname === '/api/v1/admin/tenant' ? { body: tenant(1, 'Demo') } : noDocuments(m, url, body),
      roles: ['Auditor'],
    });
    expect(((await screen.findByLabelText(/^Company name/)) as HTMLInputElement).readOnly).toBe(true);
    expect((screen.getByLabelText(/^VAT number/) as HTMLInputElement).readOnly).toBe(true);
    expect(screen.queryByRole('button', { name: 'Save settings' })).toBeNull();
    // Auditors read the company's documents; only administrators attach them.
    expect(await screen.findByText('No documents attached yet.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Attach files' })).toBeNull();
  });

  it('saves the whole company profile, and shows the fields the server refused on those fields', async () => {
    const profile = {
      legalName: 'Demo Construction (Pty) Ltd',
      taxNumber: '4123456789',
      address: { lines: ['12 Main Road', 'Bryanston'], city: 'Sandton', postalCode: '2191', country: 'ZA' },
      bank: {
        bankName: 'First National Bank',
        accountName: 'Demo Construction',
        accountNumber: '62123456789',
      },
    };
    const handler: Handler = (method, url, body) => {
      if (url.pathname !== '/api/v1/admin/tenant') return noDocuments(method, url, body);
      if (method === 'PATCH')
        return {
          status: 400,
          body: {
            status: 400,
            title: 'Bad Request',
            detail: 'The request is invalid: companyProfile.bank.accountNumber.',
            errors: [{ path: 'companyProfile.bank.accountNumber', message: 'Not an account of this bank' }],
          },
        };
      return { body: tenant(4, 'Demo', profile) };
    };
    const { calls } = renderWithApp(<TenantSettingsPage />, { handler, roles: ['Admin'] });
    const vat = (await screen.findByLabelText(/^VAT number/)) as HTMLInputElement;
    expect(vat.value).toBe('4123456789');
    expect((screen.getByLabelText(/^Street address/) as HTMLTextAreaElement).value).toBe(
      '12 Main Road\nBryanston',
    );

    // Bank details need the bank, the account name and the number: refused before anything is sent.
    fireEvent.change(screen.getByLabelText(/^Bank/), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText(/^SWIFT/), { target: { value: 'firn za jj' } });
    fireEvent.change(vat, { target: { value: '4987654321' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByRole('textbox', { name: /^Bank/, description: 'Required' })).toBeTruthy();
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);

    fireEvent.change(screen.getByLabelText(/^Bank/), { target: { value: 'First National Bank' } });
    fireEvent.change(screen.getByLabelText(/^Website/), { target: { value: 'www.demo.co.za' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    expect(
      await screen.findByRole('textbox', {
        name: /^Account number/,
        description: 'Not an account of this bank',
      }),
    ).toBeTruthy();
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.headers['If-Match']).toBe('"4"');
    // The profile is replaced as a whole: every field goes, codes in capitals, the site as https.
    expect(patch?.body).toEqual({
      companyProfile: {
        ...profile,
        taxNumber: '4987654321',
        website: 'https://www.demo.co.za',
        bank: { ...profile.bank, swift: 'FIRNZAJJ' },
      },
    });
    // The company's documents are attached to the tenant's own id.
    const documents = calls.find((c) => c.url.pathname === '/api/v1/documents');
    expect(documents?.url.searchParams.get('recordType')).toBe('company');
    expect(documents?.url.searchParams.get('recordId')).toBe(TENANT_ID);
    expect(screen.getByRole('button', { name: 'Attach files' })).toBeTruthy();
  });
});
