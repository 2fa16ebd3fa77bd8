import {
  Badge,
  Button,
  Dropdown,
  Field,
  Option,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link, useNavigate } from 'react-router';
import { salesKeys } from '../../api/keys';
import { QUOTE_STATUSES, type Quote, type QuoteStatus } from '../../api/types';
import { useCursorList } from '../../api/useCursorList';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { useFormat } from '../../format/useFormat';
import { quoteStatusLabels } from './labels';

export const usePageStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  heading: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  spacer: { flexGrow: 1 },
});

export function QuotesPage() {
  const styles = usePageStyles();
  const intl = useIntl();
  const format = useFormat();
  const navigate = useNavigate();
  const roles = useRoles();
  const [status, setStatus] = useState<QuoteStatus | ''>('');
  const filters = { status: status || undefined };
  const list = useCursorList<Quote>(salesKeys.quoteList(filters), 'v1/sales/quotes', filters);

  const columns = useMemo<GridColumn<Quote>[]>(
    () => [
      {
        id: 'number',
        header: intl.formatMessage({ id: 'quote.number', defaultMessage: 'Number' }),
        value: (q) => q.number,
        render: (q) => <Link to={`/sales/quotes/${q.id}`}>{q.number}</Link>,
        width: 150,
      },
      {
        id: 'customer',
        header: intl.formatMessage({ id: 'quote.customer', defaultMessage: 'Customer' }),
        value: (q) => q.customer.name,
        width: 240,
      },
      {
        id: 'date',
        header: intl.formatMessage({ id: 'quote.date', defaultMessage: 'Date' }),
        value: (q) => q.quoteDate,
        render: (q) => format.date(q.quoteDate),
        width: 120,
      },
      {
        id: 'validUntil',
        header: intl.formatMessage({ id: 'quote.validUntil', defaultMessage: 'Valid until' }),
        value: (q) => q.validUntil,
        render: (q) => format.date(q.validUntil),
        width: 120,
      },
      {
        id: 'status',
        header: intl.formatMessage({ id: 'quote.status', defaultMessage: 'Status' }),
        value: (q) => intl.formatMessage(quoteStatusLabels[q.status]),
        render: (q) => <Badge appearance="tint">{intl.formatMessage(quoteStatusLabels[q.status])}</Badge>,
        width: 120,
      },
      {
        id: 'gross',
        header: intl.formatMessage({ id: 'quote.totalGross', defaultMessage: 'Total' }),
        value: (q) => Number(q.gross.amount),
        render: (q) => format.money(q.gross),
        exportValue: (q) => q.gross.amount,
        numeric: true,
        width: 150,
      },
      {
        id: 'currency',
        header: intl.formatMessage({ id: 'quote.currency', defaultMessage: 'Currency' }),
        value: (q) => q.currency,
        width: 90,
      },
    ],
    [intl, format],
  );

  return (
    <div className={styles.page}>
      <div className={styles.heading}>
        <Title2 as="h1">
          <FormattedMessage id="nav.quotes" defaultMessage="Quotes" />
        </Title2>
        <span className={styles.spacer} />
        {can.sell(roles) && (
          <Button
            appearance="primary"
            icon={<AddRegular />}
            onClick={() => void navigate('/sales/quotes/new')}
          >
            <FormattedMessage id="quote.new" defaultMessage="New quote" />
          </Button>
        )}
      </div>
      <ResourceGrid<Quote>
        label={intl.formatMessage({ id: 'nav.quotes', defaultMessage: 'Quotes' })}
        exportName="quotes"
        columns={columns}
        getRowId={(q) => q.id}
        onRowActivate={(q) => void navigate(`/sales/quotes/${q.id}`)}
        empty={<FormattedMessage id="quotes.empty" defaultMessage="No quotes yet." />}
        filters={
          <Field label={intl.formatMessage({ id: 'quote.status', defaultMessage: 'Status' })}>
            <Dropdown
              value={
                status
                  ? intl.formatMessage(quoteStatusLabels[status])
                  : intl.formatMessage({ id: 'filter.all', defaultMessage: 'All' })
              }
              selectedOptions={[status]}
              onOptionSelect={(_, data) => setStatus((data.optionValue ?? '') as QuoteStatus | '')}
            >
              <Option value="">{intl.formatMessage({ id: 'filter.all', defaultMessage: 'All' })}</Option>
              {QUOTE_STATUSES.map((s) => (
                <Option key={s} value={s}>
                  {intl.formatMessage(quoteStatusLabels[s])}
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
