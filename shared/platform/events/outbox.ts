import { randomUUID } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
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

/**
 * `insert into outbox … select … from <source>`, a part of a data-modifying statement that takes a
 * document number: the row of `outboxRow`, its payload's `number` set from `<source>.number`.
 */
export function insertNumberedOutboxSql(
  row: ReturnType<typeof outboxRow>,
  source: string,
): RawBuilder<unknown> {
  return sql`
    insert into outbox (tenant_id, id, type, version, payload, traceparent, tracestate)
    select ${row.tenant_id}::uuid, ${row.id}::uuid, ${row.type}, ${row.version},
           jsonb_set(${row.payload}::jsonb, '{number}', to_jsonb(${sql.ref(`${source}.number`)})), ${row.traceparent},
           ${row.tracestate}
      from ${sql.table(source)}`;
}
