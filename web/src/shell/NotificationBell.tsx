import {
  Button,
  CounterBadge,
  MessageBar,
  MessageBarBody,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  Text,
  Tooltip,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { AlertRegular, CheckmarkCircleRegular } from '@fluentui/react-icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useState } from 'react';
import { FormattedMessage, defineMessages, useIntl } from 'react-intl';
import { Link, useNavigate } from 'react-router';
import { useApi } from '../api/ApiProvider';
import type { Page } from '../api/client';
import { notificationKeys } from '../api/keys';
import { Empty, ErrorState, Loading, useErrorText } from '../components/States';
import { useFormat } from '../format/useFormat';
import { visuallyHidden } from '../components/visuallyHidden';

/** One of the signed-in user's notifications, as `GET /api/v1/notifications` answers it. */
export interface UserNotification {
  id: string;
  /** Which template wrote it (`approval.requested`). */
  template: string;
  title: string;
  body: string;
  /** A path in the web app or an absolute URL; null when there is nothing to open. */
  link: string | null;
  read: boolean;
  readAt: string | null;
  createdAt: string;
}

export type NotificationPage = Page<UserNotification>;

/** How often the bell asks for the unread count while the app is in view. */
const UNREAD_POLL_MS = 30_000;
/** How many of the latest notifications the bell's popover shows; the page shows the rest. */
const LATEST_COUNT = 8;

export const notificationMessages = defineMessages({
  title: { id: 'notifications.title', defaultMessage: 'Notifications' },
  unread: { id: 'notifications.unread', defaultMessage: 'Unread' },
  read: { id: 'notifications.read', defaultMessage: 'Read' },
  markAllRead: { id: 'notifications.markAllRead', defaultMessage: 'Mark all as read' },
  markAllReadFailed: {
    id: 'notifications.markAllRead.failed',
    defaultMessage: 'The notifications were not marked as read',
  },
  empty: { id: 'notifications.empty', defaultMessage: 'You have no notifications.' },
  seeAll: { id: 'notifications.seeAll', defaultMessage: 'See all notifications' },
  latest: { id: 'notifications.latest', defaultMessage: 'Latest notifications' },
  justNow: { id: 'notifications.time.justNow', defaultMessage: 'just now' },
});

/** Where a notification's link leads: a page of the app, another site, or nowhere. */
export type NotificationTarget = { kind: 'app'; path: string } | { kind: 'external'; url: string };

/**
 * A notification's link as something safe to open. Paths stay in the app (a `//host` path would
 * leave it, so it is not one); absolute URLs must be http(s), never a script.
 */
export function notificationTarget(link: string | null): NotificationTarget | undefined {
  if (!link) return undefined;
  if (link.startsWith('/') && !link.startsWith('//') && !link.startsWith('/\\')) {
    return { kind: 'app', path: link };
  }
  try {
    const url = new URL(link);
    return url.protocol === 'https:' || url.protocol === 'http:'
      ? { kind: 'external', url: url.href }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The number of unread notifications; the bell polls it, the page reads the same cache. */
export function useUnreadNotificationCount(options: { poll?: boolean } = {}) {
  const api = useApi();
  return useQuery({
    queryKey: notificationKeys.unreadCount(),
    queryFn: ({ signal }) => api.get<{ count: number }>('v1/notifications/unread-count', { signal }),
    select: (data) => data.count,
    refetchInterval: options.poll ? UNREAD_POLL_MS : undefined,
    refetchOnWindowFocus: true,
  });
}

/** Marks one notification read; every notification list and the count are read again after. */
export function useMarkNotificationRead() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<UserNotification>(`v1/notifications/${id}/read`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

/** Marks every unread notification read. */
export function useMarkAllNotificationsRead() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ count: number }>('v1/notifications/read-all'),
    onSuccess: () => queryClient.setQueryData(notificationKeys.unreadCount(), { count: 0 }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

/** The current time, moved on once a minute so that "5 minutes ago" stays true. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

const SECOND = 1;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * When something happened, in words relative to `nowMs` ("3 minutes ago", "yesterday") for the
 * last few days, and as a date and time before that.
 */
export function useRelativeTime() {
  const intl = useIntl();
  const format = useFormat();
  return useCallback(
    (iso: string, nowMs: number): string => {
      const seconds = Math.round((Date.parse(iso) - nowMs) / 1000);
      const distance = Math.abs(seconds);
      if (Number.isNaN(seconds)) return iso;
      if (distance < 45 * SECOND) return intl.formatMessage(notificationMessages.justNow);
      if (distance < 45 * MINUTE) return intl.formatRelativeTime(Math.round(seconds / MINUTE), 'minute');
      if (distance < 22 * HOUR) return intl.formatRelativeTime(Math.round(seconds / HOUR), 'hour');
      if (distance < 6 * DAY) {
        return intl.formatRelativeTime(Math.round(seconds / DAY), 'day', { numeric: 'auto' });
      }
      return format.dateTime(iso);
    },
    [intl, format],
  );
}

/** A notification's time in words, with the exact date and time on hover and for machines. */
export function NotificationTime({ iso, now, className }: { iso: string; now: number; className?: string }) {
  const relative = useRelativeTime();
  const format = useFormat();
  return (
    <time dateTime={iso} title={format.dateTime(iso)} className={className}>
      {relative(iso, now)}
    </time>
  );
}

const useStyles = makeStyles({
  icon: { position: 'relative', display: 'inline-flex' },
  badge: { position: 'absolute', top: '-6px', insetInlineStart: '10px' },
  surface: {
    width: 'min(380px, calc(100vw - 32px))',
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  heading: {
    margin: 0,
    flexGrow: 1,
    fontSize: tokens.fontSizeBase400,
    fontWeight: tokens.fontWeightSemibold,
  },
  list: { listStyle: 'none', margin: 0, padding: 0, maxHeight: '60vh', overflowY: 'auto' },
  item: {
    display: 'flex',
    gap: tokens.spacingHorizontalS,
    width: '100%',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: 'none',
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
    backgroundColor: 'transparent',
    color: tokens.colorNeutralForeground1,
    textAlign: 'start',
    font: 'inherit',
    cursor: 'pointer',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
    ':focus-visible': {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
      outlineOffset: `calc(-1 * ${tokens.strokeWidthThick})`,
    },
  },
  unreadItem: { backgroundColor: tokens.colorNeutralBackground2 },
  // The dot is a shape, not only a colour: read notifications have none.
  marker: { flexShrink: 0, width: '8px', height: '8px', marginTop: '6px', borderRadius: '50%' },
  markerUnread: { backgroundColor: tokens.colorBrandBackground },
  text: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  itemTitle: { fontWeight: tokens.fontWeightRegular },
  itemTitleUnread: { fontWeight: tokens.fontWeightSemibold },
  itemBody: {
    color: tokens.colorNeutralForeground2,
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
  time: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  footer: {
    display: 'flex',
    justifyContent: 'center',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
  },
  link: {
    color: tokens.colorBrandForegroundLink,
    ':hover': { color: tokens.colorBrandForegroundLinkHover },
  },
  state: { padding: tokens.spacingVerticalS },
  visuallyHidden,
});

/**
 * The header's bell: the number of unread notifications, read again every 30 seconds and when the
 * window regains focus, and a popover with the latest ones.
 */
export function NotificationBell({ className }: { className?: string }) {
  const styles = useStyles();
  const intl = useIntl();
  const [open, setOpen] = useState(false);
  const headingId = useId();
  const unread = useUnreadNotificationCount({ poll: true });
  const count = unread.data ?? 0;
  const label = intl.formatMessage(
    {
      id: 'notifications.bell.label',
      defaultMessage: '{count, plural, =0 {Notifications} other {Notifications, # unread}}',
    },
    { count },
  );

  return (
    <Popover
      open={open}
      onOpenChange={(_, data) => setOpen(data.open)}
      positioning="below-end"
      trapFocus
      withArrow
    >
      <PopoverTrigger disableButtonEnhancement>
        <Tooltip content={label} relationship="label">
          <Button
            appearance="transparent"
            className={className}
            aria-expanded={open}
            icon={
              <span className={styles.icon}>
                <AlertRegular />
                {count > 0 && (
                  <CounterBadge
                    className={styles.badge}
                    count={count}
                    overflowCount={99}
                    size="small"
                    color="danger"
                    aria-hidden
                  />
                )}
              </span>
            }
          />
        </Tooltip>
      </PopoverTrigger>
      {/* The surface takes the focus when it opens (its content may still be loading), so the
          dialog is announced by its name and Tab goes on to what is in it. */}
      <PopoverSurface className={styles.surface} aria-labelledby={headingId} tabIndex={-1}>
        {open && (
          <LatestNotifications headingId={headingId} unreadCount={count} onClose={() => setOpen(false)} />
        )}
      </PopoverSurface>
    </Popover>
  );
}

/** The popover's content: read when the popover opens, so it is never older than the click. */
function LatestNotifications({
  headingId,
  unreadCount,
  onClose,
}: {
  headingId: string;
  unreadCount: number;
  onClose: () => void;
}) {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const navigate = useNavigate();
  const errorText = useErrorText();
  const now = useNow();
  const filters = { limit: String(LATEST_COUNT) };
  const latest = useQuery({
    queryKey: notificationKeys.list(filters),
    queryFn: ({ signal }) => api.get<NotificationPage>('v1/notifications', { query: filters, signal }),
  });
  const markRead = useMarkNotificationRead();
  const markAllRead = useMarkAllNotificationsRead();

  // The popover closes at once; the mark lands in the background and the badge follows it. Should
  // it fail, the notification is simply still unread the next time the popover opens.
  const openNotification = (notification: UserNotification) => {
    if (!notification.read) markRead.mutate(notification.id);
    onClose();
    const target = notificationTarget(notification.link);
    if (!target) return;
    if (target.kind === 'app') void navigate(target.path);
    else window.open(target.url, '_blank', 'noopener,noreferrer');
  };

  const items = latest.data?.items ?? [];
  const anyUnread = unreadCount > 0 || items.some((n) => !n.read);

  let content;
  if (latest.isPending) content = <Loading />;
  else if (latest.isError)
    content = (
      <div className={styles.state}>
        <ErrorState error={latest.error} onRetry={() => void latest.refetch()} />
      </div>
    );
  else if (items.length === 0)
    content = (
      <Empty>
        <FormattedMessage {...notificationMessages.empty} />
      </Empty>
    );
  else
    content = (
      <ul className={styles.list} aria-label={intl.formatMessage(notificationMessages.latest)}>
        {items.map((n) => (
          <li key={n.id}>
            <button
              type="button"
              className={mergeClasses(styles.item, !n.read && styles.unreadItem)}
              onClick={() => openNotification(n)}
            >
              <span className={mergeClasses(styles.marker, !n.read && styles.markerUnread)} aria-hidden />
              <span className={styles.text}>
                {!n.read && (
                  <span className={styles.visuallyHidden}>
                    {intl.formatMessage(notificationMessages.unread)}
                    {', '}
                  </span>
                )}
                <span className={n.read ? styles.itemTitle : styles.itemTitleUnread}>{n.title}</span>
                <span className={styles.itemBody}>{n.body}</span>
                <NotificationTime iso={n.createdAt} now={now} className={styles.time} />
              </span>
            </button>
          </li>
        ))}
      </ul>
    );

  return (
    <>
      <div className={styles.header}>
        <h2 id={headingId} className={styles.heading}>
          <FormattedMessage {...notificationMessages.title} />
        </h2>
        <Button
          appearance="subtle"
          size="small"
          icon={<CheckmarkCircleRegular />}
          // Still focusable while disabled, so the focus stays in the popover after the click.
          disabledFocusable={!anyUnread || markAllRead.isPending}
          onClick={() => markAllRead.mutate()}
        >
          <FormattedMessage {...notificationMessages.markAllRead} />
        </Button>
      </div>
      {markAllRead.isError && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <Text weight="semibold">{intl.formatMessage(notificationMessages.markAllReadFailed)}</Text>{' '}
            {errorText(markAllRead.error)}
          </MessageBarBody>
        </MessageBar>
      )}
      {content}
      <div className={styles.footer}>
        <Link to="/notifications" className={styles.link} onClick={onClose}>
          <FormattedMessage {...notificationMessages.seeAll} />
        </Link>
      </div>
    </>
  );
}
