import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title2,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useMemo, type ReactNode } from 'react';
import { FormattedMessage, useIntl, type IntlShape } from 'react-intl';
import { Link, useNavigate, useParams } from 'react-router';
import { useApi } from '../../api/ApiProvider';
import { useCursorList } from '../../api/useCursorList';
import { amountColumn } from '../../components/columns';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useFormat } from '../../format/useFormat';
import { usePageStyles } from '../sales/QuotesPage';
import {
  ledgerKeys,
  type BalanceSheet,
  type GeneralLedger,
  type ProfitAndLoss,
  type StatementSection,
  type TrialBalance,
} from './api';
import { PeriodFields, usePeriodParams } from './reportPeriod';

const useStyles = makeStyles({
  statement: { overflowX: 'auto', maxWidth: '960px' },
  numeric: { textAlign: 'end', fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' },
  sectionTitle: { fontWeight: tokens.fontWeightSemibold, paddingTop: tokens.spacingVerticalM },
  total: { fontWeight: tokens.fontWeightSemibold },
  grandTotal: {
    fontWeight: tokens.fontWeightBold,
    borderTop: `${tokens.strokeWidthThick} solid ${tokens.colorNeutralStroke1}`,
  },
  summary: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalXXL,
    fontVariantNumeric: 'tabular-nums',
  },
  figure: { display: 'flex', flexDirection: 'column' },
  muted: { color: tokens.colorNeutralForeground3 },
  balanced: { color: tokens.colorPaletteGreenForeground1 },
  unbalanced: { color: tokens.colorPaletteRedForeground1 },
});

/** Debit, credit and balance columns of ledger figures in one currency. */
function debitCreditBalance<T extends { debit: string | null; credit: string | null; balance: string }>(
  intl: IntlShape,
  format: ReturnType<typeof useFormat>,
  currency: string,
  width: number,
): GridColumn<T>[] {
  const column = (id: 'debit' | 'credit' | 'balance', header: string) =>
    amountColumn<T>(format, { id, header, amount: (r) => r[id], currency, width });
  return [
    column('debit', intl.formatMessage({ id: 'journal.debit', defaultMessage: 'Debit' })),
    column('credit', intl.formatMessage({ id: 'journal.credit', defaultMessage: 'Credit' })),
    column('balance', intl.formatMessage({ id: 'report.balance', defaultMessage: 'Balance' })),
  ];
}

/** Where a figure comes from: the account's ledger lines for the report's dates. */
export function ledgerPath(account: string, from: string, to: string): string {
  return `/accounting/ledger/${encodeURIComponent(account)}?from=${from}&to=${to}`;
}

function Figure({ label, children }: { label: ReactNode; children: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.figure}>
      <Text size={200} className={styles.muted}>
        {label}
      </Text>
      <Text size={400}>{children}</Text>
    </div>
  );
}

/** Debits, credits and balance per account; each account opens its ledger lines. */
export function TrialBalancePage() {
  const page = usePageStyles();
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const navigate = useNavigate();
  const NAMES = ['from', 'to'] as const;
  const period = usePeriodParams(NAMES);
  const { from, to } = period.values;
  const report = useQuery({
    queryKey: ledgerKeys.report('trial-balance', { from, to }),
    queryFn: ({ signal }) =>
      api.get<TrialBalance>('v1/accounting/reports/trial-balance', { query: { from, to }, signal }),
    enabled: period.ready,
  });
  const currency = report.data?.currency ?? 'ZAR';
  type Row = TrialBalance['rows'][number];
  const columns = useMemo<GridColumn<Row>[]>(
    () => [
      {
        id: 'account',
        header: intl.formatMessage({ id: 'journal.account', defaultMessage: 'Account' }),
        value: (r) => r.account,
        render: (r) => <Link to={ledgerPath(r.account, from, to)}>{r.account}</Link>,
        width: 110,
      },
      {
        id: 'name',
        header: intl.formatMessage({ id: 'account.name', defaultMessage: 'Name' }),
        value: (r) => r.name,
        width: 280,
      },
      ...debitCreditBalance<Row>(intl, format, currency, 160),
    ],
    [intl, format, currency, from, to],
  );
  const totals = report.data?.totals;
  const balances = totals ? totals.debit === totals.credit : true;
  return (
    <div className={page.page}>
      <Title2 as="h1">
        <FormattedMessage id="nav.trialBalance" defaultMessage="Trial balance" />
      </Title2>
      {totals && (
        <div className={styles.summary} data-testid="trial-balance-totals">
          <Figure label={<FormattedMessage id="report.totalDebits" defaultMessage="Total debits" />}>
            {format.amount(totals.debit, currency)}
          </Figure>
          <Figure label={<FormattedMessage id="report.totalCredits" defaultMessage="Total credits" />}>
            {format.amount(totals.credit, currency)}
          </Figure>
          <Figure label={<FormattedMessage id="report.check" defaultMessage="Check" />}>
            <span className={balances ? styles.balanced : styles.unbalanced}>
              {balances ? (
                <FormattedMessage id="report.balances" defaultMessage="Balances" />
              ) : (
                <FormattedMessage id="report.outOfBalance" defaultMessage="Out of balance" />
              )}
            </span>
          </Figure>
        </div>
      )}
      <ResourceGrid<Row>
        label={intl.formatMessage({ id: 'nav.trialBalance', defaultMessage: 'Trial balance' })}
        exportName={`trial-balance-${from}-${to}`}
        columns={columns}
        rows={report.data?.rows ?? []}
        getRowId={(r) => r.account}
        loading={!period.ready || report.isPending}
        error={report.isError ? report.error : undefined}
        onRetry={() => void report.refetch()}
        onRowActivate={(r) => void navigate(ledgerPath(r.account, from, to))}
        filters={<PeriodFields names={NAMES} values={period.values} set={period.set} />}
        empty={
          <FormattedMessage id="report.noPostings" defaultMessage="Nothing was posted in this period." />
        }
      />
    </div>
  );
}

/** One account's lines for a period, with opening, running and closing balances. */
export function LedgerPage() {
  const { code = '' } = useParams();
  const page = usePageStyles();
  const styles = useStyles();
  const intl = useIntl();
  const format = useFormat();
  const navigate = useNavigate();
  const NAMES = ['from', 'to'] as const;
  const period = usePeriodParams(NAMES);
  const { from, to } = period.values;
  const query = { account: code, from, to };
  const list = useCursorList<GeneralLedger['items'][number], GeneralLedger>(
    ledgerKeys.ledgerLines(query),
    'v1/accounting/reports/general-ledger',
    query,
    { enabled: period.ready },
  );
  const ledger = list.firstPage;
  const currency = ledger?.currency ?? 'ZAR';
  type Row = GeneralLedger['items'][number];
  const columns = useMemo<GridColumn<Row>[]>(
    () => [
      {
        id: 'date',
        header: intl.formatMessage({ id: 'journal.date', defaultMessage: 'Date' }),
        value: (r) => r.date,
        render: (r) => format.date(r.date),
        width: 110,
      },
      {
        id: 'entry',
        header: intl.formatMessage({ id: 'journal.number', defaultMessage: 'Entry' }),
        value: (r) => r.entryNumber,
        render: (r) => <Link to={`/accounting/journal/${r.entryId}`}>{r.entryNumber}</Link>,
        width: 150,
      },
      {
        id: 'memo',
        header: intl.formatMessage({ id: 'journal.memo', defaultMessage: 'Description' }),
        value: (r) => r.memo,
        width: 240,
      },
      ...debitCreditBalance<Row>(intl, format, currency, 140),
    ],
    [intl, format, currency],
  );
  return (
    <div className={page.page}>
      <Title2 as="h1">
        {ledger ? (
          <FormattedMessage
            id="ledger.title"
            defaultMessage="Ledger: {code} {name}"
            values={{ code: ledger.account.code, name: ledger.account.name }}
          />
        ) : (
          <FormattedMessage id="ledger.titleCode" defaultMessage="Ledger: {code}" values={{ code }} />
        )}
      </Title2>
      {ledger && (
        <div className={styles.summary}>
          <Figure label={<FormattedMessage id="ledger.opening" defaultMessage="Opening balance" />}>
            {format.amount(ledger.openingBalance, currency)}
          </Figure>
          <Figure label={<FormattedMessage id="report.totalDebits" defaultMessage="Total debits" />}>
            {format.amount(ledger.totals.debit, currency)}
          </Figure>
          <Figure label={<FormattedMessage id="report.totalCredits" defaultMessage="Total credits" />}>
            {format.amount(ledger.totals.credit, currency)}
          </Figure>
          <Figure label={<FormattedMessage id="ledger.closing" defaultMessage="Closing balance" />}>
            {format.amount(ledger.closingBalance, currency)}
          </Figure>
        </div>
      )}
      <ResourceGrid<Row>
        label={intl.formatMessage({ id: 'ledger.lines', defaultMessage: 'Ledger lines' })}
        exportName={`ledger-${code}-${from}-${to}`}
        columns={columns}
        getRowId={(r) => `${r.entryId}:${r.lineNo}`}
        onRowActivate={(r) => void navigate(`/accounting/journal/${r.entryId}`)}
        filters={<PeriodFields names={NAMES} values={period.values} set={period.set} />}
        empty={
          <FormattedMessage id="ledger.empty" defaultMessage="No lines on this account in this period." />
        }
        {...list}
        loading={!period.ready || list.loading}
      />
    </div>
  );
}

function StatementTable({
  sections,
  currency,
  comparisonLabel,
  lineLink,
  footer,
  label,
}: {
  sections: StatementSection<string>[];
  currency: string;
  comparisonLabel: string;
  lineLink: (account: string) => string;
  footer: ReactNode;
  label: string;
}) {
  const styles = useStyles();
  const format = useFormat();
  const intl = useIntl();
  return (
    <div className={styles.statement}>
      <Table size="small" aria-label={label}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>
              <FormattedMessage id="journal.account" defaultMessage="Account" />
            </TableHeaderCell>
            <TableHeaderCell className={styles.numeric}>
              <FormattedMessage id="report.thisPeriod" defaultMessage="This period" />
            </TableHeaderCell>
            <TableHeaderCell className={styles.numeric}>{comparisonLabel}</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {sections.map((section) => (
            <SectionRows
              key={section.type}
              section={section}
              currency={currency}
              lineLink={lineLink}
              title={sectionTitle(intl, section.type, section.title)}
              format={format}
            />
          ))}
          {footer}
        </TableBody>
      </Table>
    </div>
  );
}

function sectionTitle(intl: ReturnType<typeof useIntl>, type: string, fallback: string): string {
  switch (type) {
    case 'revenue':
      return intl.formatMessage({ id: 'account.type.revenue', defaultMessage: 'Revenue' });
    case 'expense':
      return intl.formatMessage({ id: 'account.type.expense', defaultMessage: 'Expenses' });
    case 'asset':
      return intl.formatMessage({ id: 'account.type.asset', defaultMessage: 'Assets' });
    case 'liability':
      return intl.formatMessage({ id: 'account.type.liability', defaultMessage: 'Liabilities' });
    case 'equity':
      return intl.formatMessage({ id: 'account.type.equity', defaultMessage: 'Equity' });
    default:
      return fallback;
  }
}

function SectionRows({
  section,
  currency,
  lineLink,
  title,
  format,
}: {
  section: StatementSection<string>;
  currency: string;
  lineLink: (account: string) => string;
  title: string;
  format: ReturnType<typeof useFormat>;
}) {
  const styles = useStyles();
  return (
    <>
      <TableRow>
        <TableCell className={styles.sectionTitle} colSpan={3}>
          {title}
        </TableCell>
      </TableRow>
      {section.lines.map((line) => (
        <TableRow key={line.account}>
          <TableCell>
            <Link to={lineLink(line.account)}>{line.account}</Link> {line.name}
          </TableCell>
          <TableCell className={styles.numeric}>{format.amount(line.amount, currency)}</TableCell>
          <TableCell className={styles.numeric}>{format.amount(line.comparativeAmount, currency)}</TableCell>
        </TableRow>
      ))}
      <TableRow className={styles.total}>
        <TableCell>
          <FormattedMessage
            id="report.sectionTotal"
            defaultMessage="Total {section}"
            values={{ section: title.toLocaleLowerCase() }}
          />
        </TableCell>
        <TableCell className={styles.numeric}>{format.amount(section.total, currency)}</TableCell>
        <TableCell className={styles.numeric}>{format.amount(section.comparativeTotal, currency)}</TableCell>
      </TableRow>
    </>
  );
}

/** Revenue and expenses for a period beside the period before it; each line opens its ledger. */
export function ProfitAndLossPage() {
  const page = usePageStyles();
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const NAMES = ['from', 'to'] as const;
  const period = usePeriodParams(NAMES);
  const { from, to } = period.values;
  const report = useQuery({
    queryKey: ledgerKeys.report('profit-and-loss', { from, to }),
    queryFn: ({ signal }) =>
      api.get<ProfitAndLoss>('v1/accounting/reports/profit-and-loss', { query: { from, to }, signal }),
    enabled: period.ready,
  });
  const title = intl.formatMessage({ id: 'nav.profitAndLoss', defaultMessage: 'Profit and loss' });
  let body: ReactNode;
  if (!period.ready || report.isPending) body = <Loading />;
  else if (report.isError) body = <ErrorState error={report.error} onRetry={() => void report.refetch()} />;
  else {
    const r = report.data;
    const empty = r.sections.every((s) => s.lines.length === 0);
    body = empty ? (
      <Empty>
        <FormattedMessage id="report.noPostings" defaultMessage="Nothing was posted in this period." />
      </Empty>
    ) : (
      <StatementTable
        label={title}
        sections={r.sections}
        currency={r.currency}
        comparisonLabel={intl.formatMessage(
          { id: 'report.comparison', defaultMessage: '{from} – {to}' },
          { from: format.date(r.comparison.from), to: format.date(r.comparison.to) },
        )}
        lineLink={(account) => ledgerPath(account, r.from, r.to)}
        footer={
          <TableRow className={styles.grandTotal}>
            <TableCell>
              <FormattedMessage id="report.netResult" defaultMessage="Net profit (loss)" />
            </TableCell>
            <TableCell className={styles.numeric} data-testid="net-result">
              {format.amount(r.netResult, r.currency)}
            </TableCell>
            <TableCell className={styles.numeric}>
              {format.amount(r.comparativeNetResult, r.currency)}
            </TableCell>
          </TableRow>
        }
      />
    );
  }
  return (
    <div className={page.page}>
      <Title2 as="h1">{title}</Title2>
      <PeriodFields names={NAMES} values={period.values} set={period.set} />
      {body}
    </div>
  );
}

/** Assets, liabilities and equity at a date beside a year earlier; each line opens its ledger. */
export function BalanceSheetPage() {
  const page = usePageStyles();
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const NAMES = ['date'] as const;
  const period = usePeriodParams(NAMES);
  const { date } = period.values;
  const report = useQuery({
    queryKey: ledgerKeys.report('balance-sheet', { date }),
    queryFn: ({ signal }) =>
      api.get<BalanceSheet>('v1/accounting/reports/balance-sheet', { query: { date }, signal }),
  });
  const title = intl.formatMessage({ id: 'nav.balanceSheet', defaultMessage: 'Balance sheet' });
  let body: ReactNode;
  if (report.isPending) body = <Loading />;
  else if (report.isError) body = <ErrorState error={report.error} onRetry={() => void report.refetch()} />;
  else {
    const r = report.data;
    const balanced = r.totals.assets === r.totals.liabilitiesAndEquity;
    body = (
      <StatementTable
        label={title}
        sections={r.sections}
        currency={r.currency}
        comparisonLabel={format.date(r.comparisonDate)}
        // A balance is everything posted up to the date.
        lineLink={(account) => ledgerPath(account, '1900-01-01', r.date)}
        footer={
          <>
            <TableRow>
              <TableCell>
                <FormattedMessage id="report.currentResult" defaultMessage="Result not yet closed" />
              </TableCell>
              <TableCell className={styles.numeric}>{format.amount(r.currentResult, r.currency)}</TableCell>
              <TableCell className={styles.numeric}>
                {format.amount(r.comparativeCurrentResult, r.currency)}
              </TableCell>
            </TableRow>
            <TableRow className={styles.grandTotal}>
              <TableCell>
                <FormattedMessage id="report.totalAssets" defaultMessage="Total assets" />
              </TableCell>
              <TableCell className={styles.numeric}>{format.amount(r.totals.assets, r.currency)}</TableCell>
              <TableCell className={styles.numeric}>
                {format.amount(r.totals.comparativeAssets, r.currency)}
              </TableCell>
            </TableRow>
            <TableRow className={mergeClasses(styles.total, balanced ? undefined : styles.unbalanced)}>
              <TableCell>
                <FormattedMessage
                  id="report.totalLiabilitiesEquity"
                  defaultMessage="Total liabilities and equity"
                />
              </TableCell>
              <TableCell className={styles.numeric}>
                {format.amount(r.totals.liabilitiesAndEquity, r.currency)}
              </TableCell>
              <TableCell className={styles.numeric}>
                {format.amount(r.totals.comparativeLiabilitiesAndEquity, r.currency)}
              </TableCell>
            </TableRow>
          </>
        }
      />
    );
  }
  return (
    <div className={page.page}>
      <Title2 as="h1">{title}</Title2>
      <PeriodFields names={NAMES} values={period.values} set={period.set} />
      {body}
    </div>
  );
}
