import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, Numeric, Timestamp } from '../../platform/db/types.js';

/** A `date` column: a 'YYYY-MM-DD' string both ways. */
type DateColumn = ColumnType<string, string, string>;
type Json = ColumnType<unknown, string, string>;
/** A `numeric` column with a default: read as its decimal string, optional on insert. */
type GeneratedNumeric = ColumnType<string, string | undefined, string>;

/** Which sub-ledger a document or settlement belongs to, named after its control account's role. */
export type Ledger = 'receivable' | 'payable';
export type PartyKind = 'customer' | 'supplier';
export type DocumentKind = 'invoice' | 'credit_note' | 'bill';
export type DocumentStatus = 'draft' | 'issued' | 'posted';
export type SettlementKind = 'receipt' | 'payment';

export interface PartiesTable {
  tenant_id: string;
  id: string;
  kind: PartyKind;
  code: string;
  name: string;
  tax_number: string | null;
  currency: string;
  payment_terms_days: Generated<number>;
  credit_limit: Numeric | null;
  email: string | null;
  billing_address: Json | null;
  phone: ColumnType<string | null, string | null | undefined, string | null>;
  delivery_address: ColumnType<unknown, string | null | undefined, string | null>;
  contacts: ColumnType<unknown, string | undefined, string>;
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface TradeDocumentsTable {
  tenant_id: string;
  id: string;
  ledger: Ledger;
  kind: DocumentKind;
  status: Generated<DocumentStatus>;
  number: string | null;
  party_id: string | null;
  currency: string;
  issue_date: DateColumn;
  due_date: DateColumn | null;
  reference: string | null;
  memo: string | null;
  corrects_document_id: string | null;
  net: GeneratedNumeric;
  tax: GeneratedNumeric;
  gross: GeneratedNumeric;
  exchange_rate: Numeric | null;
  base_gross: Numeric | null;
  entry_id: string | null;
  settled: GeneratedNumeric;
  base_settled: GeneratedNumeric;
  /** 'infinity' while anything is outstanding; then the date it was settled in full. */
  open_until: ColumnType<string, string | undefined, string>;
  version: Generated<number>;
  created_by: string;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  issued_by: string | null;
  issued_at: Timestamp | null;
}

export interface TradeDocumentLinesTable {
  tenant_id: string;
  document_id: string;
  line_no: number;
  description: string;
  account_id: string;
  quantity: Numeric;
  unit_price: Numeric;
  discount_percent: ColumnType<string, string | undefined, string>;
  net: Numeric;
  tax_code: string;
  tax_rate: Numeric;
}

export interface TradeSettlementsTable {
  tenant_id: string;
  id: string;
  ledger: Ledger;
  kind: SettlementKind;
  status: Generated<'draft' | 'posted'>;
  number: string | null;
  party_id: string | null;
  settlement_date: DateColumn;
  currency: string;
  amount: Numeric;
  bank_account_id: string | null;
  reference: string | null;
  memo: string | null;
  planned_allocations: Json;
  exchange_rate: Numeric | null;
  base_amount: Numeric | null;
  fx_difference: Numeric | null;
  entry_id: string | null;
  version: Generated<number>;
  created_by: string;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  posted_by: string | null;
  posted_at: Timestamp | null;
}

export interface TradeAllocationsTable {
  tenant_id: string;
  id: string;
  ledger: Ledger;
  document_id: string;
  settlement_id: string | null;
  credit_document_id: string | null;
  allocation_date: DateColumn;
  amount: Numeric;
  base_amount: Numeric;
  credit_base_amount: Numeric | null;
  created_at: GeneratedTimestamp;
}

export interface ReceivablesPayablesTables {
  parties: PartiesTable;
  trade_documents: TradeDocumentsTable;
  trade_document_lines: TradeDocumentLinesTable;
  trade_settlements: TradeSettlementsTable;
  trade_allocations: TradeAllocationsTable;
}

declare module '../../platform/db/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends ReceivablesPayablesTables {}
}
