import { randomUUID } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from './db/database.js';

/** Who did something: a signed-in user, or the system acting for a flow or an event. */
export interface AuditActor {
  tenantId: string;
  /** The user's object id, or `system:<component>`. */
  objectId: string;
  name: string;
  requestId?: string;
}

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string;
  details?: Record<string, unknown>;
}

/**
 * Appends to the audit log in the caller's transaction, so the record exists exactly when the
 * change does. The app role may insert and read audit rows, never change or delete them.
 */
export async function recordAudit(trx: Tx, actor: AuditActor, record: AuditRecord): Promise<void> {
  await trx.insertInto('audit_log').values(auditRow(actor, record)).execute();
}

/** The audit row `recordAudit` writes, for a caller that writes it as part of a larger statement. */
export function auditRow(actor: AuditActor, record: AuditRecord) {
  return {
    tenant_id: actor.tenantId,
    id: randomUUID(),
    actor_id: actor.objectId,
    actor_name: actor.name,
    action: record.action,
    entity_type: record.entityType,
    entity_id: record.entityId,
    request_id: actor.requestId ?? null,
    details: record.details ? JSON.stringify(record.details) : null,
  };
}

/**
 * `insert into audit_log … select … <from>`, a part of a data-modifying statement: the row of
 * `auditRow`, written once for each row `from` yields (none when it yields none).
 */
export function insertAuditSql(
  row: ReturnType<typeof auditRow>,
  from: RawBuilder<unknown>,
  details: RawBuilder<unknown> = sql`${row.details}::jsonb`,
): RawBuilder<unknown> {
  return sql`
    insert into audit_log (tenant_id, id, actor_id, actor_name, action, entity_type, entity_id, request_id, details)
    select ${row.tenant_id}::uuid, ${row.id}::uuid, ${row.actor_id}, ${row.actor_name}, ${row.action},
           ${row.entity_type}, ${row.entity_id}, ${row.request_id}, ${details}
      ${from}`;
}

/**
 * `insertAuditSql` from `<source>`, a part of a data-modifying statement that takes a document
 * number: its details' `field` (`number`) set from `<source>.number`.
 */
export function insertNumberedAuditSql(
  row: ReturnType<typeof auditRow>,
  source: string,
  field = 'number',
): RawBuilder<unknown> {
  return insertAuditSql(
    row,
    sql`from ${sql.table(source)}`,
    sql`jsonb_set(${row.details}::jsonb, ${`{${field}}`}::text[], to_jsonb(${sql.ref(`${source}.number`)}))`,
  );
}
