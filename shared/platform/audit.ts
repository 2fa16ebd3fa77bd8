import { randomUUID } from 'node:crypto';
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
