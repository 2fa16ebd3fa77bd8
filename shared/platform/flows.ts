import { randomUUID } from 'node:crypto';
import type { Tx } from './db/database.js';
import { emit } from './events/outbox.js';
import { currentTraceparent, type TraceCarrier } from './telemetry/tracing.js';

/** What every flow receives: the tenant it works for, who started it, and its own arguments. */
export interface FlowInput<A = unknown> {
  tenantId: string;
  startedBy: { objectId: string; name: string };
  requestId?: string;
  /** The trace of the request that asked for the flow; activities continue it. */
  trace?: TraceCarrier;
  args: A;
}

export interface FlowStarter {
  tenantId: string;
  objectId: string;
  name: string;
  requestId?: string;
}

/**
 * Asks for a durable flow to start, in the caller's transaction: the flow's ownership row and a
 * `FlowStartRequested` event commit with the change that asked for it, and the flow starter
 * begins the orchestration once the event is relayed. A retried request (same Idempotency-Key)
 * gets the stored response and never a second flow; a crash after commit still starts the flow.
 *
 * Returns the instance id and the status URL the caller answers 202 with.
 */
export async function requestFlow<A>(
  trx: Tx,
  starter: FlowStarter,
  orchestration: string,
  args: A,
): Promise<{ instanceId: string; location: string }> {
  const instanceId = randomUUID();
  await trx
    .insertInto('flows')
    .values({
      tenant_id: starter.tenantId,
      instance_id: instanceId,
      name: orchestration,
      started_by: starter.objectId,
    })
    .execute();
  const input: FlowInput<A> = {
    tenantId: starter.tenantId,
    startedBy: { objectId: starter.objectId, name: starter.name },
    requestId: starter.requestId,
    trace: currentTraceparent(),
    args,
  };
  await emit(trx, starter.tenantId, 'flowStartRequested', { instanceId, orchestration, input });
  return { instanceId, location: `/api/v1/flows/${instanceId}` };
}

/** The flow if the current tenant started it (row-level security hides every other). */
export async function findFlow(trx: Tx, instanceId: string) {
  return trx
    .selectFrom('flows')
    .select(['instance_id', 'name', 'started_by', 'created_at'])
    .where('instance_id', '=', instanceId)
    .executeTakeFirst();
}
