import type { ColumnType } from 'kysely';
import type { GeneratedTimestamp, Timestamp } from '../db/types.js';

export interface ArchiveRecordsTable {
  tenant_id: string;
  stream: 'events' | 'audit';
  id: string;
  at: Timestamp;
  type: string;
  subject_type: string | null;
  subject_id: string | null;
  data: ColumnType<unknown, string, string>;
  archived_at: GeneratedTimestamp;
}

declare module '../db/schema.js' {
  interface DB {
    archive_records: ArchiveRecordsTable;
  }
}
