import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, Timestamp } from '../../platform/db/types.js';

export type DocumentStatus = 'pending' | 'available' | 'rejected' | 'deleted';

/** A `bigint` column: node-postgres reads it as a string; written as a number. */
type BigIntColumn = ColumnType<string, number, number>;

export interface DocumentsTable {
  tenant_id: string;
  id: string;
  record_type: string;
  record_id: string;
  /** The display name, sanitised: never a path, never used to name the blob. */
  file_name: string;
  /** Detected from the bytes (or given by trusted system code); null until the upload is checked. */
  content_type: string | null;
  /** The size a direct upload announced; null for uploads through the API. */
  declared_size_bytes: BigIntColumn | null;
  size_bytes: BigIntColumn | null;
  sha256: string | null;
  /** Always `{tenant_id}/{id}`. */
  blob_name: string;
  status: Generated<DocumentStatus>;
  /** Why a direct upload was refused. */
  rejection: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  uploaded_by: string;
  uploaded_by_name: string;
  created_at: GeneratedTimestamp;
  available_at: Timestamp | null;
  deleted_at: Timestamp | null;
  deleted_by: string | null;
  version: Generated<number>;
}

export interface DocumentTables {
  documents: DocumentsTable;
}

declare module '../../platform/db/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends DocumentTables {}
}
