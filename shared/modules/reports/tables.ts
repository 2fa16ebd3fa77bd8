import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, Timestamp } from '../../platform/db/types.js';

type Json = ColumnType<unknown, string | undefined, string>;
type DateColumn = ColumnType<string, string, string>;

export interface ReportSchedulesTable {
  tenant_id: string;
  id: string;
  name: string;
  report_type: string;
  parameters: Json;
  formats: ColumnType<string[], string[], string[]>;
  recipients: Json;
  schedule: string;
  time_zone: string;
  locale: string;
  active: Generated<boolean>;
  next_run_at: Timestamp | null;
  last_run_at: Timestamp | null;
  created_by: string;
  version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface ReportRunsTable {
  tenant_id: string;
  id: string;
  schedule_id: string | null;
  due_at: Timestamp | null;
  name: string;
  report_type: string;
  parameters: Json;
  period_from: DateColumn | null;
  period_to: DateColumn;
  formats: ColumnType<string[], string[], string[]>;
  recipients: Json;
  locale: string;
  status: Generated<'queued' | 'running' | 'succeeded' | 'failed'>;
  files: Json;
  row_count: number | null;
  error: string | null;
  instance_id: string | null;
  requested_by: string;
  created_at: GeneratedTimestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface ReportsTables {
  report_schedules: ReportSchedulesTable;
  report_runs: ReportRunsTable;
}

declare module '../../platform/db/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends ReportsTables {}
}
