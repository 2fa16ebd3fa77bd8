import {
  Badge,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  Option,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { PersonAddRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { fieldErrorsOf } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { useTenant } from '../../api/useTenant';
import { adminKeys } from '../../api/keys';
import type { User, UserInput } from '../../api/types';
import { useCursorList } from '../../api/useCursorList';
import { useRoles } from '../../auth/AuthProvider';
import { ROLES, can } from '../../auth/roles';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { isDecimalText } from '../../format/decimal';
import { useFormat } from '../../format/useFormat';
import {
  ActiveField,
  ActiveFilter,
  SaveErrorBar,
  activeColumn,
  useFormErrorText,
  type ActiveChoice,
  type FormErrorKind,
} from '../inventory/formParts';
import { usePageStyles } from '../sales/QuotesPage';

const useStyles = makeStyles({
  roles: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  roleChoices: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))',
  },
  fields: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/admin/users`: the tenant's users, their roles, approval limits and whether they may sign in. */
export function UsersPage() {
  const styles = usePageStyles();
  const own = useStyles();
  const intl = useIntl();
  const format = useFormat();
  const administer = can.administer(useRoles());
  const currency = useTenant().data?.baseCurrency;
  const [role, setRole] = useState('');
  const [active, setActive] = useState<ActiveChoice>('');
  const [editing, setEditing] = useState<User | 'new' | undefined>();
  const filters = { role: role || undefined, active: active || undefined };
  const list = useCursorList<User>(adminKeys.userList(filters), 'v1/admin/users', filters);
  const all = intl.formatMessage({ id: 'filter.all', defaultMessage: 'All' });
  const columns = useMemo<GridColumn<User>[]>(
    () => [
      {
        id: 'name',
        header: intl.formatMessage({ id: 'admin.user.name', defaultMessage: 'Name' }),
        value: (u) => u.displayName,
        width: 200,
      },
      {
        id: 'email',
        header: intl.formatMessage({ id: 'customer.email', defaultMessage: 'E-mail' }),
        value: (u) => u.email,
        width: 220,
      },
      {
        id: 'roles',
        header: intl.formatMessage({ id: 'admin.user.roles', defaultMessage: 'Roles' }),
        value: (u) => u.roles.join(', '),
        render: (u) => (
          <span className={own.roles}>
            {u.roles.map((r) => (
              <Badge key={r} appearance="tint" size="small">
                {r}
              </Badge>
            ))}
          </span>
        ),
        width: 300,
      },
      {
        id: 'limit',
        header: intl.formatMessage({ id: 'admin.user.approvalLimit', defaultMessage: 'Approval limit' }),
        value: (u) => (u.approvalLimit === null ? null : Number(u.approvalLimit)),
        render: (u) =>
          u.approvalLimit === null || !currency ? '—' : format.amount(u.approvalLimit, currency),
        exportValue: (u) => u.approvalLimit ?? '',
        numeric: true,
        width: 140,
      },
      activeColumn(
        intl.formatMessage({ id: 'admin.user.active', defaultMessage: 'Active' }),
        intl.formatMessage({ id: 'admin.filterInactive', defaultMessage: 'Deactivated' }),
        (u) => u.active,
      ),
      {
        id: 'objectId',
        header: intl.formatMessage({ id: 'admin.user.objectId', defaultMessage: 'Directory id' }),
        value: (u) => u.objectId,
        width: 300,
      },
    ],
    [intl, format, own.roles, currency],
  );
  return (
    <div className={styles.page}>
      <div className={styles.heading}>
        <Title2 as="h1">
          <FormattedMessage id="admin.users" defaultMessage="Users and roles" />
        </Title2>
        <span className={styles.spacer} />
        {administer && (
          <Button appearance="primary" icon={<PersonAddRegular />} onClick={() => setEditing('new')}>
            <FormattedMessage id="admin.addUser" defaultMessage="Add user" />
          </Button>
        )}
      </div>
      <ResourceGrid<User>
        label={intl.formatMessage({ id: 'admin.users', defaultMessage: 'Users and roles' })}
        exportName="users"
        columns={columns}
        getRowId={(u) => u.id}
        onRowActivate={administer ? (u) => setEditing(u) : undefined}
        empty={<FormattedMessage id="admin.noUsers" defaultMessage="No users match." />}
        filters={
          <>
            <Field label={intl.formatMessage({ id: 'admin.user.role', defaultMessage: 'Role' })}>
              <Dropdown
                value={role || all}
                selectedOptions={[role]}
                onOptionSelect={(_, data) => setRole(data.optionValue ?? '')}
              >
                <Option value="">{all}</Option>
                {ROLES.map((r) => (
                  <Option key={r} value={r}>
                    {r}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            <ActiveFilter
              value={active}
              onChange={setActive}
              activeLabel={intl.formatMessage({ id: 'admin.filterActive', defaultMessage: 'May sign in' })}
              inactiveLabel={intl.formatMessage({
                id: 'admin.filterInactive',
                defaultMessage: 'Deactivated',
              })}
            />
          </>
        }
        {...list}
      />
      {editing !== undefined && (
        <UserDialog
          key={editing === 'new' ? 'new' : editing.id}
          user={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
        />
      )}
    </div>
  );
}

interface UserDraft {
  objectId: string;
  displayName: string;
  email: string;
  roles: string[];
  approvalLimit: string;
  active: boolean;
}

/** Adds a user of the directory to the tenant, or changes one's name, roles, limit and access. */
function UserDialog({ user, onClose }: { user: User | undefined; onClose: () => void }) {
  const own = useStyles();
  const intl = useIntl();
  const api = useApi();
  const queryClient = useQueryClient();
  const formErrorText = useFormErrorText();
  const initial: UserDraft = {
    objectId: user?.objectId ?? '',
    displayName: user?.displayName ?? '',
    email: user?.email ?? '',
    roles: user?.roles ?? [],
    approvalLimit: user?.approvalLimit ?? '',
    active: user?.active ?? true,
  };
  const [draft, setDraft] = useState(initial);
  const [submitted, setSubmitted] = useState(false);

  const errors: Record<string, FormErrorKind | 'uuid'> = {};
  if (!user && !UUID.test(draft.objectId.trim()))
    errors.objectId = draft.objectId.trim() ? 'uuid' : 'required';
  if (!draft.displayName.trim()) errors.displayName = 'required';
  if (!user && draft.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(draft.email.trim()))
    errors.email = 'email';
  if (draft.approvalLimit.trim() && !isDecimalText(draft.approvalLimit)) errors.approvalLimit = 'amount';

  const body = (): UserInput => {
    if (!user)
      return {
        objectId: draft.objectId.trim(),
        displayName: draft.displayName.trim(),
        email: draft.email.trim() || undefined,
        roles: draft.roles,
      };
    const patch: UserInput = {};
    if (draft.displayName.trim() !== user.displayName) patch.displayName = draft.displayName.trim();
    if ([...draft.roles].sort().join() !== [...user.roles].sort().join()) patch.roles = draft.roles;
    const limit = draft.approvalLimit.trim() || null;
    if (limit !== user.approvalLimit) patch.approvalLimit = limit;
    if (draft.active !== user.active) patch.active = draft.active;
    return patch;
  };
  const changed = !user || Object.keys(body()).length > 0;

  const save = useMutation({
    mutationFn: () =>
      user
        ? api.patch<User>(`v1/admin/users/${user.id}`, body(), user.version)
        : api.post<User>('v1/admin/users', body()),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: adminKeys.users() });
      onClose();
    },
  });
  const serverFieldErrors = fieldErrorsOf(save.error);
  const errorFor = (path: string) => {
    const client = submitted ? errors[path] : undefined;
    if (client === 'uuid')
      return intl.formatMessage({
        id: 'admin.objectIdFormat',
        defaultMessage: 'The Entra object id, such as 0b6c1f7e-3a52-4d8e-9a1b-6f1e2d3c4b5a',
      });
    return client ? formErrorText(client) : serverFieldErrors[path];
  };
  const toggleRole = (role: string, on: boolean) =>
    setDraft((d) => ({ ...d, roles: on ? [...d.roles, role] : d.roles.filter((r) => r !== role) }));

  return (
    <Dialog open onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface>
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            setSubmitted(true);
            if (Object.keys(errors).length === 0) save.mutate();
          }}
        >
          <DialogBody>
            <DialogTitle>
              {user ? (
                <FormattedMessage
                  id="admin.editUser"
                  defaultMessage="Change {name}"
                  values={{ name: user.displayName }}
                />
              ) : (
                <FormattedMessage id="admin.addUser" defaultMessage="Add user" />
              )}
            </DialogTitle>
            <DialogContent className={own.fields}>
              {save.isError && (
                <SaveErrorBar
                  error={save.error}
                  onReload={() => {
                    void queryClient.invalidateQueries({ queryKey: adminKeys.users() });
                    onClose();
                  }}
                />
              )}
              {!user && (
                <Field
                  label={intl.formatMessage({ id: 'admin.user.objectId', defaultMessage: 'Directory id' })}
                  required
                  hint={intl.formatMessage({
                    id: 'admin.objectIdHint',
                    defaultMessage: 'The object id of the user in Entra ID',
                  })}
                  validationMessage={errorFor('objectId')}
                >
                  <Input
                    value={draft.objectId}
                    onChange={(_, data) => setDraft((d) => ({ ...d, objectId: data.value }))}
                  />
                </Field>
              )}
              <Field
                label={intl.formatMessage({ id: 'admin.user.name', defaultMessage: 'Name' })}
                required
                validationMessage={errorFor('displayName')}
              >
                <Input
                  value={draft.displayName}
                  maxLength={200}
                  onChange={(_, data) => setDraft((d) => ({ ...d, displayName: data.value }))}
                />
              </Field>
              {!user && (
                <Field
                  label={intl.formatMessage({ id: 'customer.email', defaultMessage: 'E-mail' })}
                  validationMessage={errorFor('email')}
                >
                  <Input
                    type="email"
                    value={draft.email}
                    onChange={(_, data) => setDraft((d) => ({ ...d, email: data.value }))}
                  />
                </Field>
              )}
              <Field
                label={intl.formatMessage({ id: 'admin.user.roles', defaultMessage: 'Roles' })}
                validationMessage={errorFor('roles')}
              >
                <div className={own.roleChoices} role="group">
                  {ROLES.map((r) => (
                    <Checkbox
                      key={r}
                      label={r}
                      checked={draft.roles.includes(r)}
                      onChange={(_, data) => toggleRole(r, data.checked === true)}
                    />
                  ))}
                </div>
              </Field>
              {user && (
                <>
                  <Field
                    label={intl.formatMessage({
                      id: 'admin.user.approvalLimit',
                      defaultMessage: 'Approval limit',
                    })}
                    hint={intl.formatMessage({
                      id: 'admin.approvalLimitHint',
                      defaultMessage:
                        'The most this user may approve, in the base currency; blank for no limit',
                    })}
                    validationMessage={errorFor('approvalLimit')}
                  >
                    <Input
                      inputMode="decimal"
                      value={draft.approvalLimit}
                      onChange={(_, data) => setDraft((d) => ({ ...d, approvalLimit: data.value }))}
                    />
                  </Field>
                  <ActiveField
                    checked={draft.active}
                    disabled={false}
                    onLabel={intl.formatMessage({ id: 'admin.filterActive', defaultMessage: 'May sign in' })}
                    offLabel={intl.formatMessage({
                      id: 'admin.filterInactive',
                      defaultMessage: 'Deactivated',
                    })}
                    error={errorFor('active')}
                    onChange={(active) => setDraft((d) => ({ ...d, active }))}
                  />
                </>
              )}
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" type="submit" disabled={save.isPending || !changed}>
                {user ? (
                  <FormattedMessage id="admin.saveUser" defaultMessage="Save user" />
                ) : (
                  <FormattedMessage id="admin.addUserConfirm" defaultMessage="Add to the tenant" />
                )}
              </Button>
              <Button onClick={onClose} disabled={save.isPending}>
                <FormattedMessage id="action.cancel" defaultMessage="Cancel" />
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
