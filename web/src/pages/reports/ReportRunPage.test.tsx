import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Navigate, Route, Routes } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { renderWithApp, type Handler } from '../../test/render';
import { runFixture } from './fixtures';
import { ReportRunPage } from './ReportRunPage';
import type { Run } from './types';

/** The page under its route, opened at a run. */
const routed = (id: string) => (
  <Routes>
    <Route path="/reports/runs/:id" element={<ReportRunPage />} />
    <Route path="*" element={<Navigate to={`/reports/runs/${id}`} replace />} />
  </Routes>
);

const runApi =
  (run: () => Run, extra?: Handler): Handler =>
  (method, url, body) =>
    extra?.(method, url, body) ??
    (method === 'GET' && url.pathname === `/api/v1/reports/runs/${run().id}` ? { body: run() } : undefined);

describe('ReportRunPage', () => {
  it('shows what the run covers, how it went and who was told', async () => {
    const run = runFixture({
      name: 'Monthly VAT',
      scheduleId: '7a2d0c1e-0000-4000-8000-0000000005c1',
      recipients: [{ email: 'cfo@example.co.za', name: 'Thandi Nkosi' }, { userId: 'u-1' }],
    });
    renderWithApp(routed(run.id), { handler: runApi(() => run), roles: ['Finance.Clerk'] });

    expect(await screen.findByRole('heading', { name: 'Monthly VAT', level: 1 })).toBeTruthy();
    expect(screen.getByText('Ready')).toBeTruthy();
    expect(screen.getByText('VAT report')).toBeTruthy();
    expect(screen.getByText('01 Oct 2026 – 31 Oct 2026')).toBeTruthy();
    expect(screen.getByText('By a schedule, for Last month')).toBeTruthy();
    expect(screen.getByText('PDF, CSV')).toBeTruthy();
    expect(screen.getByText('12')).toBeTruthy();
    expect(screen.getByText('Thandi Nkosi <cfo@example.co.za>')).toBeTruthy();
    expect(screen.getByText('A user of the organisation')).toBeTruthy();
    const files = screen.getByRole('region', { name: 'Files' });
    expect(within(files).getByRole('button', { name: /^Download PDF \(47\skB\)$/ })).toBeTruthy();
    expect(within(files).getByRole('button', { name: /^Download CSV \(2\skB\)$/ })).toBeTruthy();
  });

  it('shows why a run failed', async () => {
    const run = runFixture({ status: 'failed', files: [], error: 'The fiscal year is not set up' });
    renderWithApp(routed(run.id), { handler: runApi(() => run), roles: ['Finance.Clerk'] });
    expect(await screen.findByText('The report could not be made')).toBeTruthy();
    expect(screen.getByText('The fiscal year is not set up')).toBeTruthy();
    expect(screen.getByText('This run has no files.')).toBeTruthy();
  });

  it('follows a run until it is ready, then downloads its file', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const saved: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.href);
    });
    try {
      let current = runFixture({ status: 'running', files: [], finishedAt: null, durationMs: null });
      const { calls } = renderWithApp(routed(current.id), {
        handler: runApi(
          () => current,
          (method, url) =>
            method === 'GET' && url.pathname === `/api/v1/reports/runs/${current.id}/download`
              ? { body: { url: 'https://blob.example/r/vat.pdf?sig=abc', expiresAt: '2026-11-20T08:10:00Z' } }
              : undefined,
        ),
        roles: ['Finance.Clerk'],
      });
      expect(await screen.findByText('Running')).toBeTruthy();
      expect(screen.getByText('The files can be downloaded here once the report is ready.')).toBeTruthy();

      current = runFixture();
      await vi.advanceTimersByTimeAsync(2_100);
      fireEvent.click(await screen.findByRole('button', { name: /^Download PDF/ }));
      await waitFor(() => expect(saved).toEqual(['https://blob.example/r/vat.pdf?sig=abc']));
      const download = calls.find((c) => c.url.pathname.endsWith('/download'));
      expect(download?.url.searchParams.get('format')).toBe('pdf');

      // Done: no more reading.
      const reads = () => calls.filter((c) => c.url.pathname === `/api/v1/reports/runs/${current.id}`).length;
      const before = reads();
      await vi.advanceTimersByTimeAsync(6_000);
      expect(reads()).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });
});
