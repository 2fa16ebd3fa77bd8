import {
  Badge,
  Button,
  Combobox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Title2,
  Toolbar,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl, type IntlShape } from 'react-intl';
import { useNavigate } from 'react-router';
import { fieldErrorsOf } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { RemoveLineButton } from '../../components/RemoveLineButton';
import { useErrorText } from '../../components/States';
import { useUnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
import { toAmount } from '../../format/decimal';
import { useFormat } from '../../format/useFormat';
import { ledgerKeys, type Account, type JournalEntry } from './api';
import {
  emptyJournal,
  emptyJournalLine,
  journalInput,
  journalTotals,
  postedLines,
  validateJournal,
  type JournalDraft,
  type JournalLineDraft,
  type JournalProblem,
} from './journalDraft';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1200px' },
  heading: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  header: {
    display: 'grid',
    gap: tokens.spacingHorizontalL,
    gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))',
  },
  memo: { gridColumn: 'span 2', '@media (max-width: 640px)': { gridColumn: 'auto' } },
  lines: { overflowX: 'auto' },
  linesTable: { tableLayout: 'auto', minWidth: '760px' },
  account: { minWidth: '260px' },
  amount: { width: '150px' },
  numeric: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  totalsRow: { fontWeight: tokens.fontWeightSemibold },
});

function problemText(intl: IntlShape, problem: JournalProblem): string {
  switch (problem) {
    case 'required':
      return intl.formatMessage({ id: 'form.required', defaultMessage: 'Required' });
    case 'amount':
      return intl.formatMessage({
        id: 'journal.amountRequired',
        defaultMessage: 'A debit or a credit greater than zero',
      });
    case 'oneSide':
      return intl.formatMessage({
        id: 'journal.oneSide',
        defaultMessage: 'A line is either a debit or a credit, not both',
      });
    case 'decimals':
      return intl.formatMessage({
        id: 'journal.decimals',
        defaultMessage: 'More decimal places than the currency has',
      });
    case 'account':
      return intl.formatMessage({
        id: 'journal.accountNotPostable',
        defaultMessage: 'Not an active account that takes manual postings',
      });
    case 'lines':
      return intl.formatMessage({
        id: 'journal.linesRequired',
        defaultMessage: 'An entry needs at least two lines',
      });
    case 'unbalanced':
      return intl.formatMessage({
        id: 'journal.unbalanced',
        defaultMessage: 'Debits and credits must be equal and not zero',
      });
  }
}

export interface JournalFormProps {
  /** The chart of accounts; only active accounts that take manual postings can be chosen. */
  accounts: Account[];
  baseCurrency: string;
  /** The entry's date when the form opens. */
  date: string;
}

/**
 * A manual journal entry: date, memo, currency and lines, with running totals. It will not be
 * sent until its debits equal its credits; the server's field errors land on the line they name.
 */
export function JournalForm({ accounts, baseCurrency, date }: JournalFormProps) {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const initial = useMemo(() => emptyJournal(date, baseCurrency), [date, baseCurrency]);
  const [draft, setDraft] = useState<JournalDraft>(initial);
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<unknown>();
  // One key per submission, so a retried post after a lost answer is posted once.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());

  const postable = useMemo(() => accounts.filter((a) => a.active && a.manualPosting), [accounts]);
  const postableCodes = useMemo(() => new Set(postable.map((a) => a.code)), [postable]);
  const accountLabel = (code: string) => {
    const account = accounts.find((a) => a.code === code);
    return account ? `${account.code} · ${account.name}` : code;
  };

  const dirty = JSON.stringify(journalInput(draft)) !== JSON.stringify(journalInput(initial));
  const guard = useUnsavedChangesGuard(dirty);

  const totals = useMemo(() => journalTotals(draft), [draft]);
  const clientErrors = useMemo(() => validateJournal(draft, postableCodes), [draft, postableCodes]);
  const balanced = !clientErrors.balance && !clientErrors.lines;

  // The server numbers the lines it was sent; blank rows were left out of that list.
  const serverErrors = useMemo(() => {
    const byField = fieldErrorsOf(serverError);
    const sent = postedLines(draft);
    const mapped: Record<string, string> = {};
    for (const [path, message] of Object.entries(byField)) {
      const match = /^lines\.(\d+)\.(\w+)$/.exec(path);
      const row = match ? sent[Number(match[1])] : undefined;
      mapped[match && row ? `lines.${row.index}.${match[2]}` : path] = message;
    }
    return mapped;
  }, [serverError, draft]);
  const errorFor = (path: string): string | undefined => {
    const client = submitted ? clientErrors[path] : undefined;
    return client ? problemText(intl, client) : serverErrors[path];
  };

  const post = useMutation({
    mutationFn: () =>
      api.post<JournalEntry>('v1/accounting/journal-entries', journalInput(draft), { idempotencyKey }),
    onMutate: () => setServerError(undefined),
    onSuccess: (entry) => {
      queryClient.setQueryData(ledgerKeys.entry(entry.id), entry);
      void queryClient.invalidateQueries({ queryKey: ledgerKeys.journal(), refetchType: 'none' });
      void queryClient.invalidateQueries({ queryKey: ledgerKeys.reports(), refetchType: 'none' });
      guard.allowLeaving();
      void navigate(`/accounting/journal/${entry.id}`, { replace: true });
    },
    onError: setServerError,
  });

  const change = (next: (d: JournalDraft) => JournalDraft) => {
    setDraft(next);
    // A changed entry is a new submission.
    setIdempotencyKey(crypto.randomUUID());
  };
  const updateLine = (index: number, patch: Partial<JournalLineDraft>) =>
    change((d) => ({ ...d, lines: d.lines.map((l, i) => (i === index ? { ...l, ...patch } : l)) }));

  const submit = () => {
    setSubmitted(true);
    if (Object.keys(clientErrors).length > 0) return;
    post.mutate();
  };

  const money = (value: typeof totals.debit) =>
    /^[A-Z]{3}$/.test(draft.currency)
      ? format.amount(toAmount(value, draft.currency), draft.currency)
      : value.toString();

  return (
    <form
      className={styles.root}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className={styles.heading}>
        <Title2 as="h1">
          <FormattedMessage id="journal.new" defaultMessage="New journal entry" />
        </Title2>
        {dirty && (
          <Badge appearance="outline" color="warning">
            <FormattedMessage id="form.unsaved" defaultMessage="Unsaved changes" />
          </Badge>
        )}
      </div>

      {serverError !== undefined && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>{errorText(serverError)}</MessageBarBody>
        </MessageBar>
      )}

      <div className={styles.header}>
        <Field
          label={intl.formatMessage({ id: 'journal.date', defaultMessage: 'Date' })}
          required
          validationMessage={errorFor('date')}
        >
          <Input
            type="date"
            value={draft.date}
            onChange={(_, data) => change((d) => ({ ...d, date: data.value }))}
          />
        </Field>
        <Field
          label={intl.formatMessage({ id: 'journal.currency', defaultMessage: 'Currency' })}
          hint={
            draft.currency !== baseCurrency
              ? intl.formatMessage(
                  {
                    id: 'journal.currencyHint',
                    defaultMessage: 'Converted to {base} at the exchange rate of the date',
                  },
                  { base: baseCurrency },
                )
              : undefined
          }
          validationMessage={errorFor('currency')}
        >
          <Input
            value={draft.currency}
            maxLength={3}
            onChange={(_, data) => change((d) => ({ ...d, currency: data.value.toUpperCase() }))}
          />
        </Field>
        <Field
          className={styles.memo}
          label={intl.formatMessage({ id: 'journal.memo', defaultMessage: 'Description' })}
          required
          validationMessage={errorFor('memo')}
        >
          <Input
            value={draft.memo}
            maxLength={500}
            onChange={(_, data) => change((d) => ({ ...d, memo: data.value }))}
          />
        </Field>
      </div>

      <div className={styles.lines}>
        <Table
          className={styles.linesTable}
          size="small"
          aria-label={intl.formatMessage({ id: 'journal.lines', defaultMessage: 'Journal lines' })}
        >
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.account}>
                <FormattedMessage id="journal.account" defaultMessage="Account" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.amount}>
                <FormattedMessage id="journal.debit" defaultMessage="Debit" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.amount}>
                <FormattedMessage id="journal.credit" defaultMessage="Credit" />
              </TableHeaderCell>
              <TableHeaderCell>
                <FormattedMessage id="journal.lineMemo" defaultMessage="Line note" />
              </TableHeaderCell>
              <TableHeaderCell
                aria-label={intl.formatMessage({ id: 'quote.line.actions', defaultMessage: 'Line actions' })}
              />
            </TableRow>
          </TableHeader>
          <TableBody>
            {draft.lines.map((line, index) => {
              const label = (field: string) =>
                intl.formatMessage(
                  { id: 'quote.line.fieldLabel', defaultMessage: '{field}, line {line}' },
                  { field, line: index + 1 },
                );
              return (
                <TableRow key={line.key} data-testid={`journal-line-${index}`}>
                  <TableCell>
                    <Field validationMessage={errorFor(`lines.${index}.account`)}>
                      <AccountPicker
                        aria-label={label(
                          intl.formatMessage({ id: 'journal.account', defaultMessage: 'Account' }),
                        )}
                        accounts={postable}
                        value={line.account}
                        valueLabel={line.account ? accountLabel(line.account) : ''}
                        onChange={(code) => updateLine(index, { account: code })}
                      />
                    </Field>
                  </TableCell>
                  {(['debit', 'credit'] as const).map((side) => (
                    <TableCell key={side}>
                      <Field validationMessage={errorFor(`lines.${index}.${side}`)}>
                        <Input
                          aria-label={label(
                            side === 'debit'
                              ? intl.formatMessage({ id: 'journal.debit', defaultMessage: 'Debit' })
                              : intl.formatMessage({ id: 'journal.credit', defaultMessage: 'Credit' }),
                          )}
                          inputMode="decimal"
                          value={line[side]}
                          onChange={(_, data) => updateLine(index, { [side]: data.value })}
                        />
                      </Field>
                    </TableCell>
                  ))}
                  <TableCell>
                    <Input
                      aria-label={label(
                        intl.formatMessage({ id: 'journal.lineMemo', defaultMessage: 'Line note' }),
                      )}
                      value={line.memo}
                      maxLength={500}
                      onChange={(_, data) => updateLine(index, { memo: data.value })}
                    />
                  </TableCell>
                  <TableCell>
                    <RemoveLineButton
                      line={index + 1}
                      disabled={draft.lines.length <= 2}
                      onRemove={() => change((d) => ({ ...d, lines: d.lines.filter((_, i) => i !== index) }))}
                    />
                  </TableCell>
                </TableRow>
              );
            })}
            <TableRow className={styles.totalsRow}>
              <TableCell>
                <FormattedMessage id="journal.totals" defaultMessage="Totals" />
              </TableCell>
              <TableCell className={styles.numeric} data-testid="journal-total-debit">
                {money(totals.debit)}
              </TableCell>
              <TableCell className={styles.numeric} data-testid="journal-total-credit">
                {money(totals.credit)}
              </TableCell>
              <TableCell colSpan={2} />
            </TableRow>
          </TableBody>
        </Table>
      </div>

      {!totals.difference.isZero() && (
        <MessageBar intent="warning" role="status">
          <MessageBarBody>
            {totals.difference.isPositive() ? (
              <FormattedMessage
                id="journal.debitsExceed"
                defaultMessage="Debits exceed credits by {amount}. The entry cannot be posted until they are equal."
                values={{ amount: money(totals.difference.abs()) }}
              />
            ) : (
              <FormattedMessage
                id="journal.creditsExceed"
                defaultMessage="Credits exceed debits by {amount}. The entry cannot be posted until they are equal."
                values={{ amount: money(totals.difference.abs()) }}
              />
            )}
          </MessageBarBody>
        </MessageBar>
      )}
      {submitted && (clientErrors.lines || clientErrors.balance) && (
        <MessageBar intent="error">
          <MessageBarBody>{problemText(intl, clientErrors.lines ?? clientErrors.balance!)}</MessageBarBody>
        </MessageBar>
      )}

      <Toolbar>
        <Button
          icon={<AddRegular />}
          onClick={() => change((d) => ({ ...d, lines: [...d.lines, emptyJournalLine()] }))}
        >
          <FormattedMessage id="journal.addLine" defaultMessage="Add line" />
        </Button>
        <Button appearance="primary" type="submit" disabledFocusable={!balanced || post.isPending}>
          <FormattedMessage id="journal.post" defaultMessage="Post entry" />
        </Button>
      </Toolbar>
      {guard.dialog}
    </form>
  );
}

interface AccountPickerProps {
  accounts: Account[];
  value: string;
  valueLabel: string;
  onChange: (code: string) => void;
  'aria-label': string;
}

const OPTIONS_MAX = 50;

/** A combobox over the chart that matches what is typed against account codes and names. */
export function AccountPicker(props: AccountPickerProps) {
  const intl = useIntl();
  const [text, setText] = useState<string | undefined>(undefined);
  const search = (text ?? '').trim().toLowerCase();
  const matches = props.accounts
    .filter(
      (a) => !search || a.code.toLowerCase().startsWith(search) || a.name.toLowerCase().includes(search),
    )
    .slice(0, OPTIONS_MAX);
  return (
    <Combobox
      freeform
      aria-label={props['aria-label']}
      placeholder={intl.formatMessage({ id: 'journal.accountSearch', defaultMessage: 'Code or name' })}
      value={text ?? props.valueLabel}
      selectedOptions={props.value ? [props.value] : []}
      onOpenChange={(_, data) => {
        if (!data.open) setText(undefined);
      }}
      onChange={(event) => setText(event.target.value)}
      onOptionSelect={(_, data) => {
        if (data.optionValue) props.onChange(data.optionValue);
        setText(undefined);
      }}
    >
      {matches.length === 0 ? (
        <Option value="" disabled text="">
          {intl.formatMessage({ id: 'picker.none', defaultMessage: 'Nothing matches' })}
        </Option>
      ) : (
        matches.map((a) => (
          <Option key={a.code} value={a.code} text={`${a.code} · ${a.name}`}>
            {`${a.code} · ${a.name}`}
          </Option>
        ))
      )}
    </Combobox>
  );
}
