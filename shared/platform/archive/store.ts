import type { Page } from '../http/pagination.js';

/**
 * The archive: where published events and audit records are kept for the long run, queried per
 * tenant. Cosmos DB in Azure (`cosmos-store.ts`), the database itself elsewhere
 * (`postgres-store.ts`); both pass the same contract tests (tests/archive).
 */
export type ArchiveStream = 'events' | 'audit';
export const ARCHIVE_STREAMS: readonly ArchiveStream[] = ['events', 'audit'];

export interface ArchiveRecord {
  /** The event id or the audit record id: the record's identity in the archive. */
  id: string;
  tenantId: string;
  /** When it happened, ISO 8601 in UTC with milliseconds. */
  at: string;
  /** The event type (`sales.SalesOrderConfirmed`) or the audit action (`approval.approved`). */
  type: string;
  /** What it is about (an audit record's entity), when known. */
  subjectType: string | null;
  subjectId: string | null;
  data: Record<string, unknown>;
}

export interface ArchiveQuery {
  limit: number;
  cursor?: string;
  type?: string;
  subjectType?: string;
  subjectId?: string;
  /** From this instant (inclusive). */
  from?: string;
  /** Before this instant (exclusive). */
  to?: string;
}

export interface ArchiveStore {
  readonly name: 'postgres' | 'cosmos';
  /** Stores records; a record whose id is stored already is left as it is (idempotent). */
  put(stream: ArchiveStream, records: readonly ArchiveRecord[]): Promise<void>;
  get(stream: ArchiveStream, tenantId: string, id: string): Promise<ArchiveRecord | undefined>;
  /** One tenant's records, newest first, filtered; `nextCursor` continues the same query. */
  list(stream: ArchiveStream, tenantId: string, query: ArchiveQuery): Promise<Page<ArchiveRecord>>;
  close?(): Promise<void>;
}
