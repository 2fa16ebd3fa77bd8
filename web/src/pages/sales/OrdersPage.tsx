import { Badge, Button, Dropdown, Field, Option, Title2 } from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link, useNavigate } from 'react-router';
import { salesKeys } from '../../api/keys';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../../api/types';
import { useCursorList } from '../../api/useCursorList';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { useFormat } from '../../format/useFormat';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { orderStatusLabels } from './labels';
import { usePageStyles } from './QuotesPage';

export function OrdersPage() {
  const styles = usePageStyles();
  const intl = useIntl();
  const format = useFormat();
  const navigate = useNavigate();
  const roles = useRoles();
  const [status, setStatus] = useState<OrderStatus | ''>('');
  const filters = { status: status || undefined };
  const list = useCursorList<Order>(salesKeys.orderList(filters), 'v1/sales/orders', filters);
  const columns = useMemo<GridColumn<Order>[]>(
    () => [
      {
        id: 'number',
        header: intl.formatMessage({ id: 'order.number', defaultMessage: 'Order' }),
        value: (o) => o.number,
        render: (o) => <Link to={`/sales/orders/${o.id}`}>{o.number}</Link>,
        width: 160,
      },
      {
        id: 'customer',
        header: intl.formatMessage({ id: 'quote.customer', defaultMessage: 'Customer' }),
        value: (o) => o.customer.name,
        width: 240,
      },
      {
        id: 'date',
        header: intl.formatMessage({ id: 'quote.date', defaultMessage: 'Date' }),
        value: (o) => o.orderDate,
        render: (o) => format.date(o.orderDate),
        width: 120,
      },
      {
        id: 'status',
        header: intl.formatMessage({ id: 'quote.status', defaultMessage: 'Status' }),
        value: (o) => intl.formatMessage(orderStatusLabels[o.status]),
        render: (o) => <Badge appearance="tint">{intl.formatMessage(orderStatusLabels[o.status])}</Badge>,
        width: 140,
      },
      {
        id: 'gross',
        header: intl.formatMessage({ id: 'quote.totalGross', defaultMessage: 'Total' }),
        value: (o) => Number(o.gross.amount),
        render: (o) => format.money(o.gross),
        exportValue: (o) => o.gross.amount,
        numeric: true,
        width: 150,
      },
      {
        id: 'currency',
        header: intl.formatMessage({ id: 'quote.currency', defaultMessage: 'Currency' }),
        value: (o) => o.currency,
        width: 90,
      },
    ],
    [intl, format],
  );
  return (
    <div className={styles.page}>
      <div className={styles.heading}>
        <Title2 as="h1">
          <FormattedMessage id="nav.orders" defaultMessage="Orders" />
        </Title2>
        <span className={styles.spacer} />
        {can.sell(roles) && (
          <Button
            appearance="primary"
            icon={<AddRegular />}
            onClick={() => void navigate('/sales/orders/new')}
          >
            <FormattedMessage id="order.new" defaultMessage="New order" />
          </Button>
        )}
      </div>
      <ResourceGrid<Order>
        label={intl.formatMessage({ id: 'nav.orders', defaultMessage: 'Orders' })}
        exportName="orders"
        columns={columns}
        getRowId={(o) => o.id}
        onRowActivate={(o) => void navigate(`/sales/orders/${o.id}`)}
        empty={
          <FormattedMessage id="orders.empty" defaultMessage="No orders yet. Enter one, or accept a quote." />
        }
        filters={
          <Field label={intl.formatMessage({ id: 'quote.status', defaultMessage: 'Status' })}>
            <Dropdown
              value={
                status
                  ? intl.formatMessage(orderStatusLabels[status])
                  : intl.formatMessage({ id: 'filter.all', defaultMessage: 'All' })
              }
              selectedOptions={[status]}
              onOptionSelect={(_, data) => setStatus((data.optionValue ?? '') as OrderStatus | '')}
            >
              <Option value="">{intl.formatMessage({ id: 'filter.all', defaultMessage: 'All' })}</Option>
              {ORDER_STATUSES.map((s) => (
                <Option key={s} value={s}>
                  {intl.formatMessage(orderStatusLabels[s])}
                </Option>
              ))}
            </Dropdown>
          </Field>
        }
        {...list}
      />
    </div>
  );
}
