import type { ColumnType, Generated } from 'kysely';
import type { GeneratedTimestamp, Timestamp } from '../../platform/db/types.js';

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** A `jsonb` column: read as parsed JSON, written as its JSON text. */
type Json<T> = ColumnType<T, string | undefined, string>;

export interface NotificationsTable {
  tenant_id: string;
  id: string;
  /** The caller's idempotency key: the same key never makes a second notification for a user. */
  key: string;
  user_id: string;
  template: string;
  title: string;
  body: string;
  link: string | null;
  created_at: GeneratedTimestamp;
  read_at: Timestamp | null;
}

export interface NotificationDeliveriesTable {
  tenant_id: string;
  id: string;
  key: string;
  channel: Generated<'email'>;
  /** The address, lower-cased: one email per key and address. */
  recipient: string;
  recipient_name: string | null;
  user_id: string | null;
  locale: string;
  template: string;
  data: Json<Record<string, unknown>>;
  link: string | null;
  /** Documents to attach, `[{ documentId }]`: their bytes are read at send time, never stored here. */
  attachments: Json<{ documentId: string }[]>;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: GeneratedTimestamp;
  /** While `sending`: when the claim lapses and another worker may take the delivery over. */
  lease_until: Timestamp | null;
  last_error: string | null;
  provider_message_id: string | null;
  sent_at: Timestamp | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface NotificationTables {
  notifications: NotificationsTable;
  notification_deliveries: NotificationDeliveriesTable;
}

declare module '../../platform/db/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends NotificationTables {}
}
