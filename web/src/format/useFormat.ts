import { useMemo } from 'react';
import { useIntl } from 'react-intl';
import type { Money } from '../api/types';

type NumericText = `${number}`;

/**
 * Money, quantities and dates for the user's locale. Amounts are formatted from their decimal
 * strings (Intl formats a numeric string exactly), in the document's own currency.
 */
export function useFormat() {
  const { locale } = useIntl();
  return useMemo(() => {
    const currencyFormats = new Map<string, Intl.NumberFormat>();
    const currency = (code: string) => {
      let format = currencyFormats.get(code);
      if (!format) {
        format = new Intl.NumberFormat(locale, { style: 'currency', currency: code });
        currencyFormats.set(code, format);
      }
      return format;
    };
    const quantity = new Intl.NumberFormat(locale, { maximumFractionDigits: 4 });
    const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    return {
      money: (value: Money | null | undefined) =>
        value ? currency(value.currency).format(value.amount as NumericText) : '',
      amount: (amount: string, code: string) => currency(code).format(amount as NumericText),
      quantity: (value: string) => quantity.format(value as NumericText),
      /** A calendar date (`2026-03-31`), shown as that day wherever the user is. */
      date: (value: string) => date.format(new Date(`${value.slice(0, 10)}T12:00:00`)),
      dateTime: (value: string) => dateTime.format(new Date(value)),
    };
  }, [locale]);
}
