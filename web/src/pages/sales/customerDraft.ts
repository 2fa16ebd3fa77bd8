import type { Address, Contact, Customer, CustomerInput } from '../../api/types';
import { isDecimalText } from '../../format/decimal';
import type { FormErrorKind } from '../inventory/formParts';

/** What the customer form edits: every field as the user typed it. */
export interface AddressDraft {
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

export interface ContactDraft {
  key: string;
  name: string;
  role: string;
  email: string;
  phone: string;
}

export interface CustomerDraft {
  code: string;
  name: string;
  taxNumber: string;
  currency: string;
  paymentTermsDays: string;
  creditLimit: string;
  email: string;
  phone: string;
  deliveryAddress: AddressDraft;
  billingAddress: AddressDraft;
  contacts: ContactDraft[];
  active: boolean;
}

export type CustomerErrors = Record<string, FormErrorKind>;

export const ADDRESS_FIELDS = ['line1', 'line2', 'city', 'region', 'postalCode', 'country'] as const;

const emptyAddress = (): AddressDraft => ({
  line1: '',
  line2: '',
  city: '',
  region: '',
  postalCode: '',
  country: '',
});

const addressDraft = (address: Address | null | undefined): AddressDraft => ({
  ...emptyAddress(),
  ...Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, address?.[f] ?? ''])),
});

export const emptyContact = (): ContactDraft => ({
  key: crypto.randomUUID(),
  name: '',
  role: '',
  email: '',
  phone: '',
});

export function draftFromCustomer(customer: Customer | undefined, baseCurrency: string): CustomerDraft {
  return {
    code: customer?.code ?? '',
    name: customer?.name ?? '',
    taxNumber: customer?.taxNumber ?? '',
    currency: customer?.currency ?? baseCurrency,
    paymentTermsDays: String(customer?.paymentTermsDays ?? 30),
    creditLimit: customer?.creditLimit?.amount ?? '',
    email: customer?.email ?? '',
    phone: customer?.phone ?? '',
    deliveryAddress: addressDraft(customer?.deliveryAddress),
    billingAddress: addressDraft(customer?.billingAddress),
    contacts: (customer?.contacts ?? []).map((c) => ({
      key: crypto.randomUUID(),
      name: c.name,
      role: c.role ?? '',
      email: c.email ?? '',
      phone: c.phone ?? '',
    })),
    active: customer?.active ?? true,
  };
}

const text = (value: string) => value.trim() || undefined;
const isBlank = (address: AddressDraft) => ADDRESS_FIELDS.every((f) => !address[f].trim());

function addressInput(address: AddressDraft): Address | null {
  if (isBlank(address)) return null;
  return {
    line1: address.line1.trim(),
    line2: text(address.line2),
    city: address.city.trim(),
    region: text(address.region),
    postalCode: text(address.postalCode),
    country: address.country.trim().toUpperCase(),
  };
}

function contactInput(contact: ContactDraft): Contact {
  return {
    name: contact.name.trim(),
    role: text(contact.role),
    email: text(contact.email),
    phone: text(contact.phone),
  };
}

/** Every field as the API takes it; blank optional fields are null. */
function fullInput(draft: CustomerDraft): Required<Omit<CustomerInput, 'code' | 'active'>> {
  return {
    name: draft.name.trim(),
    taxNumber: text(draft.taxNumber) ?? null,
    currency: draft.currency.trim().toUpperCase(),
    paymentTermsDays: Number(draft.paymentTermsDays),
    creditLimit: text(draft.creditLimit)
      ? { amount: draft.creditLimit.trim(), currency: draft.currency.trim().toUpperCase() }
      : null,
    email: text(draft.email) ?? null,
    phone: text(draft.phone) ?? null,
    deliveryAddress: addressInput(draft.deliveryAddress),
    billingAddress: addressInput(draft.billingAddress),
    contacts: draft.contacts.map(contactInput),
  };
}

/**
 * The body of a new customer: what is blank is left out, and the credit limit unless the user may
 * grant credit.
 */
export function createInput(draft: CustomerDraft, grantCredit: boolean): CustomerInput {
  const input: CustomerInput = { code: draft.code.trim().toUpperCase() };
  for (const [field, value] of Object.entries(fullInput(draft))) {
    if (value === null || (Array.isArray(value) && value.length === 0)) continue;
    if (field === 'creditLimit' && !grantCredit) continue;
    (input as Record<string, unknown>)[field] = value;
  }
  return input;
}

/** The body of a change: only the fields that differ from the saved customer. */
export function patchInput(draft: CustomerDraft, saved: CustomerDraft, grantCredit: boolean): CustomerInput {
  const now = fullInput(draft);
  const before = fullInput(saved);
  const patch: CustomerInput = {};
  for (const field of Object.keys(now) as (keyof typeof now)[]) {
    if (field === 'creditLimit' && !grantCredit) continue;
    if (JSON.stringify(now[field]) !== JSON.stringify(before[field]))
      (patch as Record<string, unknown>)[field] = now[field];
  }
  if (draft.active !== saved.active) patch.active = draft.active;
  return patch;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validateAddress(address: AddressDraft, prefix: string, errors: CustomerErrors) {
  if (isBlank(address)) return;
  if (!address.line1.trim()) errors[`${prefix}.line1`] = 'required';
  if (!address.city.trim()) errors[`${prefix}.city`] = 'required';
  if (!/^[A-Za-z]{2}$/.test(address.country.trim())) errors[`${prefix}.country`] = 'country';
}

/** What the form can tell before asking the server, keyed like the server's field paths. */
export function validateCustomer(draft: CustomerDraft, isNew: boolean): CustomerErrors {
  const errors: CustomerErrors = {};
  if (isNew) {
    if (!draft.code.trim()) errors.code = 'required';
    else if (!/^[0-9A-Z][0-9A-Z._-]{0,19}$/.test(draft.code.trim().toUpperCase())) errors.code = 'code';
  }
  if (!draft.name.trim()) errors.name = 'required';
  if (!/^[A-Za-z]{3}$/.test(draft.currency.trim())) errors.currency = 'currency';
  const terms = draft.paymentTermsDays.trim();
  if (!/^\d{1,3}$/.test(terms) || Number(terms) > 365) errors.paymentTermsDays = 'terms';
  if (draft.creditLimit.trim() && !isDecimalText(draft.creditLimit)) errors['creditLimit.amount'] = 'amount';
  if (draft.email.trim() && !EMAIL.test(draft.email.trim())) errors.email = 'email';
  validateAddress(draft.deliveryAddress, 'deliveryAddress', errors);
  validateAddress(draft.billingAddress, 'billingAddress', errors);
  draft.contacts.forEach((contact, index) => {
    if (!contact.name.trim()) errors[`contacts.${index}.name`] = 'required';
    if (contact.email.trim() && !EMAIL.test(contact.email.trim()))
      errors[`contacts.${index}.email`] = 'email';
  });
  return errors;
}
