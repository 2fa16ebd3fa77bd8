import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { UserNotification } from '../../shell/NotificationBell';
import { renderWithApp, type Handler } from '../../test/render';
import { NotificationsPage } from './NotificationsPage';

/** Where the page sent the user. */
function Where() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

const page = (
  <>
    <NotificationsPage />
    <Where />
  </>
);

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

function notification(n: number, overrides: Partial<UserNotification> = {}): UserNotification {
  return {
    id: `5b0e7c2a-0000-4000-8000-${String(n).padStart(12, '0')}`,
    template: 'approval.requested',
    title: `Approve order SO-2026-00012${n}`,
    body: `Thandi Nkosi asks you to approve order SO-2026-00012${n}.`,
    link: `/sales/orders/${n}`,
    read: false,
    readAt: null,
    createdAt: hoursAgo(n),
    ...overrides,
  };
}

const unreadOne = notification(1);
const readOne = notification(2, {
  template: 'report.ready',
  title: 'Your VAT report is ready',
  body: 'VAT report for October 2026.',
  link: 'https://blob.example/reports/vat.pdf?sig=abc',
  read: true,
  readAt: hoursAgo(1),
});
const noLink = notification(3, { title: 'Stock count tomorrow', link: null, read: true, readAt: null });

/** The notifications API over a fixed set; `unread=true` filters, pages of `limit` by cursor. */
function notificationsApi(options: { items: UserNotification[]; answer?: Handler }): Handler {
  return (method, url, body) => {
    const answered = options.answer?.(method, url, body);
    if (answered) return answered;
    if (method === 'GET' && url.pathname === '/api/v1/notifications/unread-count')
      return { body: { count: options.items.filter((n) => !n.read).length } };
    if (method === 'GET' && url.pathname === '/api/v1/notifications') {
      const matching = options.items.filter((n) => url.searchParams.get('unread') !== 'true' || !n.read);
      const limit = Number(url.searchParams.get('limit') ?? '50');
      const start = Number(url.searchParams.get('cursor') ?? '0');
      const items = matching.slice(start, start + limit);
      const next = start + limit < matching.length ? String(start + limit) : null;
      return { body: { items, nextCursor: next } };
    }
    return undefined;
  };
}

function rowOf(title: string): HTMLElement {
  return screen.getByRole('heading', { name: new RegExp(title) }).closest('li') as HTMLElement;
}

describe('NotificationsPage', () => {
  it('lists the notifications with their read state and a link to their record', async () => {
    renderWithApp(page, { handler: notificationsApi({ items: [unreadOne, readOne, noLink] }) });
    const list = await screen.findByRole('list', { name: 'Your notifications' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);

    const unread = rowOf('Approve order SO-2026-000121');
    expect(
      within(unread).getByRole('link', { name: 'Approve order SO-2026-000121' }).getAttribute('href'),
    ).toBe('/sales/orders/1');
    expect(within(unread).getByText('Thandi Nkosi asks you to approve order SO-2026-000121.')).toBeTruthy();
    expect(within(unread).getByText('Unread')).toBeTruthy();
    expect(within(unread).getByText('1 hour ago')).toBeTruthy();
    expect(
      within(unread).getByRole('button', { name: 'Mark as read: Approve order SO-2026-000121' }),
    ).toBeTruthy();

    const read = rowOf('Your VAT report is ready');
    const external = within(read).getByRole('link', { name: /Your VAT report is ready/ });
    expect(external.getAttribute('href')).toBe('https://blob.example/reports/vat.pdf?sig=abc');
    expect(external.getAttribute('target')).toBe('_blank');
    expect(external.getAttribute('rel')).toBe('noopener noreferrer');
    expect(read.textContent).toContain('Read 1 hour ago');
    expect(within(read).queryByText('Unread')).toBeNull();
    expect(within(read).queryByRole('button', { name: /Mark as read/ })).toBeNull();

    const plain = rowOf('Stock count tomorrow');
    expect(within(plain).queryByRole('link')).toBeNull();
    expect(screen.getByText('3 notifications shown')).toBeTruthy();
  });

  it('shows only the unread ones with ?unread=true, and all again from the All tab', async () => {
    const { calls } = renderWithApp(page, { handler: notificationsApi({ items: [unreadOne, readOne] }) });
    await screen.findByRole('list', { name: 'Your notifications' });
    fireEvent.click(screen.getByRole('tab', { name: 'Unread' }));

    const list = await screen.findByRole('list', { name: 'Your unread notifications' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    expect(within(list).getByText('Approve order SO-2026-000121')).toBeTruthy();
    expect(screen.getByTestId('location').textContent).toBe('/?unread=true');
    const lists = calls.filter((c) => c.url.pathname === '/api/v1/notifications');
    expect(lists.at(-1)?.url.searchParams.get('unread')).toBe('true');
    expect(lists[0]?.url.searchParams.has('unread')).toBe(false);
    expect(screen.getByRole('tab', { name: 'Unread' }).getAttribute('aria-selected')).toBe('true');

    fireEvent.click(screen.getByRole('tab', { name: 'All' }));
    await screen.findByRole('list', { name: 'Your notifications' });
    expect(screen.getByTestId('location').textContent).toBe('/');
  });

  it('says so when nothing is unread', async () => {
    renderWithApp(page, { handler: notificationsApi({ items: [readOne] }) });
    await screen.findByRole('list', { name: 'Your notifications' });
    fireEvent.click(screen.getByRole('tab', { name: 'Unread' }));
    expect(await screen.findByText('You have read all your notifications.')).toBeTruthy();
  });

  it('says so when there are no notifications at all', async () => {
    renderWithApp(page, { handler: notificationsApi({ items: [] }) });
    expect(await screen.findByText('You have no notifications.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Mark all as read' }).getAttribute('aria-disabled')).toBe(
      'true',
    );
  });

  it('loads the next page with the cursor of the last', async () => {
    const items = Array.from({ length: 53 }, (_, i) => notification(i + 1, { read: i % 2 === 0 }));
    const { calls } = renderWithApp(page, { handler: notificationsApi({ items }) });
    const list = await screen.findByRole('list', { name: 'Your notifications' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(50);
    expect(screen.getByText('50 notifications shown, more to load')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(53));
    const pages = calls.filter((c) => c.url.pathname === '/api/v1/notifications');
    expect(pages.map((c) => c.url.searchParams.get('cursor'))).toEqual([null, '50']);
    expect(pages.map((c) => c.url.searchParams.get('limit'))).toEqual(['50', '50']);
    expect(screen.getByText('53 notifications shown')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('marks one notification read and reads the list again', async () => {
    let current = [unreadOne, readOne];
    const { calls } = renderWithApp(page, {
      handler: (method, url, body) => {
        if (method === 'POST' && url.pathname === `/api/v1/notifications/${unreadOne.id}/read`) {
          current = [{ ...unreadOne, read: true, readAt: new Date().toISOString() }, readOne];
          return { body: current[0] };
        }
        return notificationsApi({ items: current })(method, url, body);
      },
    });
    await screen.findByRole('list', { name: 'Your notifications' });
    fireEvent.click(screen.getByRole('button', { name: 'Mark as read: Approve order SO-2026-000121' }));

    await waitFor(() =>
      expect(within(rowOf('Approve order SO-2026-000121')).queryByText('Unread')).toBeNull(),
    );
    expect(rowOf('Approve order SO-2026-000121').textContent).toContain('Read just now');
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url.pathname).toBe(`/api/v1/notifications/${unreadOne.id}/read`);
    expect(post?.headers['Idempotency-Key']).toBeTruthy();
  });

  it('marks an unread notification read when its record is opened', async () => {
    const { calls } = renderWithApp(page, {
      handler: notificationsApi({
        items: [unreadOne],
        answer: (method, url) =>
          method === 'POST' && url.pathname.endsWith('/read')
            ? { body: { ...unreadOne, read: true } }
            : undefined,
      }),
    });
    fireEvent.click(await screen.findByRole('link', { name: 'Approve order SO-2026-000121' }));
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/sales/orders/1'));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.url.pathname).toBe(
        `/api/v1/notifications/${unreadOne.id}/read`,
      ),
    );
  });

  it('marks all as read', async () => {
    let current = [unreadOne, notification(4), readOne];
    const { calls } = renderWithApp(page, {
      handler: (method, url, body) => {
        if (method === 'POST' && url.pathname === '/api/v1/notifications/read-all') {
          current = current.map((n) => ({ ...n, read: true, readAt: n.readAt ?? new Date().toISOString() }));
          return { body: { count: 2 } };
        }
        return notificationsApi({ items: current })(method, url, body);
      },
    });
    const list = await screen.findByRole('list', { name: 'Your notifications' });
    expect(within(list).getAllByText('Unread')).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Mark all as read' }));

    await waitFor(() => expect(within(list).queryAllByText('Unread')).toHaveLength(0));
    expect(screen.queryAllByRole('button', { name: /Mark as read:/ })).toHaveLength(0);
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => c.url.pathname)).toEqual(['/api/v1/notifications/read-all']);
    expect(posts[0]?.headers['Idempotency-Key']).toBeTruthy();
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Mark all as read' }).getAttribute('aria-disabled')).toBe(
        'true',
      ),
    );
  });

  it('shows a failed read with a way to try again', async () => {
    let fail = true;
    renderWithApp(page, {
      handler: notificationsApi({
        items: [unreadOne],
        answer: (method, url) =>
          fail && method === 'GET' && url.pathname === '/api/v1/notifications'
            ? {
                status: 503,
                body: { status: 503, title: 'Service Unavailable', detail: 'Try again shortly.' },
              }
            : undefined,
      }),
    });
    expect(await screen.findByText('Something went wrong')).toBeTruthy();
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('list', { name: 'Your notifications' })).toBeTruthy();
  });
});
