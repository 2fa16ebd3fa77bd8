import type { ColumnType, Generated } from 'kysely';

/** A timestamp column: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A `numeric` column: read as its exact decimal string, never as a float. */
export type Numeric = ColumnType<string, string, string>;
type Json = ColumnType<unknown, string, string>;
/** A timestamp the database fills in (`default now()`). */
export type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  entra_tenant_id: string;
  base_currency: string;
  locale: string;
  time_zone: string;
  fiscal_year_start_month: number;
  approval_threshold: Numeric;
  /** Legal name, tax numbers, address, bank details (admin's companyProfileSchema). */
  company_profile: ColumnType<unknown, string | undefined, string>;
  status: Generated<'active' | 'suspended'>;
  version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface UsersTable {
  tenant_id: string;
  id: string;
  object_id: string;
  display_name: string;
  email: string | null;
  roles: ColumnType<string[], string[] | undefined, string[]>;
  /** The most the user may approve, in the base currency; null: no limit. */
  approval_limit: ColumnType<string | null, string | null | undefined, string | null>;
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface AuditLogTable {
  tenant_id: string;
  id: string;
  sequence: Generated<string>;
  occurred_at: GeneratedTimestamp;
  actor_id: string;
  actor_name: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  request_id: string | null;
  details: Json | null;
  /** When the archive copied it (set by the system role only). */
  archived_at: ColumnType<Date | null, never, Date | string>;
}

export interface NumberSeriesTable {
  tenant_id: string;
  code: string;
  prefix: string;
  padding: Generated<number>;
  yearly: Generated<boolean>;
}

export interface NumberCountersTable {
  tenant_id: string;
  code: string;
  year: number;
  last_value: ColumnType<string, string | number, string | number>;
}

export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status_code: number;
  response_headers: Json;
  response_body: string | null;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
}

export interface OutboxTable {
  tenant_id: string;
  id: string;
  sequence: Generated<string>;
  type: string;
  version: number;
  payload: Json;
  traceparent: string | null;
  tracestate: string | null;
  occurred_at: GeneratedTimestamp;
  published_at: Timestamp | null;
  attempts: Generated<number>;
  claimed_until: Timestamp | null;
  last_error: string | null;
  /** When the archive copied it (set by the system role only). */
  archived_at: ColumnType<Date | null, never, Date | string>;
}

export interface InboxTable {
  tenant_id: string;
  consumer: string;
  event_id: string;
  processed_at: GeneratedTimestamp;
}

export interface FlowsTable {
  tenant_id: string;
  instance_id: string;
  name: string;
  started_by: string;
  created_at: GeneratedTimestamp;
}

/**
 * The platform's tables. Modules declare their own table interfaces beside their repositories and
 * the database type is the intersection (see `Database` in ./database.ts).
 */
export interface PlatformTables {
  tenants: TenantsTable;
  users: UsersTable;
  audit_log: AuditLogTable;
  number_series: NumberSeriesTable;
  number_counters: NumberCountersTable;
  idempotency_keys: IdempotencyKeysTable;
  outbox: OutboxTable;
  inbox: InboxTable;
  flows: FlowsTable;
}
