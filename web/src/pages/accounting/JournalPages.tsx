import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowUndoRegular } from '@fluentui/react-icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { fieldErrorsOf } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { useCursorList } from '../../api/useCursorList';
import { useTenant } from '../../api/useTenant';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { amountColumn } from '../../components/columns';
import { DocumentsPanel } from '../../components/DocumentsPanel';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { ErrorState, Loading, useErrorText } from '../../components/States';
import { Decimal } from '../../format/decimal';
import { useFormat } from '../../format/useFormat';
import { usePageStyles } from '../sales/QuotesPage';
import { ledgerKeys, today, useAllAccounts, type JournalEntry } from './api';
import { JournalForm } from './JournalForm';

const useStyles = makeStyles({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))',
    gap: tokens.spacingHorizontalL,
  },
  fact: { display: 'flex', flexDirection: 'column' },
  label: { color: tokens.colorNeutralForeground3 },
  lines: { overflowX: 'auto' },
  numeric: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  total: { fontWeight: tokens.fontWeightSemibold },
});

/** Journal entries, newest first, filtered by dates and account. */
export function JournalListPage() {
  const styles = usePageStyles();
  const intl = useIntl();
  const format = useFormat();
  const navigate = useNavigate();
  const roles = useRoles();
  const [search] = useSearchParams();
  const [from, setFrom] = useState(search.get('from') ?? '');
  const [to, setTo] = useState(search.get('to') ?? '');
  const [account, setAccount] = useState(search.get('account') ?? '');
  const filters = { from: from || undefined, to: to || undefined, account: account || undefined };
  const list = useCursorList<JournalEntry>(
    ledgerKeys.journalList(filters),
    'v1/accounting/journal-entries',
    filters,
  );
  const columns = useMemo<GridColumn<JournalEntry>[]>(
    () => [
      {
        id: 'number',
        header: intl.formatMessage({ id: 'journal.number', defaultMessage: 'Entry' }),
        value: (e) => e.number,
        render: (e) => <Link to={`/accounting/journal/${e.id}`}>{e.number}</Link>,
        width: 170,
      },
      {
        id: 'date',
        header: intl.formatMessage({ id: 'journal.date', defaultMessage: 'Date' }),
        value: (e) => e.date,
        render: (e) => format.date(e.date),
        width: 120,
      },
      {
        id: 'memo',
        header: intl.formatMessage({ id: 'journal.memo', defaultMessage: 'Description' }),
        value: (e) => e.memo,
        width: 320,
      },
      amountColumn<JournalEntry>(format, {
        id: 'amount',
        header: intl.formatMessage({ id: 'journal.amount', defaultMessage: 'Amount' }),
        amount: entryTotal,
        currency: (e) => e.currency,
      }),
      {
        id: 'currency',
        header: intl.formatMessage({ id: 'journal.currency', defaultMessage: 'Currency' }),
        value: (e) => e.currency,
        width: 90,
      },
      {
        id: 'source',
        header: intl.formatMessage({ id: 'journal.source', defaultMessage: 'Source' }),
        value: (e) =>
          e.source?.type ?? intl.formatMessage({ id: 'journal.manual', defaultMessage: 'Manual' }),
        width: 160,
      },
    ],
    [intl, format],
  );
  return (
    <div className={styles.page}>
      <div className={styles.heading}>
        <Title2 as="h1">
          <FormattedMessage id="nav.journal" defaultMessage="Journal" />
        </Title2>
        <span className={styles.spacer} />
        {can.postJournal(roles) && (
          <Button
            appearance="primary"
            icon={<AddRegular />}
            onClick={() => void navigate('/accounting/journal/new')}
          >
            <FormattedMessage id="journal.new" defaultMessage="New journal entry" />
          </Button>
        )}
      </div>
      <ResourceGrid<JournalEntry>
        label={intl.formatMessage({ id: 'nav.journal', defaultMessage: 'Journal' })}
        exportName="journal"
        columns={columns}
        getRowId={(e) => e.id}
        onRowActivate={(e) => void navigate(`/accounting/journal/${e.id}`)}
        empty={<FormattedMessage id="journal.empty" defaultMessage="No journal entries match." />}
        filters={
          <>
            <Field label={intl.formatMessage({ id: 'report.from', defaultMessage: 'From' })}>
              <Input type="date" value={from} onChange={(_, d) => setFrom(d.value)} />
            </Field>
            <Field label={intl.formatMessage({ id: 'report.to', defaultMessage: 'To' })}>
              <Input type="date" value={to} onChange={(_, d) => setTo(d.value)} />
            </Field>
            <Field label={intl.formatMessage({ id: 'journal.accountCode', defaultMessage: 'Account code' })}>
              <Input value={account} onChange={(_, d) => setAccount(d.value.toUpperCase())} />
            </Field>
          </>
        }
        {...list}
      />
    </div>
  );
}

/** The entry's size: its debits in its own currency. */
function entryTotal(entry: JournalEntry): string {
  return sumLines(entry, 'debit');
}

function sumLines(entry: JournalEntry, side: 'debit' | 'credit' | 'baseDebit' | 'baseCredit'): string {
  return entry.lines.reduce((total, l) => total.plus(l[side]?.amount ?? 0), new Decimal(0)).toFixed();
}

/** A new manual entry, against the tenant's chart in its base currency. */
export function NewJournalEntryPage() {
  const tenant = useTenant();
  const accounts = useAllAccounts();
  if (tenant.isPending || accounts.isPending) return <Loading />;
  if (tenant.isError) return <ErrorState error={tenant.error} onRetry={() => void tenant.refetch()} />;
  if (accounts.isError) return <ErrorState error={accounts.error} onRetry={() => void accounts.refetch()} />;
  return (
    <JournalForm
      accounts={accounts.data}
      baseCurrency={tenant.data.baseCurrency}
      date={today(tenant.data.timeZone)}
    />
  );
}

/** One posted entry: its lines in its currency and in the base currency, its reversal and its documents. */
export function JournalEntryPage() {
  const { id = '' } = useParams();
  const api = useApi();
  const page = usePageStyles();
  const styles = useStyles();
  const intl = useIntl();
  const format = useFormat();
  const roles = useRoles();
  const entry = useQuery({
    queryKey: ledgerKeys.entry(id),
    queryFn: ({ signal }) => api.get<JournalEntry>(`v1/accounting/journal-entries/${id}`, { signal }),
  });
  const [reversing, setReversing] = useState(false);
  if (entry.isPending) return <Loading />;
  if (entry.isError) return <ErrorState error={entry.error} onRetry={() => void entry.refetch()} />;
  const e = entry.data;
  const foreign = e.currency !== e.baseCurrency;
  const sum = (side: 'debit' | 'credit' | 'baseDebit' | 'baseCredit') => sumLines(e, side);
  const fact = (label: string, value: ReactNode) => (
    <div className={styles.fact}>
      <Text size={200} className={styles.label}>
        {label}
      </Text>
      <Text>{value}</Text>
    </div>
  );
  return (
    <div className={page.page}>
      <div className={page.heading}>
        <Title2 as="h1">
          <FormattedMessage
            id="journal.title"
            defaultMessage="Journal entry {number}"
            values={{ number: e.number }}
          />
        </Title2>
        {e.reversedByEntryId && (
          <Badge appearance="tint" color="warning">
            <FormattedMessage id="journal.reversed" defaultMessage="Reversed" />
          </Badge>
        )}
        <span className={page.spacer} />
        {can.postJournal(roles) && !e.reversedByEntryId && !e.reversesEntryId && (
          <Button icon={<ArrowUndoRegular />} onClick={() => setReversing(true)}>
            <FormattedMessage id="journal.reverse" defaultMessage="Reverse" />
          </Button>
        )}
      </div>
      <div className={styles.facts}>
        {fact(intl.formatMessage({ id: 'journal.date', defaultMessage: 'Date' }), format.date(e.date))}
        {fact(intl.formatMessage({ id: 'journal.memo', defaultMessage: 'Description' }), e.memo)}
        {fact(
          intl.formatMessage({ id: 'journal.currency', defaultMessage: 'Currency' }),
          foreign
            ? intl.formatMessage(
                { id: 'journal.rate', defaultMessage: '{currency} at {rate}' },
                { currency: e.currency, rate: e.exchangeRate },
              )
            : e.currency,
        )}
        {fact(
          intl.formatMessage({ id: 'journal.source', defaultMessage: 'Source' }),
          e.source?.type ?? intl.formatMessage({ id: 'journal.manual', defaultMessage: 'Manual' }),
        )}
        {fact(
          intl.formatMessage({ id: 'journal.postedBy', defaultMessage: 'Posted by' }),
          `${e.postedBy} · ${format.dateTime(e.postedAt)}`,
        )}
        {e.reversesEntryId &&
          fact(
            intl.formatMessage({ id: 'journal.reverses', defaultMessage: 'Reverses' }),
            <Link to={`/accounting/journal/${e.reversesEntryId}`}>
              <FormattedMessage id="journal.original" defaultMessage="the original entry" />
            </Link>,
          )}
        {e.reversedByEntryId &&
          fact(
            intl.formatMessage({ id: 'journal.reversedBy', defaultMessage: 'Reversed by' }),
            <Link to={`/accounting/journal/${e.reversedByEntryId}`}>
              <FormattedMessage id="journal.reversal" defaultMessage="the reversing entry" />
            </Link>,
          )}
      </div>
      <div className={styles.lines}>
        <Table
          size="small"
          aria-label={intl.formatMessage({ id: 'journal.lines', defaultMessage: 'Journal lines' })}
        >
          <TableHeader>
            <TableRow>
              <TableHeaderCell>
                <FormattedMessage id="journal.account" defaultMessage="Account" />
              </TableHeaderCell>
              <TableHeaderCell>
                <FormattedMessage id="journal.lineMemo" defaultMessage="Line note" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.numeric}>
                <FormattedMessage id="journal.debit" defaultMessage="Debit" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.numeric}>
                <FormattedMessage id="journal.credit" defaultMessage="Credit" />
              </TableHeaderCell>
              {foreign && (
                <>
                  <TableHeaderCell className={styles.numeric}>
                    <FormattedMessage
                      id="journal.baseDebit"
                      defaultMessage="Debit ({currency})"
                      values={{ currency: e.baseCurrency }}
                    />
                  </TableHeaderCell>
                  <TableHeaderCell className={styles.numeric}>
                    <FormattedMessage
                      id="journal.baseCredit"
                      defaultMessage="Credit ({currency})"
                      values={{ currency: e.baseCurrency }}
                    />
                  </TableHeaderCell>
                </>
              )}
            </TableRow>
          </TableHeader>
          <TableBody>
            {e.lines.map((l) => (
              <TableRow key={l.lineNo}>
                <TableCell>
                  <Link
                    to={`/accounting/ledger/${encodeURIComponent(l.account)}?from=${e.date}&to=${e.date}`}
                  >
                    {l.account}
                  </Link>{' '}
                  {l.accountName}
                </TableCell>
                <TableCell>{l.memo}</TableCell>
                <TableCell className={styles.numeric}>{format.money(l.debit)}</TableCell>
                <TableCell className={styles.numeric}>{format.money(l.credit)}</TableCell>
                {foreign && (
                  <>
                    <TableCell className={styles.numeric}>{format.money(l.baseDebit)}</TableCell>
                    <TableCell className={styles.numeric}>{format.money(l.baseCredit)}</TableCell>
                  </>
                )}
              </TableRow>
            ))}
            <TableRow className={styles.total}>
              <TableCell colSpan={2}>
                <FormattedMessage id="journal.totals" defaultMessage="Totals" />
              </TableCell>
              <TableCell className={styles.numeric}>{format.amount(sum('debit'), e.currency)}</TableCell>
              <TableCell className={styles.numeric}>{format.amount(sum('credit'), e.currency)}</TableCell>
              {foreign && (
                <>
                  <TableCell className={styles.numeric}>
                    {format.amount(sum('baseDebit'), e.baseCurrency)}
                  </TableCell>
                  <TableCell className={styles.numeric}>
                    {format.amount(sum('baseCredit'), e.baseCurrency)}
                  </TableCell>
                </>
              )}
            </TableRow>
          </TableBody>
        </Table>
      </div>
      <DocumentsPanel recordType="journal_entry" recordId={e.id} />
      {reversing && <ReverseDialog entry={e} onClose={() => setReversing(false)} />}
    </div>
  );
}

function ReverseDialog({ entry, onClose }: { entry: JournalEntry; onClose: () => void }) {
  const api = useApi();
  const intl = useIntl();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const errorText = useErrorText();
  const [date, setDate] = useState('');
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const reverse = useMutation({
    mutationFn: () =>
      api.post<JournalEntry>(`v1/accounting/journal-entries/${entry.id}/reverse`, date ? { date } : {}, {
        idempotencyKey,
      }),
    onSuccess: (reversal) => {
      void queryClient.invalidateQueries({ queryKey: ledgerKeys.all });
      onClose();
      void navigate(`/accounting/journal/${reversal.id}`);
    },
  });
  const fieldErrors = fieldErrorsOf(reverse.error);
  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            reverse.mutate();
          }}
        >
          <DialogBody>
            <DialogTitle>
              <FormattedMessage
                id="journal.reverseTitle"
                defaultMessage="Reverse {number}?"
                values={{ number: entry.number }}
              />
            </DialogTitle>
            <DialogContent>
              <p>
                <FormattedMessage
                  id="journal.reverseBody"
                  defaultMessage="A new entry with every debit and credit swapped cancels this one. Both stay in the ledger."
                />
              </p>
              <Field
                label={intl.formatMessage({
                  id: 'journal.reverseDate',
                  defaultMessage: 'Date of the reversal',
                })}
                hint={intl.formatMessage({
                  id: 'journal.reverseDateHint',
                  defaultMessage: "The original's date unless its period is closed, then today",
                })}
                validationMessage={fieldErrors.date}
              >
                <Input type="date" value={date} onChange={(_, d) => setDate(d.value)} />
              </Field>
              {reverse.isError && !fieldErrors.date && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>{errorText(reverse.error)}</MessageBarBody>
                </MessageBar>
              )}
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" type="submit" disabled={reverse.isPending}>
                <FormattedMessage id="journal.reverse" defaultMessage="Reverse" />
              </Button>
              <Button onClick={onClose}>
                <FormattedMessage id="action.cancel" defaultMessage="Cancel" />
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
