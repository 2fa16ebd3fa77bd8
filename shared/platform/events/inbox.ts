import { sql } from 'kysely';
import type { Tx } from '../db/database.js';

/**
 * Records that `consumer` handled `eventId`, in the transaction that carries the effect. Returns
 * false when it was handled before: a redelivered message then changes nothing.
 */
export async function firstDelivery(
  trx: Tx,
  tenantId: string,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  const result = await sql`
    insert into inbox (tenant_id, consumer, event_id) values (${tenantId}, ${consumer}, ${eventId})
    on conflict do nothing`.execute(trx);
  return Number(result.numAffectedRows ?? 0) > 0;
}
