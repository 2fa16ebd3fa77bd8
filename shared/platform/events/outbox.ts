import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/database.js';
import { currentTraceparent } from '../telemetry/tracing.js';
import { events, type EventKey, type EventPayload } from './catalog.js';

/**
 * Records an event in the outbox, in the caller's transaction: the event is published if and only
 * if the change that caused it commits. The current trace context travels with it.
 */
export async function emit<K extends EventKey>(
  trx: Tx,
  tenantId: string,
  key: K,
  payload: EventPayload<K>,
): Promise<string> {
  const row = outboxRow(tenantId, key, payload);
  await trx.insertInto('outbox').values(row).execute();
  return row.id;
}

/**
 * The outbox row `emit` writes, checked against the event's schema, for a caller that writes it
 * as part of a larger statement.
 */
export function outboxRow<K extends EventKey>(tenantId: string, key: K, payload: EventPayload<K>) {
  const definition = events[key];
  const parsed = definition.schema.parse(payload);
  const trace = currentTraceparent();
  return {
    tenant_id: tenantId,
    id: randomUUID(),
    type: definition.type,
    version: definition.version,
    payload: JSON.stringify(parsed ?? null),
    traceparent: trace.traceparent ?? null,
    tracestate: trace.tracestate ?? null,
  };
}
