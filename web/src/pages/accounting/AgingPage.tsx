import { Text, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { useApi } from '../../api/ApiProvider';
import { amountColumn } from '../../components/columns';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { useFormat } from '../../format/useFormat';
import { usePageStyles } from '../sales/QuotesPage';
import { ledgerKeys, type AgingBuckets, type AgingReport } from './api';
import { PeriodFields, usePeriodParams } from './reportPeriod';

const useStyles = makeStyles({
  totals: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(140px, 1fr))',
    gap: tokens.spacingHorizontalL,
    fontVariantNumeric: 'tabular-nums',
  },
  figure: { display: 'flex', flexDirection: 'column' },
  muted: { color: tokens.colorNeutralForeground3 },
});

const BUCKETS = ['current', 'days1To30', 'days31To60', 'days61To90', 'over90', 'total'] as const;
type Bucket = (typeof BUCKETS)[number];
type Row = AgingReport['parties'][number];

/**
 * What customers owe (receivables) or what is owed to suppliers (payables), by how long it is
 * past due, in the base currency; the totals also per document currency.
 */
export function AgingPage({ kind }: { kind: 'receivables' | 'payables' }) {
  const page = usePageStyles();
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const NAMES = ['asOf'] as const;
  const period = usePeriodParams(NAMES);
  const { asOf } = period.values;
  const path = kind === 'receivables' ? 'ar-aging' : 'ap-aging';
  const report = useQuery({
    queryKey: ledgerKeys.report(path, { asOf }),
    queryFn: ({ signal }) =>
      api.get<AgingReport>(`v1/accounting/reports/${path}`, { query: { asOf }, signal }),
  });
  const base = report.data?.baseCurrency ?? 'ZAR';
  const labels: Record<Bucket, string> = useMemo(
    () => ({
      current: intl.formatMessage({ id: 'aging.current', defaultMessage: 'Not yet due' }),
      days1To30: intl.formatMessage({ id: 'aging.days1To30', defaultMessage: '1–30 days' }),
      days31To60: intl.formatMessage({ id: 'aging.days31To60', defaultMessage: '31–60 days' }),
      days61To90: intl.formatMessage({ id: 'aging.days61To90', defaultMessage: '61–90 days' }),
      over90: intl.formatMessage({ id: 'aging.over90', defaultMessage: 'Over 90 days' }),
      total: intl.formatMessage({ id: 'aging.total', defaultMessage: 'Total' }),
    }),
    [intl],
  );
  const columns = useMemo<GridColumn<Row>[]>(
    () => [
      {
        id: 'code',
        header: intl.formatMessage({ id: 'aging.code', defaultMessage: 'Code' }),
        value: (r) => r.code,
        width: 110,
      },
      {
        id: 'name',
        header:
          kind === 'receivables'
            ? intl.formatMessage({ id: 'quote.customer', defaultMessage: 'Customer' })
            : intl.formatMessage({ id: 'aging.supplier', defaultMessage: 'Supplier' }),
        value: (r) => r.name,
        width: 240,
      },
      {
        id: 'currencies',
        header: intl.formatMessage({ id: 'aging.currencies', defaultMessage: 'Currencies' }),
        value: (r) => r.byCurrency.map((c) => c.currency).join(', '),
        width: 90,
      },
      ...BUCKETS.map((bucket) =>
        amountColumn<Row>(format, {
          id: bucket,
          header: labels[bucket],
          amount: (r) => r.base[bucket],
          currency: base,
          width: 130,
        }),
      ),
    ],
    [intl, format, base, kind, labels],
  );
  const title =
    kind === 'receivables'
      ? intl.formatMessage({ id: 'nav.arAging', defaultMessage: 'Receivables aging' })
      : intl.formatMessage({ id: 'nav.apAging', defaultMessage: 'Payables aging' });
  const totals = report.data?.totals;
  return (
    <div className={page.page}>
      <Title2 as="h1">{title}</Title2>
      {totals && (
        <section
          aria-label={intl.formatMessage({ id: 'aging.totals', defaultMessage: 'Totals' })}
          className={styles.totals}
          data-testid="aging-totals"
        >
          {BUCKETS.map((bucket) => (
            <BucketFigure
              key={bucket}
              label={labels[bucket]}
              buckets={totals.base}
              bucket={bucket}
              currency={base}
            />
          ))}
        </section>
      )}
      {totals && totals.byCurrency.length > 1 && (
        <Text className={styles.muted}>
          <FormattedMessage
            id="aging.byCurrency"
            defaultMessage="In document currencies: {list}"
            values={{
              list: totals.byCurrency.map((c) => format.amount(c.total, c.currency)).join(' · '),
            }}
          />
        </Text>
      )}
      <ResourceGrid<Row>
        label={title}
        exportName={`${path}-${asOf}`}
        columns={columns}
        rows={report.data?.parties ?? []}
        getRowId={(r) => r.partyId}
        loading={report.isPending}
        error={report.isError ? report.error : undefined}
        onRetry={() => void report.refetch()}
        filters={<PeriodFields names={NAMES} values={period.values} set={period.set} />}
        empty={
          kind === 'receivables' ? (
            <FormattedMessage id="aging.noReceivables" defaultMessage="No customer owes anything." />
          ) : (
            <FormattedMessage id="aging.noPayables" defaultMessage="Nothing is owed to suppliers." />
          )
        }
      />
    </div>
  );
}

function BucketFigure({
  label,
  buckets,
  bucket,
  currency,
}: {
  label: string;
  buckets: AgingBuckets;
  bucket: Bucket;
  currency: string;
}) {
  const styles = useStyles();
  const format = useFormat();
  return (
    <div className={styles.figure}>
      <Text size={200} className={styles.muted}>
        {label}
      </Text>
      <Text size={400} weight={bucket === 'total' ? 'semibold' : 'regular'}>
        {format.amount(buckets[bucket], currency)}
      </Text>
    </div>
  );
}
