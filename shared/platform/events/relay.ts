import { sql } from 'kysely';
import { settings } from '../config.js';
import type { Db } from '../db/database.js';
import { withSystem } from '../db/tenant.js';
import type { EventEnvelope } from './catalog.js';
import type { EventPublisher, OutgoingMessage } from './publisher.js';

export const RELAY_BATCH_SIZE_MAX = 100;
const CLAIM_SECONDS = 30;

interface ClaimedRow {
  id: string;
  tenant_id: string;
  type: string;
  version: number;
  payload: unknown;
  traceparent: string | null;
  tracestate: string | null;
  occurred_at: Date;
}

/**
 * Publishes one batch of unpublished outbox rows, oldest first; returns how many it published.
 *
 * Rows are claimed for a short lease in one transaction, published outside any transaction, and
 * marked published in another. A crash after publishing and before marking republishes the batch
 * once the lease ends: the message id is the event id, so Service Bus duplicate detection and the
 * consumers' inbox drop the copy. Several relays can run at once (SKIP LOCKED, leases).
 */
export async function relayOutboxBatch(
  db: Db,
  publisher: EventPublisher,
  batchSize = RELAY_BATCH_SIZE_MAX,
): Promise<number> {
  const limit = Math.min(batchSize, RELAY_BATCH_SIZE_MAX);
  const claimed = await withSystem(db, async (trx) => {
    const result = await sql<ClaimedRow>`
      update outbox set claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS}), attempts = attempts + 1
      where id in (
        select id from outbox
        where published_at is null and (claimed_until is null or claimed_until < now())
        order by sequence
        limit ${limit}
        for update skip locked)
      returning id, tenant_id, type, version, payload, traceparent, tracestate, occurred_at`.execute(trx);
    return result.rows;
  });
  if (claimed.length === 0) return 0;
  claimed.sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime());

  try {
    await publisher.publish(settings().SERVICEBUS_TOPIC, claimed.map(toMessage));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await withSystem(db, (trx) =>
      trx
        .updateTable('outbox')
        .set({ last_error: message.slice(0, 2000) })
        .where(
          'id',
          'in',
          claimed.map((row) => row.id),
        )
        .execute(),
    );
    throw error;
  }
  await withSystem(db, (trx) =>
    trx
      .updateTable('outbox')
      .set({ published_at: new Date(), claimed_until: null, last_error: null })
      .where(
        'id',
        'in',
        claimed.map((row) => row.id),
      )
      .execute(),
  );
  return claimed.length;
}

/** Publishes until the outbox is empty or `batchesMax` batches went out. */
export async function relayOutbox(db: Db, publisher: EventPublisher, batchesMax = 50): Promise<number> {
  let total = 0;
  for (let i = 0; i < batchesMax; i++) {
    const published = await relayOutboxBatch(db, publisher);
    total += published;
    if (published < RELAY_BATCH_SIZE_MAX) break;
  }
  return total;
}

function toMessage(row: ClaimedRow): OutgoingMessage {
  const envelope: EventEnvelope = {
    id: row.id,
    type: row.type,
    version: row.version,
    tenantId: row.tenant_id,
    occurredAt: row.occurred_at.toISOString(),
    payload: row.payload,
  };
  const applicationProperties: Record<string, string | number> = {
    tenantId: row.tenant_id,
    eventType: row.type,
    eventVersion: row.version,
  };
  if (row.traceparent) applicationProperties.traceparent = row.traceparent;
  if (row.tracestate) applicationProperties.tracestate = row.tracestate;
  return {
    messageId: row.id,
    subject: row.type,
    body: envelope,
    contentType: 'application/json',
    applicationProperties,
  };
}

/** How far behind the relay is: the age of the oldest unpublished event, for the outbox-lag metric. */
export async function outboxLagSeconds(db: Db): Promise<number> {
  const row = await withSystem(db, (trx) =>
    sql<{
      lag: string | null;
    }>`select extract(epoch from now() - min(occurred_at))::text as lag from outbox where published_at is null`.execute(
      trx,
    ),
  );
  return Number(row.rows[0]?.lag ?? 0);
}
