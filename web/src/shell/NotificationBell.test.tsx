import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useLocation } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { renderWithApp, type Handler } from '../test/render';
import { NotificationBell, notificationTarget, type UserNotification } from './NotificationBell';

/** Where the bell sent the user. */
function Where() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

const bell = (
  <>
    <NotificationBell />
    <Where />
  </>
);

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

function notification(overrides: Partial<UserNotification> = {}): UserNotification {
  return {
    id: '5b0e7c2a-0000-4000-8000-000000000001',
    template: 'approval.requested',
    title: 'Approve order SO-2026-000123',
    body: 'Thandi Nkosi asks you to approve R 125 000,00 for Acme Construction.',
    link: '/approvals',
    read: false,
    readAt: null,
    createdAt: minutesAgo(5),
    ...overrides,
  };
}

const unreadOne = notification();
const readOne = notification({
  id: '5b0e7c2a-0000-4000-8000-000000000002',
  template: 'report.ready',
  title: 'Your VAT report is ready',
  body: 'VAT report for October 2026 (PDF, CSV).',
  link: null,
  read: true,
  readAt: minutesAgo(60),
  createdAt: minutesAgo(3 * 24 * 60),
});

function notificationsApi(options: { count?: () => number; items?: UserNotification[]; answer?: Handler }) {
  const handler: Handler = (method, url, body) => {
    const answered = options.answer?.(method, url, body);
    if (answered) return answered;
    if (method === 'GET' && url.pathname === '/api/v1/notifications/unread-count')
      return { body: { count: options.count?.() ?? 0 } };
    if (method === 'GET' && url.pathname === '/api/v1/notifications')
      return { body: { items: options.items ?? [], nextCursor: null } };
    return undefined;
  };
  return handler;
}

/** Clicks as a person does: focus first. */
function press(element: HTMLElement) {
  element.focus();
  fireEvent.click(element);
}

describe('NotificationBell', () => {
  it('shows the unread count in its badge and its name', async () => {
    renderWithApp(bell, { handler: notificationsApi({ count: () => 3 }) });
    const button = await screen.findByRole('button', { name: 'Notifications, 3 unread' });
    expect(within(button).getByText('3')).toBeTruthy();
  });

  it('has no badge when nothing is unread', async () => {
    const { calls } = renderWithApp(bell, { handler: notificationsApi({ count: () => 0 }) });
    await waitFor(() => expect(calls.some((c) => c.url.pathname.endsWith('/unread-count'))).toBe(true));
    const button = await screen.findByRole('button', { name: 'Notifications' });
    expect(within(button).queryByText('0')).toBeNull();
  });

  it('reads the count again every 30 seconds', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      let count = 1;
      const { calls } = renderWithApp(bell, { handler: notificationsApi({ count: () => count }) });
      expect(await screen.findByRole('button', { name: 'Notifications, 1 unread' })).toBeTruthy();
      const reads = () => calls.filter((c) => c.url.pathname === '/api/v1/notifications/unread-count').length;
      const first = reads();
      count = 4;
      await vi.advanceTimersByTimeAsync(30_100);
      await waitFor(() => expect(reads()).toBe(first + 1));
      expect(await screen.findByRole('button', { name: 'Notifications, 4 unread' })).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('lists the latest notifications when opened, the unread ones marked as such', async () => {
    const { calls } = renderWithApp(bell, {
      handler: notificationsApi({ count: () => 1, items: [unreadOne, readOne] }),
    });
    press(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    const dialog = await screen.findByRole('dialog', { name: 'Notifications' });
    const list = await within(dialog).findByRole('list', { name: 'Latest notifications' });
    const items = within(list).getAllByRole('button');
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toContain('Unread, ');
    expect(items[0]?.textContent).toContain('Approve order SO-2026-000123');
    expect(items[0]?.textContent).toContain('5 minutes ago');
    expect(items[1]?.textContent).not.toContain('Unread');
    expect(items[1]?.textContent).toContain('Your VAT report is ready');
    expect(items[1]?.textContent).toContain('3 days ago');
    const request = calls.find((c) => c.url.pathname === '/api/v1/notifications');
    expect(request?.url.searchParams.get('limit')).toBe('8');
    expect(request?.url.searchParams.has('unread')).toBe(false);
    expect(within(dialog).getByRole('link', { name: 'See all notifications' }).getAttribute('href')).toBe(
      '/notifications',
    );
  });

  it('says so when there are no notifications', async () => {
    renderWithApp(bell, { handler: notificationsApi({ count: () => 0, items: [] }) });
    press(await screen.findByRole('button', { name: 'Notifications' }));
    const dialog = await screen.findByRole('dialog', { name: 'Notifications' });
    expect(await within(dialog).findByText('You have no notifications.')).toBeTruthy();
    // Disabled, and still focusable.
    expect(
      within(dialog).getByRole('button', { name: 'Mark all as read' }).getAttribute('aria-disabled'),
    ).toBe('true');
  });

  it('marks an unread notification read, closes and goes to its page', async () => {
    let read = false;
    const { calls } = renderWithApp(bell, {
      handler: notificationsApi({
        count: () => (read ? 0 : 1),
        items: [unreadOne, readOne],
        answer: (method, url) => {
          if (method === 'POST' && url.pathname === `/api/v1/notifications/${unreadOne.id}/read`) {
            read = true;
            return { body: { ...unreadOne, read: true, readAt: new Date().toISOString() } };
          }
          return undefined;
        },
      }),
    });
    press(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    const dialog = await screen.findByRole('dialog', { name: 'Notifications' });
    press(await within(dialog).findByRole('button', { name: /Approve order SO-2026-000123/ }));

    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/approvals'));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url.pathname).toBe(`/api/v1/notifications/${unreadOne.id}/read`);
    expect(post?.headers['Idempotency-Key']).toBeTruthy();
    // The badge follows: the count is read again after the change.
    expect(await screen.findByRole('button', { name: 'Notifications' })).toBeTruthy();
  });

  it('opens a read notification without marking it again', async () => {
    const linked = { ...readOne, link: '/reports/runs/7a2d0c1e-0000-4000-8000-000000000a01' };
    const { calls } = renderWithApp(bell, { handler: notificationsApi({ count: () => 0, items: [linked] }) });
    press(await screen.findByRole('button', { name: 'Notifications' }));
    const dialog = await screen.findByRole('dialog', { name: 'Notifications' });
    press(await within(dialog).findByRole('button', { name: /Your VAT report is ready/ }));
    await waitFor(() =>
      expect(screen.getByTestId('location').textContent).toBe(
        '/reports/runs/7a2d0c1e-0000-4000-8000-000000000a01',
      ),
    );
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('opens an absolute link in a new tab, and stays on the page', async () => {
    const opened = vi.spyOn(window, 'open').mockImplementation(() => null);
    const external = { ...unreadOne, link: 'https://blob.example/reports/vat.pdf?sig=abc' };
    const { calls } = renderWithApp(bell, {
      handler: notificationsApi({
        count: () => 1,
        items: [external],
        answer: (method, url) =>
          method === 'POST' && url.pathname.endsWith('/read')
            ? { body: { ...external, read: true } }
            : undefined,
      }),
    });
    press(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    const dialog = await screen.findByRole('dialog', { name: 'Notifications' });
    press(await within(dialog).findByRole('button', { name: /Approve order/ }));
    expect(opened).toHaveBeenCalledWith(
      'https://blob.example/reports/vat.pdf?sig=abc',
      '_blank',
      'noopener,noreferrer',
    );
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(screen.getByTestId('location').textContent).toBe('/');
  });

  it('marks all as read', async () => {
    let read = false;
    const { calls } = renderWithApp(bell, {
      handler: notificationsApi({
        count: () => (read ? 0 : 1),
        items: [unreadOne, readOne],
        answer: (method, url) => {
          if (method === 'POST' && url.pathname === '/api/v1/notifications/read-all') {
            read = true;
            return { body: { count: 1 } };
          }
          if (read && method === 'GET' && url.pathname === '/api/v1/notifications')
            return { body: { items: [{ ...unreadOne, read: true }, readOne], nextCursor: null } };
          return undefined;
        },
      }),
    });
    press(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    const dialog = await screen.findByRole('dialog', { name: 'Notifications' });
    await within(dialog).findByRole('list', { name: 'Latest notifications' });
    const markAll = within(dialog).getByRole('button', { name: 'Mark all as read' });
    press(markAll);

    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url.pathname).toBe('/api/v1/notifications/read-all');
    expect(post?.headers['Idempotency-Key']).toBeTruthy();
    // The list is read again: nothing in it is unread, and there is nothing left to mark.
    await waitFor(() => expect(dialog.textContent).not.toContain('Unread'));
    expect(markAll.getAttribute('aria-disabled')).toBe('true');

    // Closed, the bell says nothing is unread.
    fireEvent.keyDown(markAll, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(await screen.findByRole('button', { name: 'Notifications' })).toBeTruthy();
  });
});

describe('notificationTarget', () => {
  it('keeps paths in the app and opens only http(s) URLs', () => {
    expect(notificationTarget('/sales/orders/1')).toEqual({ kind: 'app', path: '/sales/orders/1' });
    expect(notificationTarget('https://blob.example/a.pdf')).toEqual({
      kind: 'external',
      url: 'https://blob.example/a.pdf',
    });
    expect(notificationTarget('//evil.example/x')).toBeUndefined();
    expect(notificationTarget('javascript:alert(1)')).toBeUndefined();
    expect(notificationTarget(null)).toBeUndefined();
  });
});
