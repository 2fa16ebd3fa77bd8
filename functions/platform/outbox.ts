import { app } from '@azure/functions';
import { primaryDb } from '../../shared/platform/db/database.js';
import { eventPublisher } from '../../shared/platform/events/publisher.js';
import { outboxLagSeconds, relayOutbox } from '../../shared/platform/events/relay.js';
import { withSystem } from '../../shared/platform/db/tenant.js';
import { sql } from 'kysely';
import { recordOutboxLag } from '../../shared/platform/telemetry/metrics.js';

/**
 * The outbox relay's safety net: requests nudge the relay as they commit, and this timer publishes
 * whatever a nudge missed (an instance that stopped first, a publish that failed).
 */
app.timer('platform-outbox-relay', {
  schedule: '*/10 * * * * *',
  handler: async (_timer, context) => {
    const published = await relayOutbox(primaryDb(), await eventPublisher());
    const lag = await outboxLagSeconds(primaryDb());
    recordOutboxLag(lag);
    if (published > 0 || lag > 60)
      context.log(`outbox relay published ${published}; oldest unpublished event is ${lag.toFixed(1)} s old`);
  },
});

/** Expired idempotency keys are deleted hourly, in bounded batches. */
app.timer('platform-idempotency-cleanup', {
  schedule: '0 17 * * * *',
  handler: async (_timer, context) => {
    const deleted = await withSystem(primaryDb(), (trx) =>
      sql`delete from idempotency_keys where ctid in (select ctid from idempotency_keys where expires_at < now() limit 10000)`.execute(
        trx,
      ),
    );
    context.log(`deleted ${String(deleted.numAffectedRows ?? 0)} expired idempotency keys`);
  },
});
