import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp, type Handler } from '../../test/render';
import { TenantSettingsPage } from './TenantSettingsPage';

const tenant = (version: number, name: string) => ({
  id: '6f1c1f8e-0000-4000-8000-000000000001',
  slug: 'demo',
  name,
  baseCurrency: 'ZAR',
  locale: 'en-ZA',
  timeZone: 'Africa/Johannesburg',
  fiscalYearStartMonth: 3,
  approvalThreshold: { amount: '250000.00', currency: 'ZAR' },
  status: 'active',
  version,
});

describe('TenantSettingsPage', () => {
  it('saves what changed against the version read, and offers to reload when someone else saved first', async () => {
    let current = tenant(7, 'Demo Construction');
    const handler: Handler = (method, url) => {
      if (url.pathname !== '/api/v1/admin/tenant') return undefined;
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
      handler: (_m, url) =>
        url.pathname === '/api/v1/admin/tenant' ? { body: tenant(1, 'Demo') } : undefined,
      roles: ['Auditor'],
    });
    expect(((await screen.findByLabelText(/^Company name/)) as HTMLInputElement).readOnly).toBe(true);
    expect(screen.queryByRole('button', { name: 'Save settings' })).toBeNull();
  });
});
