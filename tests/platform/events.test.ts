import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setFunctionsCoreSink } from '../../devhost/functions-core.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { recordAudit } from '../../shared/platform/audit.js';
import { withSystem, withTenant } from '../../shared/platform/db/tenant.js';
import { defineConsumer } from '../../shared/platform/events/consumer.js';
import { emit } from '../../shared/platform/events/outbox.js';
import { startTestDevhost, type Api } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;
const received: { eventId: string; traceParent: string | undefined }[] = [];

// A consumer of its own subscription, recording its effect in the audit log.
setFunctionsCoreSink(devhost.host);
defineConsumer({
  name: 'test-settings-consumer',
  subscription: 'inbox-test',
  eventTypes: ['admin.TenantSettingsChanged'],
  handle: async (event, { trx, invocation }) => {
    received.push({ eventId: event.id, traceParent: invocation.traceContext?.traceParent });
    await recordAudit(
      trx,
      { tenantId: event.tenantId, objectId: 'system:test', name: 'Test consumer' },
      { action: 'test.consumed', entityType: 'event', entityId: event.id },
    );
  },
});
await devhost.bus.stop();
devhost.bus.start();

let admin: Api;
beforeAll(async () => {
  admin = await devhost.as('demo', 'events-admin', ['Admin']);
});

const consumedCount = () =>
  withTenant(devhost.db, demo.id, (trx) =>
    trx.selectFrom('audit_log').select('entity_id').where('action', '=', 'test.consumed').execute(),
  );

it('publishes what a request commits, with its trace, and a redelivered event has no second effect', async () => {
  const tenant = await admin.get('/api/v1/admin/tenant');
  const changed = await admin.patch(
    '/api/v1/admin/tenant',
    { fiscalYearStartMonth: 4 },
    { 'if-match': tenant.headers.get('etag') as string },
  );
  expect(changed.status).toBe(200);
  await devhost.settle();

  const row = await withSystem(devhost.db, (trx) =>
    trx
      .selectFrom('outbox')
      .selectAll()
      .where('type', '=', 'admin.TenantSettingsChanged')
      .orderBy('sequence', 'desc')
      .executeTakeFirstOrThrow(),
  );
  expect(row.published_at).not.toBeNull();
  expect(row.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  expect(await consumedCount()).toEqual([{ entity_id: row.id }]);
  // The consumer ran in the trace of the request that caused the event.
  const delivery = received.find((r) => r.eventId === row.id);
  expect(delivery?.traceParent?.split('-')[1]).toBe(row.traceparent?.split('-')[1]);

  // The same event again, as after a redelivery past the duplicate-detection window.
  const envelope = {
    id: row.id,
    type: row.type,
    version: row.version,
    tenantId: row.tenant_id,
    occurredAt: new Date(row.occurred_at).toISOString(),
    payload: row.payload,
  };
  await devhost.bus.send('erp-events', [
    { messageId: randomUUID(), subject: row.type, body: envelope, contentType: 'application/json' },
  ]);
  // And with the same message id: Service Bus duplicate detection drops it before delivery.
  await devhost.bus.send('erp-events', [
    { messageId: row.id, subject: row.type, body: envelope, contentType: 'application/json' },
  ]);
  await devhost.bus.drain();
  // The inbox recognises the redelivered event: the handler does not run again, nothing changes.
  expect(received.filter((r) => r.eventId === row.id)).toHaveLength(1);
  expect(await consumedCount()).toHaveLength(1);
  expect(await devhost.bus.deadLetters('erp-events', 'inbox-test')).toEqual([]);
});

it('publishes nothing from a transaction that rolls back', async () => {
  const before = await withSystem(devhost.db, (trx) => trx.selectFrom('outbox').select('id').execute());
  await expect(
    withTenant(devhost.db, demo.id, async (trx) => {
      await emit(trx, demo.id, 'tenantSettingsChanged', {
        tenantId: demo.id,
        version: 99,
        changed: ['name'],
      });
      throw new Error('the business change failed');
    }),
  ).rejects.toThrow(/failed/);
  const after = await withSystem(devhost.db, (trx) => trx.selectFrom('outbox').select('id').execute());
  expect(after).toHaveLength(before.length);
});

it('refuses to emit an event whose payload does not match the catalog', async () => {
  await expect(
    withTenant(devhost.db, demo.id, (trx) =>
      emit(trx, demo.id, 'tenantSettingsChanged', {
        tenantId: demo.id,
        version: 'x' as unknown as number,
        changed: [],
      }),
    ),
  ).rejects.toThrow();
});

it('dead-letters a message that is not an event of the catalog', async () => {
  await devhost.bus.send('erp-events', [
    {
      messageId: randomUUID(),
      subject: 'admin.TenantSettingsChanged',
      body: { hello: 'world' },
      contentType: 'application/json',
    },
  ]);
  await devhost.bus.drain();
  const dead = await devhost.bus.deadLetters('erp-events', 'inbox-test');
  expect(dead.some((d) => (d.body as { hello?: string }).hello === 'world')).toBe(true);
});
