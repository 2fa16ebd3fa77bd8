import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { withSystem } from '../db/tenant.js';
import type { ArchiveRecord, ArchiveStore } from './store.js';

/** Rows copied per round trip. */
export const ARCHIVE_BATCH_SIZE = 500;

export interface ShipResult {
  events: number;
  audit: number;
}

interface EventRow {
  id: string;
  tenant_id: string;
  type: string;
  version: number;
  payload: unknown;
  occurred_at: Date;
  published_at: Date;
}

interface AuditRow {
  id: string;
  tenant_id: string;
  sequence: string;
  occurred_at: Date;
  actor_id: string;
  actor_name: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  request_id: string | null;
  details: unknown;
}

const eventRecord = (row: EventRow): ArchiveRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  at: row.occurred_at.toISOString(),
  type: row.type,
  subjectType: null,
  subjectId: null,
  data: { version: row.version, payload: row.payload, publishedAt: row.published_at.toISOString() },
});

const auditRecord = (row: AuditRow): ArchiveRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  at: row.occurred_at.toISOString(),
  type: row.action,
  subjectType: row.entity_type,
  subjectId: row.entity_id,
  data: {
    sequence: row.sequence,
    actorId: row.actor_id,
    actorName: row.actor_name,
    requestId: row.request_id,
    details: row.details,
  },
});

/**
 * Copies what is not archived yet into the archive, oldest first: events once they are published,
 * and audit records. Each batch is read, written to the store (idempotent by id), then marked
 * archived; a crash between the two writes it again, which the store takes as done. No
 * transaction is open while the store is written.
 */
export async function shipToArchive(db: Db, store: ArchiveStore, batchesMax = 20): Promise<ShipResult> {
  const result: ShipResult = { events: 0, audit: 0 };
  for (let i = 0; i < batchesMax; i++) {
    const rows = await withSystem(db, (trx) =>
      sql<EventRow>`
        select id, tenant_id, type, version, payload, occurred_at, published_at from outbox
        where archived_at is null and published_at is not null
        order by sequence limit ${ARCHIVE_BATCH_SIZE}`.execute(trx),
    );
    if (rows.rows.length === 0) break;
    await store.put('events', rows.rows.map(eventRecord));
    await withSystem(db, (trx) =>
      trx
        .updateTable('outbox')
        .set({ archived_at: new Date() })
        .where(
          'id',
          'in',
          rows.rows.map((r) => r.id),
        )
        .execute(),
    );
    result.events += rows.rows.length;
    if (rows.rows.length < ARCHIVE_BATCH_SIZE) break;
  }
  for (let i = 0; i < batchesMax; i++) {
    const rows = await withSystem(db, (trx) =>
      sql<AuditRow>`
        select id, tenant_id, sequence::text as sequence, occurred_at, actor_id, actor_name, action,
               entity_type, entity_id, request_id, details
        from audit_log where archived_at is null
        order by sequence limit ${ARCHIVE_BATCH_SIZE}`.execute(trx),
    );
    if (rows.rows.length === 0) break;
    await store.put('audit', rows.rows.map(auditRecord));
    await withSystem(db, (trx) =>
      trx
        .updateTable('audit_log')
        .set({ archived_at: new Date() })
        .where(
          'id',
          'in',
          rows.rows.map((r) => r.id),
        )
        .execute(),
    );
    result.audit += rows.rows.length;
    if (rows.rows.length < ARCHIVE_BATCH_SIZE) break;
  }
  return result;
}
