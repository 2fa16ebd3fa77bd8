import type { useFormat } from '../format/useFormat';
import type { GridColumn } from './ResourceGrid';

/**
 * A column of amounts: sorted by value, shown in the currency for the user's locale, exported as
 * the exact decimal text. An empty amount shows and exports as nothing.
 */
export function amountColumn<T>(
  format: ReturnType<typeof useFormat>,
  options: {
    id: string;
    header: string;
    amount: (row: T) => string | null;
    currency: string | ((row: T) => string);
    width?: number;
  },
): GridColumn<T> {
  const currencyOf = (row: T) =>
    typeof options.currency === 'string' ? options.currency : options.currency(row);
  return {
    id: options.id,
    header: options.header,
    value: (row) => {
      const amount = options.amount(row);
      return amount === null ? null : Number(amount);
    },
    render: (row) => {
      const amount = options.amount(row);
      return amount === null ? '' : format.amount(amount, currencyOf(row));
    },
    exportValue: (row) => options.amount(row) ?? '',
    numeric: true,
    width: options.width ?? 150,
  };
}
