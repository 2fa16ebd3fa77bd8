import {
  Badge,
  Button,
  Spinner,
  Tab,
  TabList,
  Title2,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { CheckmarkCircleRegular, CheckmarkRegular, OpenRegular } from '@fluentui/react-icons';
import { FormattedMessage, defineMessages, useIntl } from 'react-intl';
import { Link, useSearchParams } from 'react-router';
import { notificationKeys } from '../../api/keys';
import { useCursorList } from '../../api/useCursorList';
import { Empty, ErrorState, Loading } from '../../components/States';
import {
  NotificationTime,
  notificationMessages,
  notificationTarget,
  useMarkAllNotificationsRead,
  useMarkNotificationRead,
  useNow,
  useUnreadNotificationCount,
  type UserNotification,
} from '../../shell/NotificationBell';
import { visuallyHidden } from '../../components/visuallyHidden';

const messages = defineMessages({
  filter: { id: 'notifications.filter', defaultMessage: 'Show notifications' },
  all: { id: 'notifications.filter.all', defaultMessage: 'All' },
  unreadOnly: { id: 'notifications.filter.unread', defaultMessage: 'Unread' },
  list: { id: 'notifications.list', defaultMessage: 'Your notifications' },
  unreadList: { id: 'notifications.list.unread', defaultMessage: 'Your unread notifications' },
  emptyUnread: {
    id: 'notifications.empty.unread',
    defaultMessage: 'You have read all your notifications.',
  },
  markRead: { id: 'notifications.markRead', defaultMessage: 'Mark as read' },
  markReadFailed: {
    id: 'notifications.markRead.failed',
    defaultMessage: 'The notification was not marked as read',
  },
  opensElsewhere: { id: 'notifications.opensElsewhere', defaultMessage: '(opens in a new tab)' },
  loadMore: { id: 'notifications.loadMore', defaultMessage: 'Load more' },
  loadingMore: { id: 'notifications.loadingMore', defaultMessage: 'Loading more notifications' },
});

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '960px' },
  heading: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  spacer: { flexGrow: 1 },
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  row: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    ':not(:last-child)': { borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  },
  unreadRow: { backgroundColor: tokens.colorNeutralBackground2 },
  // Unread rows have a dot and a label as well as a shade: not colour alone.
  marker: { flexShrink: 0, width: '8px', height: '8px', marginTop: '7px', borderRadius: '50%' },
  markerUnread: { backgroundColor: tokens.colorBrandBackground },
  content: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    flexGrow: 1,
    minWidth: 0,
  },
  title: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightRegular },
  titleUnread: { fontWeight: tokens.fontWeightSemibold },
  link: {
    color: tokens.colorBrandForegroundLink,
    ':hover': { color: tokens.colorBrandForegroundLinkHover },
  },
  linkIcon: { verticalAlign: 'middle', marginInlineStart: tokens.spacingHorizontalXXS },
  body: {
    margin: 0,
    color: tokens.colorNeutralForeground2,
    whiteSpace: 'pre-line',
    overflowWrap: 'anywhere',
  },
  meta: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
  },
  actions: { flexShrink: 0 },
  footer: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM },
  count: { color: tokens.colorNeutralForeground3 },
  visuallyHidden,
});

/**
 * The signed-in user's notifications, newest first, all of them or only the unread ones (the
 * choice is in the URL, `?unread=true`, so it survives a reload and can be linked to).
 */
export function NotificationsPage() {
  const styles = useStyles();
  const intl = useIntl();
  const [params, setParams] = useSearchParams();
  const unreadOnly = params.get('unread') === 'true';
  const filters = unreadOnly ? { unread: 'true' } : {};
  const list = useCursorList<UserNotification>(notificationKeys.list(filters), 'v1/notifications', filters);
  const unreadCount = useUnreadNotificationCount();
  const markRead = useMarkNotificationRead();
  const markAllRead = useMarkAllNotificationsRead();
  const now = useNow();

  const anyUnread = (unreadCount.data ?? 0) > 0 || list.rows.some((n) => !n.read);

  let content;
  if (list.loading) content = <Loading />;
  else if (list.error) content = <ErrorState error={list.error} onRetry={list.onRetry} />;
  else if (list.rows.length === 0)
    content = (
      <Empty>
        {unreadOnly ? (
          <FormattedMessage {...messages.emptyUnread} />
        ) : (
          <FormattedMessage {...notificationMessages.empty} />
        )}
      </Empty>
    );
  else
    content = (
      <>
        <ul
          className={styles.list}
          aria-label={intl.formatMessage(unreadOnly ? messages.unreadList : messages.list)}
        >
          {list.rows.map((n) => (
            <NotificationRow
              key={n.id}
              notification={n}
              now={now}
              marking={markRead.isPending && markRead.variables === n.id}
              onMarkRead={() => markRead.mutate(n.id)}
            />
          ))}
        </ul>
        <div className={styles.footer}>
          <span className={styles.count} role="status">
            <FormattedMessage
              id="notifications.count"
              defaultMessage="{shown, plural, one {# notification} other {# notifications}} shown{more, select, true {, more to load} other {}}"
              values={{ shown: list.rows.length, more: String(Boolean(list.hasMore)) }}
            />
          </span>
          {list.hasMore && (
            <Button onClick={list.onLoadMore} disabledFocusable={list.loadingMore}>
              {list.loadingMore ? (
                <Spinner size="tiny" aria-label={intl.formatMessage(messages.loadingMore)} />
              ) : (
                <FormattedMessage {...messages.loadMore} />
              )}
            </Button>
          )}
        </div>
      </>
    );

  return (
    <div className={styles.page}>
      <div className={styles.heading}>
        <Title2 as="h1">
          <FormattedMessage {...notificationMessages.title} />
        </Title2>
        <span className={styles.spacer} />
        <Button
          icon={<CheckmarkCircleRegular />}
          // Still focusable while disabled, so a keyboard user's focus is not lost by the click.
          disabledFocusable={!anyUnread || markAllRead.isPending}
          onClick={() => markAllRead.mutate()}
        >
          <FormattedMessage {...notificationMessages.markAllRead} />
        </Button>
      </div>
      <TabList
        aria-label={intl.formatMessage(messages.filter)}
        selectedValue={unreadOnly ? 'unread' : 'all'}
        onTabSelect={(_, data) =>
          setParams(data.value === 'unread' ? { unread: 'true' } : {}, { replace: true })
        }
      >
        <Tab value="all">
          <FormattedMessage {...messages.all} />
        </Tab>
        <Tab value="unread">
          <FormattedMessage {...messages.unreadOnly} />
        </Tab>
      </TabList>
      {markAllRead.isError && (
        <ErrorState
          title={intl.formatMessage(notificationMessages.markAllReadFailed)}
          error={markAllRead.error}
        />
      )}
      {markRead.isError && (
        <ErrorState title={intl.formatMessage(messages.markReadFailed)} error={markRead.error} />
      )}
      {content}
    </div>
  );
}

function NotificationRow({
  notification: n,
  now,
  marking,
  onMarkRead,
}: {
  notification: UserNotification;
  now: number;
  marking: boolean;
  onMarkRead: () => void;
}) {
  const styles = useStyles();
  const intl = useIntl();
  const target = notificationTarget(n.link);
  // Opening what a notification is about is reading it.
  const onOpen = () => {
    if (!n.read) onMarkRead();
  };

  let title;
  if (target?.kind === 'app')
    title = (
      <Link to={target.path} className={styles.link} onClick={onOpen}>
        {n.title}
      </Link>
    );
  else if (target?.kind === 'external')
    title = (
      <a href={target.url} target="_blank" rel="noopener noreferrer" className={styles.link} onClick={onOpen}>
        {n.title}
        <OpenRegular className={styles.linkIcon} aria-hidden />
        <span className={styles.visuallyHidden}> {intl.formatMessage(messages.opensElsewhere)}</span>
      </a>
    );
  else title = n.title;

  return (
    <li className={mergeClasses(styles.row, !n.read && styles.unreadRow)}>
      <span className={mergeClasses(styles.marker, !n.read && styles.markerUnread)} aria-hidden />
      <div className={styles.content}>
        <h2 className={mergeClasses(styles.title, !n.read && styles.titleUnread)}>{title}</h2>
        <p className={styles.body}>{n.body}</p>
        <div className={styles.meta}>
          <NotificationTime iso={n.createdAt} now={now} />
          {n.read ? (
            <span>
              {n.readAt ? (
                <FormattedMessage
                  id="notifications.readAt"
                  defaultMessage="Read {time}"
                  values={{ time: <NotificationTime iso={n.readAt} now={now} /> }}
                />
              ) : (
                <FormattedMessage {...notificationMessages.read} />
              )}
            </span>
          ) : (
            <Badge appearance="filled" color="brand" size="small">
              <FormattedMessage {...notificationMessages.unread} />
            </Badge>
          )}
        </div>
      </div>
      {!n.read && (
        <div className={styles.actions}>
          <Button
            size="small"
            icon={<CheckmarkRegular />}
            disabled={marking}
            aria-label={intl.formatMessage(
              { id: 'notifications.markRead.of', defaultMessage: 'Mark as read: {title}' },
              { title: n.title },
            )}
            onClick={onMarkRead}
          >
            <FormattedMessage {...messages.markRead} />
          </Button>
        </div>
      )}
    </li>
  );
}
