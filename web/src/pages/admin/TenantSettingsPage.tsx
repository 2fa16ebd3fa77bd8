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
import { DocumentsPanel } from '../../components/DocumentsPanel';
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
import { usePageStyles } from '../sales/QuotesPage';
import {
  CompanyProfileFields,
  profileDraftOf,
  profileOf,
  sameProfile,
  useProfileErrorText,
  validateProfile,
  type CompanyProfile,
  type ProfileDraft,
} from './CompanyProfileFields';

/**
 * `/admin/settings`: the tenant's name, language, time zone, fiscal year and approval threshold,
 * the company profile that tax invoices print, and the company's own documents.
 */
export function TenantSettingsPage() {
  const tenant = useTenant();
  const page = usePageStyles();
  const intl = useIntl();
  if (tenant.isPending) return <Loading />;
  if (tenant.isError) return <ErrorState error={tenant.error} onRetry={() => void tenant.refetch()} />;
  return (
    <div className={page.page}>
      <TenantSettingsForm tenant={tenant.data} />
      <DocumentsPanel
        recordType="company"
        recordId={tenant.data.id}
        title={intl.formatMessage({
          id: 'documents.companyTitle',
          defaultMessage: 'Company documents: letterheads, registration and tax certificates',
        })}
      />
    </div>
  );
}

/** The tenant as the settings read it: the company profile comes with it. */
type TenantWithProfile = Tenant & { companyProfile?: CompanyProfile };
/** A change of settings; a company profile replaces the whole profile. */
type SettingsPatch = TenantPatch & { companyProfile?: CompanyProfile };

interface SettingsDraft {
  name: string;
  locale: string;
  timeZone: string;
  fiscalYearStartMonth: string;
  approvalThreshold: string;
  profile: ProfileDraft;
}

const draftOf = (t: TenantWithProfile): SettingsDraft => ({
  name: t.name,
  locale: t.locale,
  timeZone: t.timeZone,
  fiscalYearStartMonth: String(t.fiscalYearStartMonth ?? 3),
  approvalThreshold: t.approvalThreshold.amount,
  profile: profileDraftOf(t.companyProfile),
});

/** The settings that changed, as the API takes them. */
function patchOf(draft: SettingsDraft, saved: SettingsDraft, currency: string): SettingsPatch {
  const patch: SettingsPatch = {};
  if (draft.name.trim() !== saved.name) patch.name = draft.name.trim();
  if (draft.locale !== saved.locale) patch.locale = draft.locale;
  if (draft.timeZone.trim() !== saved.timeZone) patch.timeZone = draft.timeZone.trim();
  if (draft.fiscalYearStartMonth !== saved.fiscalYearStartMonth)
    patch.fiscalYearStartMonth = Number(draft.fiscalYearStartMonth);
  if (draft.approvalThreshold.trim() !== saved.approvalThreshold)
    patch.approvalThreshold = { amount: draft.approvalThreshold.trim(), currency };
  if (!sameProfile(draft.profile, saved.profile)) patch.companyProfile = profileOf(draft.profile);
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

function TenantSettingsForm({ tenant }: { tenant: TenantWithProfile }) {
  const styles = useFormStyles();
  const intl = useIntl();
  const api = useApi();
  const queryClient = useQueryClient();
  const formErrorText = useFormErrorText();
  const profileErrorText = useProfileErrorText();
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
  const profileErrors = validateProfile(draft.profile);
  const valid = Object.keys(clientErrors).length === 0 && Object.keys(profileErrors).length === 0;
  const serverFieldErrors = fieldErrorsOf(serverError);
  const errorFor = (path: string) => {
    const client = submitted ? clientErrors[path] : undefined;
    if (client === 'required' && path === 'timeZone')
      return intl.formatMessage({
        id: 'admin.timeZoneFormat',
        defaultMessage: 'A time zone such as Africa/Johannesburg',
      });
    if (client) return formErrorText(client);
    const profileClient = submitted ? profileErrors[path] : undefined;
    return profileClient ? profileErrorText(profileClient) : serverFieldErrors[path];
  };

  const save = useMutation({
    mutationFn: () => api.patch<TenantWithProfile>('v1/admin/tenant', patch, tenant.version),
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
  const set = (field: Exclude<keyof SettingsDraft, 'profile'>, value: string) =>
    setDraft((d) => ({ ...d, [field]: value }));
  const setProfile = (field: keyof ProfileDraft, value: string) =>
    setDraft((d) => ({ ...d, profile: { ...d.profile, [field]: value } }));
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
        if (valid) save.mutate();
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
      <CompanyProfileFields
        draft={draft.profile}
        editable={editable}
        onChange={setProfile}
        errorFor={errorFor}
      />
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
