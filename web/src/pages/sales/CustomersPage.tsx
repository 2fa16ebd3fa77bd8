import { Button, Field, SearchBox, Title2 } from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useEffect, useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link, useNavigate } from 'react-router';
import { accountingKeys } from '../../api/keys';
import type { Customer } from '../../api/types';
import { useCursorList } from '../../api/useCursorList';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { useFormat } from '../../format/useFormat';
import { ActiveFilter, activeColumn, type ActiveChoice } from '../inventory/formParts';
import { usePageStyles } from './QuotesPage';

export function CustomersPage() {
  const styles = usePageStyles();
  const intl = useIntl();
  const format = useFormat();
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [active, setActive] = useState<ActiveChoice>('true');
  const navigate = useNavigate();
  const roles = useRoles();
  useEffect(() => {
    const timer = setTimeout(() => setSearch(text.trim()), 300);
    return () => clearTimeout(timer);
  }, [text]);
  const filters = { search: search || undefined, active: active || undefined };
  const list = useCursorList<Customer>(
    accountingKeys.customerList(filters),
    'v1/accounting/customers',
    filters,
  );
  const columns = useMemo<GridColumn<Customer>[]>(
    () => [
      {
        id: 'code',
        header: intl.formatMessage({ id: 'customer.code', defaultMessage: 'Code' }),
        value: (c) => c.code,
        render: (c) => <Link to={`/sales/customers/${c.id}`}>{c.code}</Link>,
        width: 120,
      },
      {
        id: 'name',
        header: intl.formatMessage({ id: 'customer.name', defaultMessage: 'Name' }),
        value: (c) => c.name,
        width: 260,
      },
      {
        id: 'currency',
        header: intl.formatMessage({ id: 'quote.currency', defaultMessage: 'Currency' }),
        value: (c) => c.currency,
        width: 90,
      },
      {
        id: 'terms',
        header: intl.formatMessage({ id: 'customer.terms', defaultMessage: 'Payment terms' }),
        value: (c) => c.paymentTermsDays,
        render: (c) =>
          intl.formatMessage(
            {
              id: 'customer.termsDays',
              defaultMessage: '{days, plural, =0 {On delivery} one {# day} other {# days}}',
            },
            { days: c.paymentTermsDays },
          ),
        numeric: true,
        width: 130,
      },
      {
        id: 'creditLimit',
        header: intl.formatMessage({ id: 'customer.creditLimit', defaultMessage: 'Credit limit' }),
        value: (c) => (c.creditLimit ? Number(c.creditLimit.amount) : null),
        render: (c) => (c.creditLimit ? format.money(c.creditLimit) : '—'),
        exportValue: (c) => c.creditLimit?.amount ?? '',
        numeric: true,
        width: 150,
      },
      {
        id: 'email',
        header: intl.formatMessage({ id: 'customer.email', defaultMessage: 'E-mail' }),
        value: (c) => c.email,
        width: 220,
      },
      {
        id: 'phone',
        header: intl.formatMessage({ id: 'customer.phone', defaultMessage: 'Phone' }),
        value: (c) => c.phone,
        width: 150,
      },
      activeColumn(
        intl.formatMessage({ id: 'customer.activeLabel', defaultMessage: 'Active' }),
        intl.formatMessage({ id: 'customer.inactive', defaultMessage: 'Inactive' }),
        (c) => c.active,
      ),
    ],
    [intl, format],
  );
  return (
    <div className={styles.page}>
      <div className={styles.heading}>
        <Title2 as="h1">
          <FormattedMessage id="nav.customers" defaultMessage="Customers" />
        </Title2>
        <span className={styles.spacer} />
        {can.manageCustomers(roles) && (
          <Button
            appearance="primary"
            icon={<AddRegular />}
            onClick={() => void navigate('/sales/customers/new')}
          >
            <FormattedMessage id="customer.newButton" defaultMessage="New customer" />
          </Button>
        )}
      </div>
      <ResourceGrid<Customer>
        label={intl.formatMessage({ id: 'nav.customers', defaultMessage: 'Customers' })}
        exportName="customers"
        columns={columns}
        getRowId={(c) => c.id}
        onRowActivate={(c) => void navigate(`/sales/customers/${c.id}`)}
        empty={<FormattedMessage id="customers.empty" defaultMessage="No customers match." />}
        filters={
          <>
            <Field label={intl.formatMessage({ id: 'customer.search', defaultMessage: 'Name or code' })}>
              <SearchBox value={text} onChange={(_, data) => setText(data.value)} />
            </Field>
            <ActiveFilter
              value={active}
              onChange={setActive}
              activeLabel={intl.formatMessage({
                id: 'customer.filterActive',
                defaultMessage: 'Active customers',
              })}
              inactiveLabel={intl.formatMessage({
                id: 'customer.filterInactive',
                defaultMessage: 'Deactivated customers',
              })}
            />
          </>
        }
        {...list}
      />
    </div>
  );
}
