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
  const definition = events[key];
  const parsed = definition.schema.parse(payload);
  const trace = currentTraceparent();
  const id = randomUUID();
  await trx
    .insertInto('outbox')
    .values({
      tenant_id: tenantId,
      id,
      type: definition.type,
      version: definition.version,
      payload: JSON.stringify(parsed ?? null),
      traceparent: trace.traceparent ?? null,
      tracestate: trace.tracestate ?? null,
    })
    .execute();
  return id;
}
