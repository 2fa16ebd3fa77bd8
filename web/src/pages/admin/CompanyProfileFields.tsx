import { Field, Input, Subtitle2, Text, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useId } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { useFormErrorText } from '../inventory/formParts';
import { useFormStyles } from '../sales/CustomerForm';

/**
 * What tax invoices and report headers print about the company (`companyProfileSchema` in
 * `shared/modules/admin/schemas.ts`). Every field is optional; an address needs a line, bank
 * details need the bank, the account name and the account number.
 */
export interface CompanyProfile {
  legalName?: string;
  taxNumber?: string;
  registrationNumber?: string;
  address?: { lines: string[]; city?: string; postalCode?: string; country?: string };
  email?: string;
  phone?: string;
  website?: string;
  bank?: {
    bankName: string;
    accountName: string;
    accountNumber: string;
    branchCode?: string;
    swift?: string;
    iban?: string;
  };
}

/** The profile as the form edits it: one text per field, the address lines one per line. */
export interface ProfileDraft {
  legalName: string;
  taxNumber: string;
  registrationNumber: string;
  addressLines: string;
  city: string;
  postalCode: string;
  country: string;
  email: string;
  phone: string;
  website: string;
  bankName: string;
  accountName: string;
  accountNumber: string;
  branchCode: string;
  swift: string;
  iban: string;
}

export const ADDRESS_LINES_MAX = 4;

export function profileDraftOf(profile: CompanyProfile | undefined): ProfileDraft {
  const p = profile ?? {};
  return {
    legalName: p.legalName ?? '',
    taxNumber: p.taxNumber ?? '',
    registrationNumber: p.registrationNumber ?? '',
    addressLines: p.address?.lines.join('\n') ?? '',
    city: p.address?.city ?? '',
    postalCode: p.address?.postalCode ?? '',
    country: p.address?.country ?? '',
    email: p.email ?? '',
    phone: p.phone ?? '',
    website: p.website ?? '',
    bankName: p.bank?.bankName ?? '',
    accountName: p.bank?.accountName ?? '',
    accountNumber: p.bank?.accountNumber ?? '',
    branchCode: p.bank?.branchCode ?? '',
    swift: p.bank?.swift ?? '',
    iban: p.bank?.iban ?? '',
  };
}

const optional = (value: string): string | undefined => value.trim() || undefined;
// Codes are printed and compared in capitals without spaces, however they were typed.
const code = (value: string): string | undefined => optional(value.replace(/\s+/g, '').toUpperCase());
const addressLinesOf = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** The profile the draft describes, as the API takes it: blank fields left out. */
export function profileOf(d: ProfileDraft): CompanyProfile {
  const lines = addressLinesOf(d.addressLines);
  const hasAddress = lines.length > 0 || [d.city, d.postalCode, d.country].some((v) => v.trim());
  const hasBank = [d.bankName, d.accountName, d.accountNumber, d.branchCode, d.swift, d.iban].some((v) =>
    v.trim(),
  );
  const website = optional(d.website);
  return {
    legalName: optional(d.legalName),
    taxNumber: optional(d.taxNumber),
    registrationNumber: optional(d.registrationNumber),
    address: hasAddress
      ? {
          lines,
          city: optional(d.city),
          postalCode: optional(d.postalCode),
          country: code(d.country),
        }
      : undefined,
    email: optional(d.email),
    phone: optional(d.phone),
    // "www.example.co.za" means the https site.
    website: website && !/^[a-z][a-z0-9+.-]*:/i.test(website) ? `https://${website}` : website,
    bank: hasBank
      ? {
          bankName: d.bankName.trim(),
          accountName: d.accountName.trim(),
          accountNumber: d.accountNumber.trim(),
          branchCode: optional(d.branchCode),
          swift: code(d.swift),
          iban: code(d.iban),
        }
      : undefined,
  };
}

/** Whether two drafts describe the same profile (what the API would store). */
export function sameProfile(a: ProfileDraft, b: ProfileDraft): boolean {
  return JSON.stringify(profileOf(a)) === JSON.stringify(profileOf(b));
}

export type ProfileErrorKind =
  'required' | 'email' | 'country' | 'taxNumber' | 'website' | 'swift' | 'iban' | 'addressLines';

/** The draft's mistakes by field path (`companyProfile.bank.iban`), as the API would name them. */
export function validateProfile(d: ProfileDraft): Record<string, ProfileErrorKind> {
  const errors: Record<string, ProfileErrorKind> = {};
  const p = profileOf(d);
  if (p.taxNumber && !/^[A-Za-z0-9 ./-]+$/.test(p.taxNumber))
    errors['companyProfile.taxNumber'] = 'taxNumber';
  if (p.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(p.email)) errors['companyProfile.email'] = 'email';
  if (p.website) {
    let valid = false;
    try {
      const url = new URL(p.website);
      valid = (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.includes('.');
    } catch {
      valid = false;
    }
    if (!valid) errors['companyProfile.website'] = 'website';
  }
  if (p.address) {
    if (p.address.lines.length === 0) errors['companyProfile.address.lines'] = 'required';
    else if (p.address.lines.length > ADDRESS_LINES_MAX || p.address.lines.some((l) => l.length > 200))
      errors['companyProfile.address.lines'] = 'addressLines';
    if (p.address.country && !/^[A-Z]{2}$/.test(p.address.country))
      errors['companyProfile.address.country'] = 'country';
  }
  if (p.bank) {
    for (const field of ['bankName', 'accountName', 'accountNumber'] as const)
      if (!p.bank[field]) errors[`companyProfile.bank.${field}`] = 'required';
    if (p.bank.swift && !/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(p.bank.swift))
      errors['companyProfile.bank.swift'] = 'swift';
    if (p.bank.iban && !/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(p.bank.iban))
      errors['companyProfile.bank.iban'] = 'iban';
  }
  return errors;
}

/** The sentence for a mistake in the profile. */
export function useProfileErrorText() {
  const intl = useIntl();
  const formErrorText = useFormErrorText();
  return (kind: ProfileErrorKind): string => {
    switch (kind) {
      case 'required':
      case 'email':
      case 'country':
        return formErrorText(kind);
      case 'taxNumber':
        return intl.formatMessage({
          id: 'settings.profile.taxNumberFormat',
          defaultMessage: 'Letters, digits, spaces, dots, slashes and hyphens only',
        });
      case 'website':
        return intl.formatMessage({
          id: 'settings.profile.websiteFormat',
          defaultMessage: 'A web address such as https://www.example.co.za',
        });
      case 'swift':
        return intl.formatMessage({
          id: 'settings.profile.swiftFormat',
          defaultMessage: 'A SWIFT (BIC) code of 8 or 11 letters and digits, such as FIRNZAJJ',
        });
      case 'iban':
        return intl.formatMessage({
          id: 'settings.profile.ibanFormat',
          defaultMessage:
            'An IBAN: two letters, two check digits, then the account, such as GB29NWBK60161331926819',
        });
      case 'addressLines':
        return intl.formatMessage(
          {
            id: 'settings.profile.addressLinesFormat',
            defaultMessage: 'At most {max} lines of up to 200 characters',
          },
          { max: ADDRESS_LINES_MAX },
        );
    }
  };
}

const useStyles = makeStyles({
  intro: { color: tokens.colorNeutralForeground3 },
  wide: { gridColumn: '1 / -1' },
});

/** The company profile's fields, inside the tenant settings form. */
export function CompanyProfileFields(props: {
  draft: ProfileDraft;
  editable: boolean;
  onChange: (field: keyof ProfileDraft, value: string) => void;
  /** The error to show at a field path (`companyProfile.bank.iban`), if any. */
  errorFor: (path: string) => string | undefined;
}) {
  const form = useFormStyles();
  const styles = useStyles();
  const intl = useIntl();
  const headingId = useId();
  const { draft, editable, onChange, errorFor } = props;
  const input = (
    field: keyof ProfileDraft,
    path: string,
    label: string,
    options: { maxLength: number; hint?: string; type?: 'email' | 'tel' | 'url'; required?: boolean },
  ) => (
    <Field
      label={label}
      hint={options.hint}
      required={options.required}
      validationMessage={errorFor(`companyProfile.${path}`)}
    >
      <Input
        type={options.type}
        value={draft[field]}
        readOnly={!editable}
        maxLength={options.maxLength}
        onChange={(_, data) => onChange(field, data.value)}
      />
    </Field>
  );
  const bankStarted = [
    draft.bankName,
    draft.accountName,
    draft.accountNumber,
    draft.branchCode,
    draft.swift,
    draft.iban,
  ].some((v) => v.trim());
  // A server error on one line (`companyProfile.address.lines.2`) shows on the lines' field.
  const linesError =
    errorFor('companyProfile.address.lines') ??
    [0, 1, 2, 3, 4].map((i) => errorFor(`companyProfile.address.lines.${i}`)).find(Boolean) ??
    errorFor('companyProfile.address');

  return (
    <section className={form.section} aria-labelledby={headingId}>
      <Subtitle2 as="h2" id={headingId}>
        <FormattedMessage id="settings.profile.title" defaultMessage="Company profile" />
      </Subtitle2>
      <Text className={styles.intro}>
        <FormattedMessage
          id="settings.profile.intro"
          defaultMessage="Printed on tax invoices and report headers. Fill in what applies; what is left blank is left out."
        />
      </Text>
      <div className={form.grid}>
        {input(
          'legalName',
          'legalName',
          intl.formatMessage({ id: 'settings.profile.legalName', defaultMessage: 'Legal name' }),
          {
            maxLength: 200,
            hint: intl.formatMessage({
              id: 'settings.profile.legalNameHint',
              defaultMessage: 'As registered, e.g. Demo Construction (Pty) Ltd',
            }),
          },
        )}
        {input(
          'taxNumber',
          'taxNumber',
          intl.formatMessage({ id: 'settings.profile.taxNumber', defaultMessage: 'VAT number' }),
          {
            maxLength: 30,
            hint: intl.formatMessage({
              id: 'settings.profile.taxNumberHint',
              defaultMessage: 'VAT registration number, e.g. 4123456789',
            }),
          },
        )}
        {input(
          'registrationNumber',
          'registrationNumber',
          intl.formatMessage({
            id: 'settings.profile.registrationNumber',
            defaultMessage: 'Company registration number',
          }),
          {
            maxLength: 40,
            hint: intl.formatMessage({
              id: 'settings.profile.registrationNumberHint',
              defaultMessage: 'e.g. 2015/123456/07',
            }),
          },
        )}
        {input(
          'email',
          'email',
          intl.formatMessage({ id: 'settings.profile.email', defaultMessage: 'E-mail address' }),
          { maxLength: 254, type: 'email' },
        )}
        {input(
          'phone',
          'phone',
          intl.formatMessage({ id: 'settings.profile.phone', defaultMessage: 'Telephone' }),
          { maxLength: 40, type: 'tel' },
        )}
        {input(
          'website',
          'website',
          intl.formatMessage({ id: 'settings.profile.website', defaultMessage: 'Website' }),
          { maxLength: 200, type: 'url' },
        )}
        <Field
          className={styles.wide}
          label={intl.formatMessage({
            id: 'settings.profile.addressLines',
            defaultMessage: 'Street address',
          })}
          hint={intl.formatMessage(
            { id: 'settings.profile.addressLinesHint', defaultMessage: 'Up to {max} lines' },
            { max: ADDRESS_LINES_MAX },
          )}
          validationMessage={linesError}
        >
          <Textarea
            value={draft.addressLines}
            readOnly={!editable}
            rows={3}
            onChange={(_, data) => onChange('addressLines', data.value)}
          />
        </Field>
        {input(
          'city',
          'address.city',
          intl.formatMessage({ id: 'settings.profile.city', defaultMessage: 'City or town' }),
          { maxLength: 100 },
        )}
        {input(
          'postalCode',
          'address.postalCode',
          intl.formatMessage({ id: 'settings.profile.postalCode', defaultMessage: 'Postal code' }),
          { maxLength: 20 },
        )}
        {input(
          'country',
          'address.country',
          intl.formatMessage({ id: 'settings.profile.country', defaultMessage: 'Country' }),
          {
            maxLength: 2,
            hint: intl.formatMessage({
              id: 'settings.profile.countryHint',
              defaultMessage: 'Two-letter code, e.g. ZA',
            }),
          },
        )}
      </div>
      <Subtitle2 as="h3">
        <FormattedMessage id="settings.profile.bank" defaultMessage="Bank details" />
      </Subtitle2>
      <Text className={styles.intro}>
        <FormattedMessage
          id="settings.profile.bankIntro"
          defaultMessage="The account customers pay into, printed on tax invoices."
        />
      </Text>
      <div className={form.grid}>
        {input(
          'bankName',
          'bank.bankName',
          intl.formatMessage({ id: 'settings.profile.bankName', defaultMessage: 'Bank' }),
          { maxLength: 100, required: bankStarted },
        )}
        {input(
          'accountName',
          'bank.accountName',
          intl.formatMessage({ id: 'settings.profile.accountName', defaultMessage: 'Account name' }),
          { maxLength: 200, required: bankStarted },
        )}
        {input(
          'accountNumber',
          'bank.accountNumber',
          intl.formatMessage({ id: 'settings.profile.accountNumber', defaultMessage: 'Account number' }),
          { maxLength: 40, required: bankStarted },
        )}
        {input(
          'branchCode',
          'bank.branchCode',
          intl.formatMessage({ id: 'settings.profile.branchCode', defaultMessage: 'Branch code' }),
          { maxLength: 20 },
        )}
        {input(
          'swift',
          'bank.swift',
          intl.formatMessage({ id: 'settings.profile.swift', defaultMessage: 'SWIFT (BIC) code' }),
          { maxLength: 14 },
        )}
        {input(
          'iban',
          'bank.iban',
          intl.formatMessage({ id: 'settings.profile.iban', defaultMessage: 'IBAN' }),
          {
            maxLength: 42,
            hint: intl.formatMessage({
              id: 'settings.profile.ibanHint',
              defaultMessage: 'For payments from abroad, where the bank uses one',
            }),
          },
        )}
      </div>
    </section>
  );
}
