import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useLocation } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { renderWithApp, type Handler } from '../../test/render';
import { runFixture, scheduleFixture } from './fixtures';
import { ReportsPage } from './ReportsPage';
import type { Run, Schedule } from './types';

const ROLES = ['Finance.Clerk'];

/** Where the page sent the user. */
function Where() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

const page = (
  <>
    <ReportsPage />
    <Where />
  </>
);

function reportsApi(options: { schedules?: Schedule[]; runs?: Run[]; answer?: Handler } = {}): Handler {
  return (method, url, body) => {
    const answered = options.answer?.(method, url, body);
    if (answered) return answered;
    if (method === 'GET' && url.pathname === '/api/v1/reports/schedules')
      return { body: { items: options.schedules ?? [scheduleFixture()], nextCursor: null } };
    if (method === 'GET' && url.pathname === '/api/v1/reports/runs')
      return { body: { items: options.runs ?? [runFixture()], nextCursor: null } };
    return undefined;
  };
}

/**
 * Clicks as a person does: focus first. (Fluent's dialog hides itself from the accessibility tree
 * when its content changes while nothing in it has focus, which only a bare synthetic click does.)
 */
function press(element: HTMLElement) {
  element.focus();
  fireEvent.click(element);
}

/** Picks an option of a Fluent dropdown by the dropdown's label and the option's text. */
async function choose(label: string | RegExp, option: string | RegExp) {
  press(screen.getByRole('combobox', { name: label }));
  press(await screen.findByRole('option', { name: option }));
}

describe('ReportsPage', () => {
  it('lists the schedules with their schedule in words, and the runs', async () => {
    renderWithApp(page, {
      handler: reportsApi({
        runs: [
          runFixture(),
          runFixture({
            id: '7a2d0c1e-0000-4000-8000-000000000a02',
            name: 'Monthly trial balance',
            reportType: 'trialBalance',
            scheduleId: scheduleFixture().id,
            status: 'running',
            files: [],
            finishedAt: null,
            durationMs: null,
          }),
        ],
      }),
      roles: ROLES,
    });

    const schedules = await screen.findByRole('grid', { name: 'Report schedules' });
    const row = within(schedules).getByText('Monthly trial balance').closest('[role="row"]') as HTMLElement;
    expect(within(row).getByText('Trial balance')).toBeTruthy();
    expect(within(row).getByText('PDF, XLSX')).toBeTruthy();
    expect(within(row).getByText('On day 1 of every month at 06:00')).toBeTruthy();
    expect(within(row).getByText('0 0 6 1 * *')).toBeTruthy();
    expect(within(row).getByText('Africa/Johannesburg')).toBeTruthy();
    expect(within(row).getByText('Active')).toBeTruthy();

    fireEvent.click(screen.getByRole('tab', { name: 'Runs' }));
    const runs = await screen.findByRole('grid', { name: 'Report runs' });
    const vat = within(runs).getByRole('link', { name: 'VAT report' });
    expect(vat.getAttribute('href')).toBe(`/reports/runs/${runFixture().id}`);
    const vatRow = vat.closest('[role="row"]') as HTMLElement;
    expect(within(vatRow).getByText('Ready')).toBeTruthy();
    expect(within(vatRow).getByText(/^3,2\ssecs?$/)).toBeTruthy();
    expect(within(vatRow).getByText(/^49\s?kB$/)).toBeTruthy();
    expect(within(vatRow).getByRole('button', { name: 'Download PDF of VAT report' })).toBeTruthy();
    expect(within(vatRow).getByRole('button', { name: 'Download CSV of VAT report' })).toBeTruthy();
    const running = within(runs).getByRole('link', { name: 'Monthly trial balance' }).closest('[role="row"]');
    expect(within(running as HTMLElement).getByText('Running')).toBeTruthy();
    expect(within(running as HTMLElement).queryByRole('button', { name: /Download/ })).toBeNull();
    expect(screen.getByTestId('location').textContent).toBe('/?tab=runs');
  });

  it('reads the runs again while one is running, and stops when all are done', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let status: Run['status'] = 'running';
      const { calls } = renderWithApp(page, {
        handler: reportsApi({
          answer: (method, url) =>
            method === 'GET' && url.pathname === '/api/v1/reports/runs'
              ? { body: { items: [runFixture({ status, files: [] })], nextCursor: null } }
              : undefined,
        }),
        roles: ROLES,
      });
      fireEvent.click(await screen.findByRole('tab', { name: 'Runs' }));
      expect(await screen.findByText('Running')).toBeTruthy();
      const reads = () => calls.filter((c) => c.url.pathname === '/api/v1/reports/runs').length;
      const first = reads();
      status = 'succeeded';
      await vi.advanceTimersByTimeAsync(2_100);
      await waitFor(() => expect(reads()).toBe(first + 1));
      expect(await screen.findByText('Ready')).toBeTruthy();
      await vi.advanceTimersByTimeAsync(6_000);
      expect(reads()).toBe(first + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('creates a schedule with the body the API takes, and shows its field error on the field', async () => {
    const { calls } = renderWithApp(page, {
      handler: reportsApi({
        schedules: [],
        answer: (method, url) =>
          method === 'POST' && url.pathname === '/api/v1/reports/schedules'
            ? {
                status: 400,
                body: {
                  status: 400,
                  title: 'Bad Request',
                  detail: 'The request is not valid.',
                  errors: [{ path: 'body.schedule', message: 'Day of week 9 is out of range' }],
                },
              }
            : undefined,
      }),
      roles: ['Admin'],
    });
    expect(await screen.findByText(/No report is scheduled yet/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'New schedule' }));
    const dialog = await screen.findByRole('dialog');

    // Nothing is sent while the form is incomplete.
    press(within(dialog).getByRole('button', { name: 'Create schedule' }));
    expect(await within(dialog).findAllByText('Required')).toHaveLength(2);
    expect(within(dialog).getByText('An email address such as name@example.co.za')).toBeTruthy();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Name' }), {
      target: { value: 'Weekly aged receivables' },
    });
    await choose(/^Report/, 'Aged receivables');
    await choose(/^Period/, 'Last financial quarter');
    press(within(dialog).getByRole('checkbox', { name: 'CSV (comma-separated values)' }));
    fireEvent.change(within(dialog).getByLabelText('Email address, recipient 1'), {
      target: { value: 'cfo@example.co.za' },
    });
    fireEvent.change(within(dialog).getByLabelText('Name (optional), recipient 1'), {
      target: { value: 'Thandi Nkosi' },
    });
    press(within(dialog).getByRole('button', { name: 'Add recipient' }));
    fireEvent.change(within(dialog).getByLabelText('Email address, recipient 2'), {
      target: { value: 'credit@example.co.za' },
    });
    await choose(/^Schedule/, 'Custom (NCRONTAB)');
    const expression = within(dialog).getByRole('textbox', { name: /NCRONTAB expression/ });
    expect((expression as HTMLInputElement).value).toBe('0 0 6 1 * *');
    fireEvent.change(expression, { target: { value: '0 30 7 * * 9' } });
    press(within(dialog).getByRole('button', { name: 'Create schedule' }));

    expect(await within(dialog).findByText('Day of week 9 is out of range')).toBeTruthy();
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url.pathname).toBe('/api/v1/reports/schedules');
    expect(post?.body).toEqual({
      name: 'Weekly aged receivables',
      reportType: 'arAging',
      parameters: { period: 'lastQuarter' },
      formats: ['pdf', 'csv'],
      recipients: [{ email: 'cfo@example.co.za', name: 'Thandi Nkosi' }, { email: 'credit@example.co.za' }],
      schedule: '0 30 7 * * 9',
      timeZone: 'Africa/Johannesburg',
      active: true,
    });
    // The message sits on the expression's field.
    const field = within(dialog).getByText('Day of week 9 is out of range');
    expect(expression.getAttribute('aria-describedby') ?? '').toContain(field.id);

    // A retry of the same form is the same submission; a changed one is a new one.
    press(within(dialog).getByRole('button', { name: 'Create schedule' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    fireEvent.change(expression, { target: { value: '0 30 7 * * 1' } });
    press(within(dialog).getByRole('button', { name: 'Create schedule' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(3));
    const keys = calls.filter((c) => c.method === 'POST').map((c) => c.headers['Idempotency-Key']);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('changes a schedule with only what changed and the version it was based on', async () => {
    const { calls } = renderWithApp(page, {
      handler: reportsApi({
        answer: (method, url, body) =>
          method === 'PATCH' && url.pathname === `/api/v1/reports/schedules/${scheduleFixture().id}`
            ? { body: { ...scheduleFixture(), ...(body as object), version: 5 } }
            : undefined,
      }),
      roles: ROLES,
    });
    fireEvent.click(await screen.findByText('Monthly trial balance'));
    const dialog = await screen.findByRole('dialog', { name: 'Schedule “Monthly trial balance”' });
    const save = within(dialog).getByRole('button', { name: 'Save changes' });
    expect((save as HTMLButtonElement).disabled).toBe(true);

    await choose(/^Schedule/, 'Every Monday at 07:00');
    press(within(dialog).getByRole('switch', { name: 'Active' }));
    fireEvent.click(save);

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.headers['If-Match']).toBe('"4"');
    expect(patch?.body).toEqual({ schedule: '0 0 7 * * 1', active: false });
  });

  it('runs a report now and follows the run', async () => {
    const started = runFixture({ status: 'queued', files: [], startedAt: null, finishedAt: null });
    const { calls } = renderWithApp(page, {
      handler: reportsApi({
        answer: (method, url) =>
          method === 'POST' && url.pathname === '/api/v1/reports/runs'
            ? { status: 202, body: started }
            : undefined,
      }),
      roles: ROLES,
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Run now' }));
    const dialog = await screen.findByRole('dialog', { name: 'Run a report now' });
    await choose(/^Report/, 'VAT report');
    press(within(dialog).getByRole('radio', { name: 'Dates' }));
    fireEvent.change(within(dialog).getByLabelText(/^From/), { target: { value: '2026-10-01' } });
    fireEvent.change(within(dialog).getByLabelText(/^To/), { target: { value: '2026-10-31' } });
    press(within(dialog).getByRole('checkbox', { name: 'PDF document' }));
    press(within(dialog).getByRole('button', { name: 'Run report' }));
    expect(await within(dialog).findByText('Choose at least one format')).toBeTruthy();
    press(within(dialog).getByRole('checkbox', { name: 'Excel workbook (XLSX)' }));
    press(within(dialog).getByRole('button', { name: 'Run report' }));

    await waitFor(() =>
      expect(screen.getByTestId('location').textContent).toBe(`/reports/runs/${started.id}`),
    );
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({
      reportType: 'vat',
      formats: ['xlsx'],
      from: '2026-10-01',
      to: '2026-10-31',
    });
    expect(post?.headers['Idempotency-Key']).toBeTruthy();
  });

  it('says so when the roles do not open the report', async () => {
    renderWithApp(page, {
      handler: reportsApi({
        answer: (method, url) =>
          method === 'POST' && url.pathname === '/api/v1/reports/runs'
            ? {
                status: 403,
                body: { status: 403, title: 'Forbidden', detail: 'Your roles do not open the vat report.' },
              }
            : undefined,
      }),
      roles: ['Sales.Rep'],
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Run now' }));
    const dialog = await screen.findByRole('dialog', { name: 'Run a report now' });
    await choose(/^Report/, 'Stock valuation');
    await choose(/^Relative period/, 'Today');
    press(within(dialog).getByRole('button', { name: 'Run report' }));
    expect(await within(dialog).findByText(/Your roles do not open this report/)).toBeTruthy();
    expect(screen.getByTestId('location').textContent).toBe('/');
  });

  it('runs a schedule now by its id', async () => {
    const started = runFixture({ id: '7a2d0c1e-0000-4000-8000-000000000a09', status: 'queued', files: [] });
    const { calls } = renderWithApp(page, {
      handler: reportsApi({
        answer: (method, url) =>
          method === 'POST' && url.pathname === '/api/v1/reports/runs'
            ? { status: 202, body: started }
            : undefined,
      }),
      roles: ROLES,
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Run “Monthly trial balance” now' }));
    await waitFor(() =>
      expect(screen.getByTestId('location').textContent).toBe(`/reports/runs/${started.id}`),
    );
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ scheduleId: scheduleFixture().id });
    // The button runs the schedule; it does not open it.
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('downloads a file of a run through the download route', async () => {
    const saved: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ href: this.href, download: this.download });
    });
    const run = runFixture();
    const { calls } = renderWithApp(page, {
      handler: reportsApi({
        answer: (method, url) =>
          method === 'GET' && url.pathname === `/api/v1/reports/runs/${run.id}/download`
            ? {
                body: {
                  url: `https://blob.example/reports/${url.searchParams.get('format')}?sig=abc`,
                  expiresAt: '2026-11-20T08:10:00Z',
                },
              }
            : undefined,
      }),
      roles: ROLES,
    });
    fireEvent.click(await screen.findByRole('tab', { name: 'Runs' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Download CSV of VAT report' }));

    await waitFor(() => expect(saved).toHaveLength(1));
    const request = calls.find((c) => c.url.pathname.endsWith('/download'));
    expect(request?.url.searchParams.get('format')).toBe('csv');
    expect(saved[0]).toEqual({
      href: 'https://blob.example/reports/csv?sig=abc',
      download: 'vat-2026-10.csv',
    });
    // The click downloads; it does not open the run.
    expect(screen.getByTestId('location').textContent).toBe('/?tab=runs');
  });
});
