import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, Numeric, Timestamp } from '../../platform/db/types.js';

/** A `date` column: a 'YYYY-MM-DD' string both ways. */
type DateColumn = ColumnType<string, string, string>;

export type AccountType = 'asset' | 'liability' | 'equity' | 'revenue' | 'expense';
export type AccountRole =
  | 'bank'
  | 'receivable'
  | 'payable'
  | 'inventory'
  | 'grni'
  | 'cost_of_sales'
  | 'stock_adjustment'
  | 'vat_input'
  | 'vat_output'
  | 'retained_earnings'
  | 'fx_gain'
  | 'fx_loss'
  | 'fx_unrealised'
  | 'rounding';

export interface AccountsTable {
  tenant_id: string;
  id: string;
  code: string;
  name: string;
  type: AccountType;
  role: AccountRole | null;
  manual_posting: Generated<boolean>;
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface FiscalYearsTable {
  tenant_id: string;
  id: string;
  name: string;
  start_date: DateColumn;
  end_date: DateColumn;
  status: Generated<'open' | 'closing' | 'closed'>;
  closed_at: Timestamp | null;
}

export interface PeriodsTable {
  tenant_id: string;
  id: string;
  fiscal_year_id: string;
  number: number;
  start_date: DateColumn;
  end_date: DateColumn;
  status: Generated<'open' | 'closed'>;
  closed_at: Timestamp | null;
  closed_by: string | null;
  version: Generated<number>;
}

export interface ExchangeRatesTable {
  tenant_id: string;
  currency: string;
  rate_date: DateColumn;
  rate: Numeric;
  created_at: GeneratedTimestamp;
  created_by: string;
}

export interface TaxCodesTable {
  tenant_id: string;
  code: string;
  name: string;
  kind: 'standard' | 'zero' | 'exempt';
  rate: Numeric;
  active: Generated<boolean>;
}

export interface JournalEntriesTable {
  tenant_id: string;
  id: string;
  number: string;
  entry_date: DateColumn;
  period_id: string;
  memo: string;
  currency: string;
  exchange_rate: Numeric;
  source_type: string | null;
  source_id: string | null;
  reverses_entry_id: string | null;
  posted_by: string;
  posted_at: GeneratedTimestamp;
  request_id: string | null;
}

export interface JournalLinesTable {
  tenant_id: string;
  entry_id: string;
  line_no: number;
  account_id: string;
  entry_date: DateColumn;
  debit: Numeric;
  credit: Numeric;
  base_debit: Numeric;
  base_credit: Numeric;
  memo: string | null;
}

export interface AccountingTables {
  accounts: AccountsTable;
  fiscal_years: FiscalYearsTable;
  periods: PeriodsTable;
  exchange_rates: ExchangeRatesTable;
  tax_codes: TaxCodesTable;
  journal_entries: JournalEntriesTable;
  journal_lines: JournalLinesTable;
}

declare module '../../platform/db/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends AccountingTables {}
}
