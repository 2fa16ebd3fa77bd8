import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, Numeric, Timestamp } from '../../platform/db/types.js';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';

export interface ApprovalRequestsTable {
  tenant_id: string;
  id: string;
  number: string;
  /** What is to be decided, as `<module>.<thing>`: `sales.quote`, `purchasing.order`. */
  subject_type: string;
  subject_id: string;
  subject_number: string | null;
  title: string;
  amount: Numeric;
  currency: string;
  base_amount: Numeric;
  reasons: ColumnType<string[], string[], string[]>;
  details: ColumnType<unknown, string | undefined, string>;
  required_role: string;
  requested_by: string;
  requested_by_name: string;
  flow_instance_id: string | null;
  status: Generated<ApprovalStatus>;
  deadline: ColumnType<Date, Date, Date>;
  escalated_at: Timestamp | null;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: Timestamp | null;
  comment: string | null;
  version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface ApprovalTables {
  approval_requests: ApprovalRequestsTable;
}

declare module '../../platform/db/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends ApprovalTables {}
}
