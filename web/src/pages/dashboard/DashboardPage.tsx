import {
  Body1,
  Caption1,
  Card,
  CardFooter,
  CardHeader,
  Link as FluentLink,
  Subtitle1,
  Text,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link, useNavigate } from 'react-router';
import type { ApiClient, Page } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { useTenant } from '../../api/useTenant';
import { accountingKeys, approvalsKeys, inventoryKeys, salesKeys } from '../../api/keys';
import type { Approval, LowStockReport, Money, Order, Tenant } from '../../api/types';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Decimal } from '../../format/decimal';
import { useFormat } from '../../format/useFormat';
import type { AgingReport, ProfitAndLoss } from '../accounting/api';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  cards: {
    display: 'grid',
    gap: tokens.spacingHorizontalL,
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 300px), 1fr))',
    alignItems: 'stretch',
  },
  card: { minHeight: '200px' },
  figure: {
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontWeight: tokens.fontWeightSemibold,
    fontVariantNumeric: 'tabular-nums',
    overflowWrap: 'anywhere',
  },
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, flexGrow: 1 },
  muted: { color: tokens.colorNeutralForeground3 },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalL },
  rows: {
    display: 'grid',
    gridTemplateColumns: '1fr auto',
    columnGap: tokens.spacingHorizontalM,
    fontVariantNumeric: 'tabular-nums',
  },
  end: { textAlign: 'end' },
});

/** At most this many pages are read to count a list; more shows as "at least". */
const COUNT_PAGES = 5;
const COUNT_PAGE_SIZE = 200;

/** Reads a cursor-paged list page by page while `keep` holds, up to COUNT_PAGES pages. */
async function collect<T>(
  api: ApiClient,
  path: string,
  query: Record<string, string>,
  signal: AbortSignal,
  keep: (page: T[]) => boolean = () => true,
): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < COUNT_PAGES; pages += 1) {
    const page = await api.get<Page<T>>(path, {
      query: { ...query, limit: COUNT_PAGE_SIZE, cursor },
      signal,
    });
    items.push(...page.items);
    if (!page.nextCursor || !keep(page.items)) return { items, complete: true };
    cursor = page.nextCursor;
  }
  return { items, complete: false };
}

/** Today and the first of the month in the tenant's time zone, as `YYYY-MM-DD`. */
function monthToDate(timeZone: string): { from: string; to: string } {
  const to = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date())
    .slice(0, 10);
  return { from: `${to.slice(0, 8)}01`, to };
}

/** Amounts added per currency, exactly. */
function totalsByCurrency(amounts: Money[]): Money[] {
  const sums = new Map<string, InstanceType<typeof Decimal>>();
  for (const m of amounts) sums.set(m.currency, (sums.get(m.currency) ?? new Decimal(0)).plus(m.amount));
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, sum]) => ({ currency, amount: sum.toFixed() }));
}

/**
 * The first page after sign-in: this month's sales, open orders, the user's approvals inbox,
 * overdue receivables and low stock. Each card loads on its own and shows only when the user's
 * roles may read what it shows.
 */
export function DashboardPage() {
  const styles = useStyles();
  const roles = useRoles();
  const tenant = useTenant();
  const showSales = can.readSales(roles) || can.readLedger(roles);
  return (
    <div className={styles.page}>
      <Title2 as="h1">
        <FormattedMessage id="dashboard.title" defaultMessage="Dashboard" />
      </Title2>
      <div className={styles.cards}>
        {showSales && <SalesThisMonthCard tenant={tenant} />}
        {can.readSales(roles) && <OpenOrdersCard />}
        {can.useApprovals(roles) && <ApprovalsCard />}
        {can.readLedger(roles) && <OverdueCard />}
        {can.readInventory(roles) && <LowStockCard />}
      </div>
    </div>
  );
}

function DashboardCard(props: {
  title: ReactNode;
  to: string;
  linkLabel: ReactNode;
  query: Pick<UseQueryResult, 'isPending' | 'isError' | 'error' | 'refetch'>;
  children: () => ReactNode;
}) {
  const styles = useStyles();
  const navigate = useNavigate();
  let body: ReactNode;
  if (props.query.isPending) body = <Loading />;
  else if (props.query.isError)
    body = <ErrorState error={props.query.error} onRetry={() => void props.query.refetch()} />;
  else body = props.children();
  return (
    <Card
      className={styles.card}
      role="region"
      aria-label={typeof props.title === 'string' ? props.title : undefined}
    >
      <CardHeader header={<Subtitle1 as="h2">{props.title}</Subtitle1>} />
      <div className={styles.body}>{body}</div>
      <CardFooter>
        <FluentLink
          href={props.to}
          onClick={(event) => {
            if (event.ctrlKey || event.metaKey || event.shiftKey) return;
            event.preventDefault();
            void navigate(props.to);
          }}
        >
          {props.linkLabel}
        </FluentLink>
      </CardFooter>
    </Card>
  );
}

function SalesThisMonthCard({ tenant }: { tenant: UseQueryResult<Tenant> }) {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const roles = useRoles();
  const period = tenant.data ? monthToDate(tenant.data.timeZone) : undefined;
  const invoiced = useQuery({
    queryKey: accountingKeys.figures('revenue', { ...period }),
    queryFn: ({ signal }) =>
      api.get<ProfitAndLoss>('v1/accounting/reports/profit-and-loss', {
        query: { from: period?.from, to: period?.to },
        signal,
      }),
    enabled: period !== undefined && can.readLedger(roles),
  });
  const ordered = useQuery({
    queryKey: salesKeys.orderList({ dashboard: 'month', from: period?.from }),
    // Orders come newest first: reading stops at the first page that reaches last month.
    queryFn: async ({ signal }) => {
      const from = period?.from ?? '';
      const { items, complete } = await collect<Order>(api, 'v1/sales/orders', {}, signal, (page) =>
        page.every((o) => o.orderDate >= from),
      );
      const thisMonth = items.filter((o) => o.orderDate >= from && o.status !== 'cancelled');
      return { count: thisMonth.length, totals: totalsByCurrency(thisMonth.map((o) => o.gross)), complete };
    },
    enabled: period !== undefined && can.readSales(roles),
  });
  const pending =
    (can.readLedger(roles) && invoiced.isPending) || (can.readSales(roles) && ordered.isPending);
  const failed = tenant.isError
    ? tenant
    : invoiced.isError
      ? invoiced
      : ordered.isError
        ? ordered
        : undefined;
  const title = intl.formatMessage({ id: 'dashboard.salesMonth', defaultMessage: 'Sales this month' });
  return (
    <DashboardCard
      title={title}
      to={can.readLedger(roles) ? '/accounting/profit-and-loss' : '/sales/orders'}
      linkLabel={
        can.readLedger(roles) ? (
          <FormattedMessage id="dashboard.openProfitAndLoss" defaultMessage="Profit and loss" />
        ) : (
          <FormattedMessage id="dashboard.openOrders" defaultMessage="All orders" />
        )
      }
      query={{
        isPending: tenant.isPending || pending,
        isError: failed !== undefined,
        error: failed?.error ?? null,
        refetch: () => (failed ?? tenant).refetch(),
      }}
    >
      {() => (
        <>
          {invoiced.data && (
            <>
              <span className={styles.figure} data-testid="dashboard-revenue">
                {format.amount(
                  invoiced.data.sections.find((s) => s.type === 'revenue')?.total ?? '0',
                  invoiced.data.currency,
                )}
              </span>
              <Caption1 className={styles.muted}>
                <FormattedMessage
                  id="dashboard.revenueSince"
                  defaultMessage="Invoiced revenue from {from} to {to}"
                  values={{ from: format.date(invoiced.data.from), to: format.date(invoiced.data.to) }}
                />
              </Caption1>
            </>
          )}
          {ordered.data && (
            <>
              {!invoiced.data &&
                (ordered.data.totals.length === 0 ? (
                  <span className={styles.figure}>
                    {format.amount('0', tenant.data?.baseCurrency ?? 'ZAR')}
                  </span>
                ) : (
                  ordered.data.totals.map((t) => (
                    <span key={t.currency} className={styles.figure}>
                      {format.money(t)}
                    </span>
                  ))
                ))}
              <Body1>
                <FormattedMessage
                  id="dashboard.ordersMonth"
                  defaultMessage="{complete, select, true {} other {at least }}{count, plural, =0 {No orders} one {# order} other {# orders}} this month"
                  values={{ count: ordered.data.count, complete: String(ordered.data.complete) }}
                />
                {invoiced.data &&
                  ordered.data.totals.map((t) => (
                    <span key={t.currency}>
                      {' · '}
                      {format.money(t)}
                    </span>
                  ))}
              </Body1>
            </>
          )}
        </>
      )}
    </DashboardCard>
  );
}

const OPEN_STATUSES = ['confirmed', 'partially_delivered', 'delivered'] as const;

function OpenOrdersCard() {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const open = useQuery({
    queryKey: salesKeys.orderList({ dashboard: 'open' }),
    queryFn: async ({ signal }) => {
      const lists = await Promise.all(
        OPEN_STATUSES.map((status) => collect<Order>(api, 'v1/sales/orders', { status }, signal)),
      );
      const orders = lists.flatMap((l) => l.items);
      return {
        count: orders.length,
        complete: lists.every((l) => l.complete),
        byStatus: OPEN_STATUSES.map((status, i) => ({ status, count: lists[i]!.items.length })),
        totals: totalsByCurrency(orders.map((o) => o.gross)),
      };
    },
  });
  const statusLabels = {
    confirmed: intl.formatMessage({ id: 'order.status.confirmed', defaultMessage: 'Confirmed' }),
    partially_delivered: intl.formatMessage({
      id: 'order.status.partiallyDelivered',
      defaultMessage: 'Partly delivered',
    }),
    delivered: intl.formatMessage({
      id: 'dashboard.deliveredNotInvoiced',
      defaultMessage: 'Delivered, not invoiced',
    }),
  };
  return (
    <DashboardCard
      title={intl.formatMessage({ id: 'dashboard.openOrdersTitle', defaultMessage: 'Open orders' })}
      to="/sales/orders"
      linkLabel={<FormattedMessage id="dashboard.openOrders" defaultMessage="All orders" />}
      query={open}
    >
      {() =>
        open.data && open.data.count === 0 ? (
          <Empty>
            <FormattedMessage id="dashboard.noOpenOrders" defaultMessage="No open orders." />
          </Empty>
        ) : (
          open.data && (
            <>
              <span className={styles.figure} data-testid="dashboard-open-orders">
                {intl.formatNumber(open.data.count)}
                {open.data.complete ? '' : '+'}
              </span>
              <div className={styles.rows}>
                {open.data.byStatus.map((s) => (
                  <FragmentRow
                    key={s.status}
                    label={statusLabels[s.status]}
                    value={intl.formatNumber(s.count)}
                  />
                ))}
                {open.data.totals.map((t) => (
                  <FragmentRow
                    key={t.currency}
                    label={intl.formatMessage(
                      { id: 'dashboard.openValue', defaultMessage: 'Value in {currency}' },
                      { currency: t.currency },
                    )}
                    value={format.money(t)}
                  />
                ))}
              </div>
            </>
          )
        )
      }
    </DashboardCard>
  );
}

function FragmentRow({ label, value }: { label: string; value: string }) {
  const styles = useStyles();
  return (
    <>
      <Text>{label}</Text>
      <Text className={styles.end}>{value}</Text>
    </>
  );
}

function ApprovalsCard() {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const inbox = useQuery({
    queryKey: approvalsKeys.inbox({ status: 'pending', dashboard: 'count' }),
    queryFn: ({ signal }) =>
      collect<Approval>(api, 'v1/approvals', { view: 'inbox', status: 'pending' }, signal),
  });
  const decidable = inbox.data?.items.filter((a) => a.canDecide).length ?? 0;
  return (
    <DashboardCard
      title={intl.formatMessage({ id: 'dashboard.approvals', defaultMessage: 'Pending approvals' })}
      to="/approvals"
      linkLabel={<FormattedMessage id="dashboard.openInbox" defaultMessage="Open the inbox" />}
      query={inbox}
    >
      {() =>
        inbox.data?.items.length === 0 ? (
          <Empty>
            <FormattedMessage id="dashboard.inboxEmpty" defaultMessage="Nothing waits for your decision." />
          </Empty>
        ) : (
          <>
            <span className={styles.figure} data-testid="dashboard-approvals">
              {intl.formatNumber(decidable)}
              {inbox.data?.complete ? '' : '+'}
            </span>
            <Body1>
              <FormattedMessage
                id="dashboard.approvalsWaiting"
                defaultMessage="{count, plural, one {# request waits} other {# requests wait}} for your decision"
                values={{ count: decidable }}
              />
            </Body1>
            <ul className={styles.list}>
              {inbox.data?.items.slice(0, 3).map((a) => (
                <li key={a.id}>
                  <Link to="/approvals">{a.title}</Link>
                </li>
              ))}
            </ul>
          </>
        )
      }
    </DashboardCard>
  );
}

function OverdueCard() {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const aging = useQuery({
    queryKey: accountingKeys.figures('ar-aging', {}),
    queryFn: ({ signal }) => api.get<AgingReport>('v1/accounting/reports/ar-aging', { signal }),
  });
  const figures = (() => {
    if (!aging.data) return undefined;
    const base = aging.data.totals.base;
    const overdue = new Decimal(base.total).minus(base.current);
    const overdueParties = aging.data.parties.filter((p) =>
      new Decimal(p.base.total).minus(p.base.current).gt(0),
    );
    return { base, overdue: overdue.toFixed(), overdueParties, currency: aging.data.baseCurrency };
  })();
  const buckets = figures && [
    [
      intl.formatMessage({ id: 'dashboard.aging.1to30', defaultMessage: '1–30 days' }),
      figures.base.days1To30,
    ],
    [
      intl.formatMessage({ id: 'dashboard.aging.31to60', defaultMessage: '31–60 days' }),
      figures.base.days31To60,
    ],
    [
      intl.formatMessage({ id: 'dashboard.aging.61to90', defaultMessage: '61–90 days' }),
      figures.base.days61To90,
    ],
    [
      intl.formatMessage({ id: 'dashboard.aging.over90', defaultMessage: 'Over 90 days' }),
      figures.base.over90,
    ],
  ];
  return (
    <DashboardCard
      title={intl.formatMessage({ id: 'dashboard.overdue', defaultMessage: 'Receivables overdue' })}
      to="/accounting/ar-aging"
      linkLabel={<FormattedMessage id="dashboard.openAging" defaultMessage="Aged receivables" />}
      query={aging}
    >
      {() =>
        figures && (
          <>
            <span className={styles.figure} data-testid="dashboard-overdue">
              {format.amount(figures.overdue, figures.currency)}
            </span>
            <Caption1 className={styles.muted}>
              <FormattedMessage
                id="dashboard.overdueCustomers"
                defaultMessage="{count, plural, =0 {No customer is} one {# customer is} other {# customers are}} past due, of {total} outstanding"
                values={{
                  count: figures.overdueParties.length,
                  total: format.amount(figures.base.total, figures.currency),
                }}
              />
            </Caption1>
            <div className={styles.rows}>
              {buckets?.map(([label, amount]) => (
                <FragmentRow key={label} label={label!} value={format.amount(amount!, figures.currency)} />
              ))}
            </div>
          </>
        )
      }
    </DashboardCard>
  );
}

const LOW_STOCK_SHOWN = 5;

function LowStockCard() {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const low = useQuery({
    queryKey: inventoryKeys.lowStock(),
    queryFn: ({ signal }) => api.get<LowStockReport>('v1/inventory/reports/low-stock', { signal }),
  });
  const rows = [...(low.data?.rows ?? [])].sort((a, b) => new Decimal(b.shortfall).comparedTo(a.shortfall));
  return (
    <DashboardCard
      title={intl.formatMessage({ id: 'dashboard.lowStock', defaultMessage: 'Low stock' })}
      to="/inventory/items"
      linkLabel={<FormattedMessage id="dashboard.openItems" defaultMessage="Items" />}
      query={low}
    >
      {() =>
        rows.length === 0 ? (
          <Empty>
            <FormattedMessage
              id="dashboard.noLowStock"
              defaultMessage="Every item is above its reorder level."
            />
          </Empty>
        ) : (
          <>
            <span className={styles.figure} data-testid="dashboard-low-stock">
              {intl.formatNumber(rows.length)}
            </span>
            <Body1>
              <FormattedMessage
                id="dashboard.lowStockCount"
                defaultMessage="{count, plural, one {# item is} other {# items are}} at or below the reorder level"
                values={{ count: rows.length }}
              />
            </Body1>
            <div className={styles.rows}>
              {rows.slice(0, LOW_STOCK_SHOWN).map((r) => (
                <FragmentRow
                  key={r.itemId}
                  label={`${r.sku} · ${r.itemName}`}
                  value={intl.formatMessage(
                    { id: 'dashboard.shortfall', defaultMessage: '{available} of {reorder} {uom}' },
                    {
                      available: format.quantity(r.available),
                      reorder: format.quantity(r.reorderLevel),
                      uom: r.uom,
                    },
                  )}
                />
              ))}
            </div>
          </>
        )
      }
    </DashboardCard>
  );
}
