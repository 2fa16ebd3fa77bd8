import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Option,
  Switch,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl, type IntlShape } from 'react-intl';
import { Link, useNavigate } from 'react-router';
import { ApiError, fieldErrorsOf } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { useCursorList } from '../../api/useCursorList';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { useErrorText } from '../../components/States';
import { usePageStyles } from '../sales/QuotesPage';
import { ACCOUNT_TYPES, ledgerKeys, type Account, type AccountType } from './api';
import { useCurrentFiscalYear, useTenantToday } from './reportPeriod';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export function accountTypeLabel(intl: IntlShape, type: AccountType): string {
  switch (type) {
    case 'asset':
      return intl.formatMessage({ id: 'account.kind.asset', defaultMessage: 'Asset' });
    case 'liability':
      return intl.formatMessage({ id: 'account.kind.liability', defaultMessage: 'Liability' });
    case 'equity':
      return intl.formatMessage({ id: 'account.kind.equity', defaultMessage: 'Equity' });
    case 'revenue':
      return intl.formatMessage({ id: 'account.kind.revenue', defaultMessage: 'Revenue' });
    case 'expense':
      return intl.formatMessage({ id: 'account.kind.expense', defaultMessage: 'Expense' });
  }
}

/** The chart of accounts: every account with its type; clerks add, rename and retire accounts. */
export function AccountsPage() {
  const page = usePageStyles();
  const intl = useIntl();
  const navigate = useNavigate();
  const roles = useRoles();
  const year = useCurrentFiscalYear();
  const [type, setType] = useState<AccountType | ''>('');
  const [active, setActive] = useState<'true' | 'false' | ''>('true');
  const filters = { type: type || undefined, active: active || undefined };
  const list = useCursorList<Account>(ledgerKeys.accountList(filters), 'v1/accounting/accounts', filters);
  const [editing, setEditing] = useState<Account | 'new' | undefined>();
  const manage = can.postJournal(roles);
  const { day } = useTenantToday();
  const from = year.data?.startDate ?? `${day.slice(0, 4)}-01-01`;
  const ledgerOf = (a: Account) => `/accounting/ledger/${encodeURIComponent(a.code)}?from=${from}&to=${day}`;

  const columns = useMemo<GridColumn<Account>[]>(
    () => [
      {
        id: 'code',
        header: intl.formatMessage({ id: 'aging.code', defaultMessage: 'Code' }),
        value: (a) => a.code,
        render: (a) => <Link to={ledgerOf(a)}>{a.code}</Link>,
        width: 110,
      },
      {
        id: 'name',
        header: intl.formatMessage({ id: 'account.name', defaultMessage: 'Name' }),
        value: (a) => a.name,
        width: 300,
      },
      {
        id: 'type',
        header: intl.formatMessage({ id: 'account.type', defaultMessage: 'Type' }),
        value: (a) => accountTypeLabel(intl, a.type),
        width: 120,
      },
      {
        id: 'posting',
        header: intl.formatMessage({ id: 'account.posting', defaultMessage: 'Postings' }),
        value: (a) =>
          a.manualPosting
            ? intl.formatMessage({ id: 'account.manual', defaultMessage: 'Manual and automatic' })
            : intl.formatMessage({ id: 'account.control', defaultMessage: 'Control account' }),
        render: (a) =>
          a.manualPosting ? (
            intl.formatMessage({ id: 'account.manual', defaultMessage: 'Manual and automatic' })
          ) : (
            <Badge appearance="tint" color="informative">
              {intl.formatMessage({ id: 'account.control', defaultMessage: 'Control account' })}
            </Badge>
          ),
        width: 180,
      },
      {
        id: 'active',
        header: intl.formatMessage({ id: 'account.status', defaultMessage: 'Status' }),
        value: (a) =>
          a.active
            ? intl.formatMessage({ id: 'account.active', defaultMessage: 'Active' })
            : intl.formatMessage({ id: 'account.inactive', defaultMessage: 'Inactive' }),
        width: 110,
      },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [intl, from],
  );
  const all = intl.formatMessage({ id: 'filter.all', defaultMessage: 'All' });
  return (
    <div className={page.page}>
      <div className={page.heading}>
        <Title2 as="h1">
          <FormattedMessage id="nav.accounts" defaultMessage="Chart of accounts" />
        </Title2>
        <span className={page.spacer} />
        {manage && (
          <Button appearance="primary" icon={<AddRegular />} onClick={() => setEditing('new')}>
            <FormattedMessage id="account.new" defaultMessage="New account" />
          </Button>
        )}
      </div>
      <ResourceGrid<Account>
        label={intl.formatMessage({ id: 'nav.accounts', defaultMessage: 'Chart of accounts' })}
        exportName="chart-of-accounts"
        columns={columns}
        getRowId={(a) => a.id}
        onRowActivate={(a) => (manage ? setEditing(a) : void navigate(ledgerOf(a)))}
        empty={<FormattedMessage id="account.empty" defaultMessage="No accounts match." />}
        filters={
          <>
            <Field label={intl.formatMessage({ id: 'account.type', defaultMessage: 'Type' })}>
              <Dropdown
                value={type ? accountTypeLabel(intl, type) : all}
                selectedOptions={[type]}
                onOptionSelect={(_, d) => setType((d.optionValue ?? '') as AccountType | '')}
              >
                <Option value="">{all}</Option>
                {ACCOUNT_TYPES.map((t) => (
                  <Option key={t} value={t}>
                    {accountTypeLabel(intl, t)}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            <Field label={intl.formatMessage({ id: 'account.status', defaultMessage: 'Status' })}>
              <Dropdown
                value={
                  active === 'true'
                    ? intl.formatMessage({ id: 'account.active', defaultMessage: 'Active' })
                    : active === 'false'
                      ? intl.formatMessage({ id: 'account.inactive', defaultMessage: 'Inactive' })
                      : all
                }
                selectedOptions={[active]}
                onOptionSelect={(_, d) => setActive((d.optionValue ?? '') as 'true' | 'false' | '')}
              >
                <Option value="">{all}</Option>
                <Option value="true">
                  {intl.formatMessage({ id: 'account.active', defaultMessage: 'Active' })}
                </Option>
                <Option value="false">
                  {intl.formatMessage({ id: 'account.inactive', defaultMessage: 'Inactive' })}
                </Option>
              </Dropdown>
            </Field>
          </>
        }
        {...list}
      />
      {editing && (
        <AccountDialog
          account={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onOpenLedger={(a) => void navigate(ledgerOf(a))}
        />
      )}
    </div>
  );
}

function AccountDialog({
  account,
  onClose,
  onOpenLedger,
}: {
  account: Account | undefined;
  onClose: () => void;
  onOpenLedger: (account: Account) => void;
}) {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const queryClient = useQueryClient();
  const errorText = useErrorText();
  const [code, setCode] = useState(account?.code ?? '');
  const [name, setName] = useState(account?.name ?? '');
  const [type, setType] = useState<AccountType>(account?.type ?? 'expense');
  const [active, setActive] = useState(account?.active ?? true);
  const [submitted, setSubmitted] = useState(false);
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  const done = () => {
    void queryClient.invalidateQueries({ queryKey: ledgerKeys.accounts() });
    onClose();
  };
  const save = useMutation({
    mutationFn: () => {
      if (!account)
        return api.post<Account>(
          'v1/accounting/accounts',
          { code, name: name.trim(), type },
          { idempotencyKey },
        );
      const patch: Record<string, unknown> = {};
      if (name.trim() !== account.name) patch.name = name.trim();
      if (active !== account.active) patch.active = active;
      return api.patch<Account>(`v1/accounting/accounts/${account.id}`, patch, account.version);
    },
    onSuccess: done,
  });
  const remove = useMutation({
    mutationFn: () =>
      api.request<void>('DELETE', `v1/accounting/accounts/${account!.id}`, { version: account!.version }),
    onSuccess: done,
  });
  const error = save.error ?? remove.error;
  const fieldErrors = fieldErrorsOf(save.error);
  const required = intl.formatMessage({ id: 'form.required', defaultMessage: 'Required' });
  const changed = !account || name.trim() !== account.name || active !== account.active;
  const conflict = error instanceof ApiError && error.status === 412;

  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            setSubmitted(true);
            if (!name.trim() || (!account && !code)) return;
            save.mutate();
          }}
        >
          <DialogBody>
            <DialogTitle>
              {account ? (
                <FormattedMessage
                  id="account.editTitle"
                  defaultMessage="Account {code}"
                  values={{ code: account.code }}
                />
              ) : (
                <FormattedMessage id="account.new" defaultMessage="New account" />
              )}
            </DialogTitle>
            <DialogContent className={styles.form}>
              {error !== null && !Object.keys(fieldErrors).length && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>{errorText(error)}</MessageBarBody>
                  {conflict && (
                    <MessageBarActions>
                      <Button onClick={done}>
                        <FormattedMessage id="action.reload" defaultMessage="Reload" />
                      </Button>
                    </MessageBarActions>
                  )}
                </MessageBar>
              )}
              <Field
                label={intl.formatMessage({ id: 'aging.code', defaultMessage: 'Code' })}
                required={!account}
                hint={
                  account
                    ? undefined
                    : intl.formatMessage({
                        id: 'account.codeHint',
                        defaultMessage: 'Up to 20 digits, capitals, dots or hyphens',
                      })
                }
                validationMessage={
                  fieldErrors.code ?? (submitted && !account && !code ? required : undefined)
                }
              >
                <Input
                  value={code}
                  readOnly={!!account}
                  maxLength={20}
                  onChange={(_, d) => setCode(d.value.toUpperCase())}
                />
              </Field>
              <Field
                label={intl.formatMessage({ id: 'account.name', defaultMessage: 'Name' })}
                required
                validationMessage={fieldErrors.name ?? (submitted && !name.trim() ? required : undefined)}
              >
                <Input value={name} maxLength={200} onChange={(_, d) => setName(d.value)} />
              </Field>
              <Field
                label={intl.formatMessage({ id: 'account.type', defaultMessage: 'Type' })}
                validationMessage={fieldErrors.type}
              >
                <Dropdown
                  disabled={!!account}
                  value={accountTypeLabel(intl, type)}
                  selectedOptions={[type]}
                  onOptionSelect={(_, d) => d.optionValue && setType(d.optionValue as AccountType)}
                >
                  {ACCOUNT_TYPES.map((t) => (
                    <Option key={t} value={t}>
                      {accountTypeLabel(intl, t)}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
              {account && (
                <Switch
                  checked={active}
                  onChange={(_, d) => setActive(d.checked)}
                  label={intl.formatMessage({ id: 'account.active', defaultMessage: 'Active' })}
                />
              )}
            </DialogContent>
            <DialogActions fluid>
              {account && (
                <>
                  <Button onClick={() => onOpenLedger(account)}>
                    <FormattedMessage id="account.openLedger" defaultMessage="Open ledger" />
                  </Button>
                  {!account.role && (
                    <Button disabled={remove.isPending} onClick={() => remove.mutate()}>
                      <FormattedMessage id="account.delete" defaultMessage="Delete" />
                    </Button>
                  )}
                </>
              )}
              <Button appearance="primary" type="submit" disabled={save.isPending || !changed}>
                <FormattedMessage id="action.save" defaultMessage="Save" />
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
