import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, Numeric } from '../../platform/db/types.js';

/** A `date` column: a 'YYYY-MM-DD' string both ways. */
type DateColumn = ColumnType<string, string, string>;
type Json = ColumnType<unknown, string | null, string | null>;
/** A numeric column with a database default. */
type GeneratedNumeric = ColumnType<string, string | undefined, string>;

export type WarehouseKind = 'warehouse' | 'yard' | 'site';
export type ItemKind = 'stock' | 'service';
export type StockDocumentKind = 'receipt' | 'adjustment' | 'transfer' | 'issue';
export type StockMoveKind = 'receipt' | 'issue' | 'adjustment' | 'transfer_out' | 'transfer_in';
export type ReservationStatus = 'active' | 'issued' | 'released';

export interface WarehousesTable {
  tenant_id: string;
  id: string;
  code: string;
  name: string;
  kind: WarehouseKind;
  address: Json | null;
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface ItemsTable {
  tenant_id: string;
  id: string;
  sku: string;
  name: string;
  description: string | null;
  uom: string;
  kind: ItemKind;
  sales_price: Numeric;
  tax_code: string;
  reorder_level: Numeric | null;
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface StockBalancesTable {
  tenant_id: string;
  item_id: string;
  warehouse_id: string;
  on_hand: GeneratedNumeric;
  reserved: GeneratedNumeric;
  value: GeneratedNumeric;
  updated_at: GeneratedTimestamp;
}

export interface StockDocumentsTable {
  tenant_id: string;
  id: string;
  kind: StockDocumentKind;
  number: string | null;
  document_date: DateColumn;
  warehouse_id: string | null;
  to_warehouse_id: string | null;
  reference: string | null;
  reason: string | null;
  source_type: string | null;
  source_id: string | null;
  reference_type: string | null;
  reference_id: string | null;
  total_value: Numeric;
  entry_id: string | null;
  created_by: string;
  request_id: string | null;
  created_at: GeneratedTimestamp;
}

export interface StockDocumentLinesTable {
  tenant_id: string;
  document_id: string;
  line_no: number;
  item_id: string;
  warehouse_id: string;
  reservation_key: string | null;
  quantity: Numeric;
  unit_cost: Numeric;
  value: Numeric;
}

export interface StockMovesTable {
  tenant_id: string;
  id: string;
  sequence: Generated<string>;
  move_date: DateColumn;
  item_id: string;
  warehouse_id: string;
  kind: StockMoveKind;
  quantity: Numeric;
  unit_cost: Numeric;
  value: Numeric;
  source_type: string;
  source_id: string;
  created_at: GeneratedTimestamp;
}

export interface StockReservationsTable {
  tenant_id: string;
  id: string;
  reference_type: string;
  reference_id: string;
  key: string;
  item_id: string;
  warehouse_id: string;
  quantity: Numeric;
  issued: GeneratedNumeric;
  released: GeneratedNumeric;
  status: Generated<ReservationStatus>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface InventoryTables {
  warehouses: WarehousesTable;
  items: ItemsTable;
  stock_balances: StockBalancesTable;
  stock_documents: StockDocumentsTable;
  stock_document_lines: StockDocumentLinesTable;
  stock_moves: StockMovesTable;
  stock_reservations: StockReservationsTable;
}

declare module '../../platform/db/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends InventoryTables {}
}
