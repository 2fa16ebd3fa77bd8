import { Button, Field, Input, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { AddRegular, DeleteRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { useNavigate } from 'react-router';
import { fieldErrorsOf } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { accountingKeys } from '../../api/keys';
import type { Customer } from '../../api/types';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { useUnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
import {
  ActiveField,
  FormActions,
  FormHeading,
  SaveErrorBar,
  useFormErrorText,
} from '../inventory/formParts';
import {
  createInput,
  draftFromCustomer,
  emptyContact,
  patchInput,
  validateCustomer,
  type AddressDraft,
  type ContactDraft,
  type CustomerDraft,
} from './customerDraft';

export const useFormStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1100px' },
  // Two or three columns on a desktop, one on a narrow tablet.
  grid: {
    display: 'grid',
    gap: tokens.spacingHorizontalL,
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 240px), 1fr))',
    alignItems: 'start',
  },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: {
    display: 'grid',
    gap: tokens.spacingHorizontalM,
    alignItems: 'end',
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 180px), 1fr)) auto',
  },
});

export interface CustomerFormProps {
  customer: Customer | undefined;
  /** The tenant's base currency, a new customer's currency unless changed. */
  baseCurrency: string;
}

/**
 * A customer's details: code and name, currency, payment terms and credit limit, VAT number,
 * e-mail and phone, delivery and billing addresses and contact people. Finance keeps customers;
 * everyone else who may read them sees the same form read-only.
 */
export function CustomerForm({ customer, baseCurrency }: CustomerFormProps) {
  const styles = useFormStyles();
  const intl = useIntl();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const formErrorText = useFormErrorText();
  const roles = useRoles();
  const editable = can.manageCustomers(roles);
  const grantCredit = can.grantCredit(roles);
  const isNew = !customer;

  const initial = useMemo(() => draftFromCustomer(customer, baseCurrency), [customer, baseCurrency]);
  const [draft, setDraft] = useState<CustomerDraft>(initial);
  const [basis, setBasis] = useState(initial);
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  if (basis !== initial) {
    // A saved or reloaded customer replaces what is being edited.
    setBasis(initial);
    setDraft(initial);
    setSubmitted(false);
  }

  const dirty =
    editable &&
    (isNew
      ? JSON.stringify(createInput(draft, grantCredit)) !== JSON.stringify(createInput(initial, grantCredit))
      : Object.keys(patchInput(draft, initial, grantCredit)).length > 0);
  const guard = useUnsavedChangesGuard(dirty);

  const clientErrors = useMemo(() => validateCustomer(draft, isNew), [draft, isNew]);
  const serverFieldErrors = fieldErrorsOf(serverError);
  const errorFor = (path: string): string | undefined => {
    const client = submitted ? clientErrors[path] : undefined;
    return client ? formErrorText(client) : serverFieldErrors[path];
  };

  const save = useMutation({
    mutationFn: () =>
      customer
        ? api.patch<Customer>(
            `v1/accounting/customers/${customer.id}`,
            patchInput(draft, initial, grantCredit),
            customer.version,
          )
        : api.post<Customer>('v1/accounting/customers', createInput(draft, grantCredit)),
    onMutate: () => {
      setServerError(undefined);
      setSaved(false);
    },
    onSuccess: (result) => {
      queryClient.setQueryData(accountingKeys.customer(result.id), result);
      void queryClient.invalidateQueries({ queryKey: accountingKeys.customers(), refetchType: 'none' });
      setSaved(true);
      if (isNew) {
        guard.allowLeaving();
        void navigate(`/sales/customers/${result.id}`, { replace: true });
      }
    },
    onError: setServerError,
  });

  const submit = () => {
    setSubmitted(true);
    if (Object.keys(clientErrors).length > 0) return;
    save.mutate();
  };

  const set = <K extends keyof CustomerDraft>(field: K, value: CustomerDraft[K]) =>
    setDraft((d) => ({ ...d, [field]: value }));
  const setContact = (index: number, change: Partial<ContactDraft>) =>
    setDraft((d) => ({
      ...d,
      contacts: d.contacts.map((c, i) => (i === index ? { ...c, ...change } : c)),
    }));

  const text = (
    field:
      'code' | 'name' | 'taxNumber' | 'currency' | 'paymentTermsDays' | 'creditLimit' | 'email' | 'phone',
    label: string,
    options: {
      required?: boolean;
      path?: string;
      hint?: string;
      inputMode?: 'decimal' | 'numeric' | 'email' | 'tel';
      readOnly?: boolean;
    } = {},
  ) => (
    <Field
      label={label}
      required={options.required}
      hint={options.hint}
      validationMessage={(options.path && errorFor(options.path)) || errorFor(field)}
    >
      <Input
        value={draft[field]}
        readOnly={!editable || options.readOnly}
        inputMode={options.inputMode}
        onChange={(_, data) => set(field, data.value)}
      />
    </Field>
  );

  const title = customer
    ? intl.formatMessage(
        { id: 'customer.title', defaultMessage: 'Customer {code} · {name}' },
        { code: customer.code, name: customer.name },
      )
    : intl.formatMessage({ id: 'customer.new', defaultMessage: 'New customer' });

  return (
    <form
      className={styles.root}
      noValidate
      aria-label={title}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <FormHeading
        title={title}
        inactiveLabel={
          customer && !customer.active
            ? intl.formatMessage({ id: 'customer.inactive', defaultMessage: 'Inactive' })
            : undefined
        }
        dirty={dirty}
        saved={saved}
      />

      {serverError !== undefined && (
        <SaveErrorBar
          error={serverError}
          onReload={
            customer
              ? () => {
                  setServerError(undefined);
                  void queryClient.invalidateQueries({ queryKey: accountingKeys.customer(customer.id) });
                }
              : undefined
          }
        />
      )}

      <div className={styles.grid}>
        {text('code', intl.formatMessage({ id: 'customer.code', defaultMessage: 'Code' }), {
          required: isNew,
          readOnly: !isNew,
          hint: isNew
            ? intl.formatMessage({
                id: 'customer.codeHint',
                defaultMessage: 'Capitals and digits, such as BUILDCO; it never changes',
              })
            : undefined,
        })}
        {text('name', intl.formatMessage({ id: 'customer.name', defaultMessage: 'Name' }), {
          required: true,
        })}
        {text('taxNumber', intl.formatMessage({ id: 'customer.taxNumber', defaultMessage: 'VAT number' }))}
        {text('currency', intl.formatMessage({ id: 'quote.currency', defaultMessage: 'Currency' }), {
          required: true,
        })}
        {text(
          'paymentTermsDays',
          intl.formatMessage({ id: 'customer.terms', defaultMessage: 'Payment terms' }),
          {
            required: true,
            inputMode: 'numeric',
            hint: intl.formatMessage({
              id: 'customer.termsHint',
              defaultMessage: 'Days after the invoice date',
            }),
          },
        )}
        {text(
          'creditLimit',
          intl.formatMessage({ id: 'customer.creditLimit', defaultMessage: 'Credit limit' }),
          {
            path: 'creditLimit.amount',
            inputMode: 'decimal',
            readOnly: !grantCredit,
            hint: grantCredit
              ? intl.formatMessage(
                  { id: 'customer.creditLimitHint', defaultMessage: 'In {currency}; blank for no limit' },
                  { currency: draft.currency.toUpperCase() || baseCurrency },
                )
              : intl.formatMessage({
                  id: 'customer.creditLimitFinance',
                  defaultMessage: 'Set by finance; a new customer has no credit until then',
                }),
          },
        )}
        {text('email', intl.formatMessage({ id: 'customer.email', defaultMessage: 'E-mail' }), {
          inputMode: 'email',
        })}
        {text('phone', intl.formatMessage({ id: 'customer.phone', defaultMessage: 'Phone' }), {
          inputMode: 'tel',
        })}
        {customer && (
          <ActiveField
            checked={draft.active}
            disabled={!editable}
            onLabel={intl.formatMessage({ id: 'customer.activeOn', defaultMessage: 'Can be sold to' })}
            offLabel={intl.formatMessage({ id: 'customer.activeOff', defaultMessage: 'Deactivated' })}
            error={errorFor('active')}
            onChange={(active) => set('active', active)}
          />
        )}
      </div>

      <AddressFields
        title={intl.formatMessage({ id: 'customer.deliveryAddress', defaultMessage: 'Delivery address' })}
        prefix="deliveryAddress"
        address={draft.deliveryAddress}
        readOnly={!editable}
        errorFor={errorFor}
        onChange={(address) => set('deliveryAddress', address)}
      />
      <AddressFields
        title={intl.formatMessage({ id: 'customer.billingAddress', defaultMessage: 'Billing address' })}
        prefix="billingAddress"
        address={draft.billingAddress}
        readOnly={!editable}
        errorFor={errorFor}
        onChange={(address) => set('billingAddress', address)}
      />

      <section
        className={styles.section}
        aria-label={intl.formatMessage({ id: 'customer.contacts', defaultMessage: 'Contacts' })}
      >
        <Subtitle2 as="h2">
          <FormattedMessage id="customer.contacts" defaultMessage="Contacts" />
        </Subtitle2>
        {draft.contacts.length === 0 && (
          <span>
            <FormattedMessage id="customer.noContacts" defaultMessage="No contact people yet." />
          </span>
        )}
        {draft.contacts.map((contact, index) => {
          const label = (field: string) =>
            intl.formatMessage(
              { id: 'customer.contactField', defaultMessage: '{field}, contact {n}' },
              { field, n: index + 1 },
            );
          const input = (field: 'name' | 'role' | 'email' | 'phone', name: string) => (
            <Field
              label={label(name)}
              required={field === 'name'}
              validationMessage={errorFor(`contacts.${index}.${field}`)}
            >
              <Input
                value={contact[field]}
                readOnly={!editable}
                onChange={(_, data) => setContact(index, { [field]: data.value })}
              />
            </Field>
          );
          return (
            <div key={contact.key} className={styles.row}>
              {input('name', intl.formatMessage({ id: 'customer.contactName', defaultMessage: 'Name' }))}
              {input('role', intl.formatMessage({ id: 'customer.contactRole', defaultMessage: 'Role' }))}
              {input('email', intl.formatMessage({ id: 'customer.email', defaultMessage: 'E-mail' }))}
              {input('phone', intl.formatMessage({ id: 'customer.phone', defaultMessage: 'Phone' }))}
              {editable && (
                <Button
                  appearance="subtle"
                  icon={<DeleteRegular />}
                  aria-label={intl.formatMessage(
                    { id: 'customer.removeContact', defaultMessage: 'Remove contact {n}' },
                    { n: index + 1 },
                  )}
                  onClick={() =>
                    setDraft((d) => ({ ...d, contacts: d.contacts.filter((_, i) => i !== index) }))
                  }
                />
              )}
            </div>
          );
        })}
        {editable && (
          <div>
            <Button
              icon={<AddRegular />}
              disabled={draft.contacts.length >= 20}
              onClick={() => setDraft((d) => ({ ...d, contacts: [...d.contacts, emptyContact()] }))}
            >
              <FormattedMessage id="customer.addContact" defaultMessage="Add contact" />
            </Button>
          </div>
        )}
      </section>

      {editable && (
        <FormActions
          label={intl.formatMessage({ id: 'customer.actions', defaultMessage: 'Customer actions' })}
          submitLabel={
            isNew
              ? intl.formatMessage({ id: 'customer.create', defaultMessage: 'Create customer' })
              : intl.formatMessage({ id: 'customer.save', defaultMessage: 'Save changes' })
          }
          isNew={isNew}
          dirty={dirty}
          pending={save.isPending}
          onDiscard={() => setDraft(initial)}
        />
      )}
      {guard.dialog}
    </form>
  );
}

function AddressFields(props: {
  title: string;
  prefix: string;
  address: AddressDraft;
  readOnly: boolean;
  errorFor: (path: string) => string | undefined;
  onChange: (address: AddressDraft) => void;
}) {
  const styles = useFormStyles();
  const intl = useIntl();
  const labels: Record<keyof AddressDraft, string> = {
    line1: intl.formatMessage({ id: 'address.line1', defaultMessage: 'Street address' }),
    line2: intl.formatMessage({ id: 'address.line2', defaultMessage: 'Address line 2' }),
    city: intl.formatMessage({ id: 'address.city', defaultMessage: 'City or town' }),
    region: intl.formatMessage({ id: 'address.region', defaultMessage: 'Province or region' }),
    postalCode: intl.formatMessage({ id: 'address.postalCode', defaultMessage: 'Postal code' }),
    country: intl.formatMessage({ id: 'address.country', defaultMessage: 'Country code' }),
  };
  return (
    <section className={styles.section} aria-label={props.title}>
      <Subtitle2 as="h2">{props.title}</Subtitle2>
      <div className={styles.grid}>
        {(Object.keys(labels) as (keyof AddressDraft)[]).map((field) => (
          <Field
            key={field}
            label={intl.formatMessage(
              { id: 'address.fieldLabel', defaultMessage: '{field} ({address})' },
              { field: labels[field], address: props.title.toLocaleLowerCase() },
            )}
            validationMessage={props.errorFor(`${props.prefix}.${field}`)}
          >
            <Input
              value={props.address[field]}
              readOnly={props.readOnly}
              maxLength={field === 'country' ? 2 : 200}
              placeholder={field === 'country' ? 'ZA' : undefined}
              onChange={(_, data) => props.onChange({ ...props.address, [field]: data.value })}
            />
          </Field>
        ))}
      </div>
    </section>
  );
}
