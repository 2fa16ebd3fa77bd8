import { Dropdown, Field, Input, Option } from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useIntl } from 'react-intl';
import { fieldErrorsOf } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { useTenant } from '../../api/useTenant';
import { adminKeys } from '../../api/keys';
import type { Tenant, TenantPatch } from '../../api/types';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { ErrorState, Loading } from '../../components/States';
import { useUnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
import { isDecimalText } from '../../format/decimal';
import { LOCALES } from '../../i18n/LocaleProvider';
import {
  FormActions,
  FormHeading,
  SaveErrorBar,
  useFormErrorText,
  type FormErrorKind,
} from '../inventory/formParts';
import { useFormStyles } from '../sales/CustomerForm';

/** `/admin/settings`: the tenant's name, language, time zone, fiscal year and approval threshold. */
export function TenantSettingsPage() {
  const tenant = useTenant();
  if (tenant.isPending) return <Loading />;
  if (tenant.isError) return <ErrorState error={tenant.error} onRetry={() => void tenant.refetch()} />;
  return <TenantSettingsForm tenant={tenant.data} />;
}

interface SettingsDraft {
  name: string;
  locale: string;
  timeZone: string;
  fiscalYearStartMonth: string;
  approvalThreshold: string;
}

const draftOf = (t: Tenant): SettingsDraft => ({
  name: t.name,
  locale: t.locale,
  timeZone: t.timeZone,
  fiscalYearStartMonth: String(t.fiscalYearStartMonth ?? 3),
  approvalThreshold: t.approvalThreshold.amount,
});

/** The settings that changed, as the API takes them. */
function patchOf(draft: SettingsDraft, saved: SettingsDraft, currency: string): TenantPatch {
  const patch: TenantPatch = {};
  if (draft.name.trim() !== saved.name) patch.name = draft.name.trim();
  if (draft.locale !== saved.locale) patch.locale = draft.locale;
  if (draft.timeZone.trim() !== saved.timeZone) patch.timeZone = draft.timeZone.trim();
  if (draft.fiscalYearStartMonth !== saved.fiscalYearStartMonth)
    patch.fiscalYearStartMonth = Number(draft.fiscalYearStartMonth);
  if (draft.approvalThreshold.trim() !== saved.approvalThreshold)
    patch.approvalThreshold = { amount: draft.approvalThreshold.trim(), currency };
  return patch;
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

function TenantSettingsForm({ tenant }: { tenant: Tenant }) {
  const styles = useFormStyles();
  const intl = useIntl();
  const api = useApi();
  const queryClient = useQueryClient();
  const formErrorText = useFormErrorText();
  const editable = can.administer(useRoles());
  const currency = tenant.approvalThreshold.currency;

  const initial = useMemo(() => draftOf(tenant), [tenant]);
  const [draft, setDraft] = useState(initial);
  const [basis, setBasis] = useState(initial);
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  if (basis !== initial) {
    setBasis(initial);
    setDraft(initial);
    setSubmitted(false);
  }
  const patch = patchOf(draft, initial, currency);
  const dirty = editable && Object.keys(patch).length > 0;
  const guard = useUnsavedChangesGuard(dirty);

  const clientErrors: Record<string, FormErrorKind> = {};
  if (!draft.name.trim()) clientErrors.name = 'required';
  if (!validTimeZone(draft.timeZone.trim())) clientErrors.timeZone = 'required';
  if (!isDecimalText(draft.approvalThreshold)) clientErrors['approvalThreshold.amount'] = 'amount';
  const serverFieldErrors = fieldErrorsOf(serverError);
  const errorFor = (path: string) => {
    const client = submitted ? clientErrors[path] : undefined;
    if (client === 'required' && path === 'timeZone')
      return intl.formatMessage({
        id: 'admin.timeZoneFormat',
        defaultMessage: 'A time zone such as Africa/Johannesburg',
      });
    return client ? formErrorText(client) : serverFieldErrors[path];
  };

  const save = useMutation({
    mutationFn: () => api.patch<Tenant>('v1/admin/tenant', patch, tenant.version),
    onMutate: () => {
      setServerError(undefined);
      setSaved(false);
    },
    onSuccess: (result) => {
      queryClient.setQueryData(adminKeys.tenant(), result);
      setSaved(true);
    },
    onError: setServerError,
  });

  const months = useMemo(() => {
    const format = new Intl.DateTimeFormat(intl.locale, { month: 'long', timeZone: 'UTC' });
    return Array.from({ length: 12 }, (_, i) => format.format(new Date(Date.UTC(2026, i, 1))));
  }, [intl.locale]);
  const set = (field: keyof SettingsDraft, value: string) => setDraft((d) => ({ ...d, [field]: value }));
  const localeOptions = LOCALES.includes(draft.locale as (typeof LOCALES)[number])
    ? [...LOCALES]
    : [...LOCALES, draft.locale];

  return (
    <form
      className={styles.root}
      noValidate
      aria-label={intl.formatMessage({ id: 'admin.settings', defaultMessage: 'Tenant settings' })}
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (Object.keys(clientErrors).length === 0) save.mutate();
      }}
    >
      <FormHeading
        title={intl.formatMessage({ id: 'admin.settings', defaultMessage: 'Tenant settings' })}
        dirty={dirty}
        saved={saved}
      />
      {serverError !== undefined && (
        <SaveErrorBar
          error={serverError}
          onReload={() => {
            setServerError(undefined);
            void queryClient.invalidateQueries({ queryKey: adminKeys.tenant() });
          }}
        />
      )}
      <div className={styles.grid}>
        <Field label={intl.formatMessage({ id: 'admin.slug', defaultMessage: 'Tenant' })}>
          <Input value={tenant.slug} readOnly />
        </Field>
        <Field label={intl.formatMessage({ id: 'admin.baseCurrency', defaultMessage: 'Base currency' })}>
          <Input value={tenant.baseCurrency} readOnly />
        </Field>
        <Field
          label={intl.formatMessage({ id: 'admin.name', defaultMessage: 'Company name' })}
          required
          validationMessage={errorFor('name')}
        >
          <Input
            value={draft.name}
            readOnly={!editable}
            maxLength={200}
            onChange={(_, data) => set('name', data.value)}
          />
        </Field>
        <Field
          label={intl.formatMessage({ id: 'admin.locale', defaultMessage: 'Language and region' })}
          validationMessage={errorFor('locale')}
        >
          <Dropdown
            disabled={!editable}
            value={draft.locale}
            selectedOptions={[draft.locale]}
            onOptionSelect={(_, data) => set('locale', data.optionValue ?? draft.locale)}
          >
            {localeOptions.map((l) => (
              <Option key={l} value={l}>
                {l}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field
          label={intl.formatMessage({ id: 'admin.timeZone', defaultMessage: 'Time zone' })}
          validationMessage={errorFor('timeZone')}
        >
          <Input
            value={draft.timeZone}
            readOnly={!editable}
            onChange={(_, data) => set('timeZone', data.value)}
          />
        </Field>
        <Field
          label={intl.formatMessage({ id: 'admin.fiscalYearStart', defaultMessage: 'Fiscal year starts in' })}
          hint={intl.formatMessage({
            id: 'admin.fiscalYearHint',
            defaultMessage: 'Applies to fiscal years not yet opened',
          })}
          validationMessage={errorFor('fiscalYearStartMonth')}
        >
          <Dropdown
            disabled={!editable}
            value={months[Number(draft.fiscalYearStartMonth) - 1] ?? ''}
            selectedOptions={[draft.fiscalYearStartMonth]}
            onOptionSelect={(_, data) => set('fiscalYearStartMonth', data.optionValue ?? '1')}
          >
            {months.map((month, i) => (
              <Option key={month} value={String(i + 1)}>
                {month}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field
          label={intl.formatMessage(
            { id: 'admin.approvalThreshold', defaultMessage: 'Orders need approval above ({currency})' },
            { currency },
          )}
          validationMessage={errorFor('approvalThreshold.amount') ?? errorFor('approvalThreshold')}
        >
          <Input
            value={draft.approvalThreshold}
            readOnly={!editable}
            inputMode="decimal"
            onChange={(_, data) => set('approvalThreshold', data.value)}
          />
        </Field>
      </div>
      {editable && (
        <FormActions
          label={intl.formatMessage({ id: 'admin.settingsActions', defaultMessage: 'Settings actions' })}
          submitLabel={intl.formatMessage({ id: 'admin.saveSettings', defaultMessage: 'Save settings' })}
          isNew={false}
          dirty={dirty}
          pending={save.isPending}
          onDiscard={() => setDraft(initial)}
        />
      )}
      {guard.dialog}
    </form>
  );
}
