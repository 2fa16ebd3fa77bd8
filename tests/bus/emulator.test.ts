import { app, type InvocationContext } from '@azure/functions';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { declareTopology } from '../../shared/platform/events/topology.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { collectingHost, deferred, Emulators, sleep, unique } from './harness.js';

const connection = 'ServiceBusConnection';

let t: TestDatabase;
const emulators = new Emulators();

beforeAll(async () => {
  t = await createTestDatabase();
});
afterEach(async () => emulators.stopAll());
afterAll(async () => t?.close());

interface Delivery {
  body: unknown;
  metadata: Record<string, unknown>;
  traceParent: string | undefined;
  at: number;
}

function record(deliveries: Delivery[], behaviour: (d: Delivery) => unknown = () => undefined) {
  return async (body: unknown, context: InvocationContext): Promise<void> => {
    const delivery: Delivery = {
      body,
      metadata: (context.triggerMetadata ?? {}) as Record<string, unknown>,
      traceParent: context.traceContext?.traceParent ?? undefined,
      at: Date.now(),
    };
    deliveries.push(delivery);
    await behaviour(delivery);
  };
}

async function activeRows(entity: string): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n from devhost.bus_messages where entity = ${entity} and state = 'active'`.execute(
    t.db,
  );
  return result.rows[0]?.n ?? 0;
}

describe('dead-lettering', () => {
  it('dead-letters a message whose handler always throws after exactly maxDeliveryCount deliveries', async () => {
    const topic = unique('orders');
    const { host } = collectingHost();
    const deliveries: Delivery[] = [];
    app.serviceBusTopic(unique('always-throws'), {
      connection,
      topicName: topic,
      subscriptionName: 'billing',
      handler: record(deliveries, () => {
        throw new Error('the ledger is closed');
      }),
    });
    const topology = declareTopology({
      topics: [{ name: topic, subscriptions: [{ name: 'billing', maxDeliveryCount: 4 }] }],
    });
    const bus = emulators.create({ host, db: t.db, topology });
    bus.start();

    await bus.send(topic, [
      {
        messageId: 'm-1',
        body: { orderId: 42 },
        subject: 'sales.OrderPlaced',
        applicationProperties: { tenantId: 't-1' },
      },
    ]);
    await bus.drain(10_000);
    await sleep(150);

    expect(deliveries.map((d) => d.metadata.deliveryCount)).toEqual([1, 2, 3, 4]);
    const dead = await bus.deadLetters(topic, 'billing');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      messageId: 'm-1',
      subscription: 'billing',
      deliveryCount: 4,
      reason: 'MaxDeliveryCountExceeded',
      body: { orderId: 42 },
      applicationProperties: { tenantId: 't-1', DeadLetterReason: 'MaxDeliveryCountExceeded' },
    });
    expect(dead[0]?.description).toContain('the ledger is closed');
    expect(await activeRows(topic)).toBe(0);
    expect(emulators.logs.some((line) => line.includes('dead-lettered'))).toBe(true);
  });

  it('dead-letters a message that expires while its listening receiver waits to deliver it again', async () => {
    const topic = unique('events');
    const { host } = collectingHost();
    const deliveries: Delivery[] = [];
    app.serviceBusTopic(unique('fails-once'), {
      connection,
      topicName: topic,
      subscriptionName: 'slow',
      handler: record(deliveries, () => {
        throw new Error('not yet');
      }),
    });
    const topology = declareTopology({ topics: [{ name: topic, subscriptions: [{ name: 'slow' }] }] });
    const bus = emulators.create({ host, db: t.db, topology, abandonDelayMs: 5_000 });
    bus.start();
    await bus.send(topic, [{ messageId: 'brief', body: 'x', timeToLiveMs: 200 }]);
    // Abandoned after its first delivery, it expires long before it is visible again: the idle
    // receiver dead-letters it itself (nothing here reads the dead letters, which sweeps too).
    const until = Date.now() + 3_000;
    while ((await activeRows(topic)) > 0 && Date.now() < until) await sleep(20);
    expect(await activeRows(topic)).toBe(0);
    expect(deliveries.length).toBeLessThanOrEqual(1);
    expect((await bus.deadLetters(topic, 'slow')).map((d) => d.reason)).toEqual(['TTLExpiredException']);
  });

  it('gives a subscription the topology does not declare the default of 10 deliveries', async () => {
    const topic = unique('events');
    const { host } = collectingHost();
    const deliveries: Delivery[] = [];
    app.serviceBusTopic(unique('fails'), {
      connection,
      topicName: topic,
      subscriptionName: 'undeclared',
      handler: record(deliveries, () => {
        throw new Error('no');
      }),
    });
    const bus = emulators.create({ host, db: t.db, topology: declareTopology({}) });
    bus.start();
    await bus.send(topic, [{ messageId: 'm-1', body: 'x' }]);
    await bus.drain(10_000);
    expect(deliveries).toHaveLength(10);
    expect((await bus.deadLetters(topic, 'undeclared')).map((d) => d.deliveryCount)).toEqual([10]);
  });

  it('dead-letters an expired message (TTLExpiredException), or drops it when the subscription says so', async () => {
    const topic = unique('events');
    const { host } = collectingHost();
    const topology = declareTopology({
      topics: [
        {
          name: topic,
          subscriptions: [{ name: 'keeps' }, { name: 'drops', deadLetteringOnMessageExpiration: false }],
        },
      ],
    });
    const bus = emulators.create({ host, db: t.db, topology });
    bus.start();
    await bus.send(topic, [{ messageId: 'short-lived', body: { n: 1 }, timeToLiveMs: 50 }]);
    expect(await activeRows(topic)).toBe(2);
    await sleep(120);

    const kept = await bus.deadLetters(topic, 'keeps');
    expect(kept).toMatchObject([
      { messageId: 'short-lived', reason: 'TTLExpiredException', deliveryCount: 0 },
    ]);
    expect(await bus.deadLetters(topic, 'drops')).toEqual([]);
    expect(await activeRows(topic)).toBe(0);
  });
});

describe('duplicate detection', () => {
  it('drops a message whose id the topic saw within its window, within a batch and across sends', async () => {
    const topic = unique('events');
    const { host } = collectingHost();
    const deliveries: Delivery[] = [];
    app.serviceBusTopic(unique('consumer'), {
      connection,
      topicName: topic,
      subscriptionName: 'platform',
      handler: record(deliveries),
    });
    const bus = emulators.create({
      host,
      db: t.db,
      topology: declareTopology({ topics: [{ name: topic }] }),
    });
    bus.start();

    await bus.send(topic, [
      { messageId: 'evt-1', body: { v: 'first' } },
      { messageId: 'evt-1', body: { v: 'same batch' } },
    ]);
    await bus.send(topic, [{ messageId: 'evt-1', body: { v: 'resent' } }]);
    await bus.drain(5000);
    expect(deliveries.map((d) => d.body)).toEqual([{ v: 'first' }]);

    // Once the window has passed, the same id is a new message again.
    await sql`update devhost.bus_message_ids set received_at = received_at - interval '11 minutes' where entity = ${topic}`.execute(
      t.db,
    );
    await bus.send(topic, [{ messageId: 'evt-1', body: { v: 'after the window' } }]);
    await bus.drain(5000);
    expect(deliveries.map((d) => d.body)).toEqual([{ v: 'first' }, { v: 'after the window' }]);
  });
});

describe('topics, subscriptions and filters', () => {
  it('fans a message out to every subscription whose subject filter accepts it', async () => {
    const topic = unique('erp-events');
    const { host } = collectingHost();
    const all: Delivery[] = [];
    const sales: Delivery[] = [];
    const stock: Delivery[] = [];
    app.serviceBusTopic(unique('all'), {
      connection,
      topicName: topic,
      subscriptionName: 'audit',
      handler: record(all),
    });
    app.serviceBusTopic(unique('sales'), {
      connection,
      topicName: topic,
      subscriptionName: 'sales',
      handler: record(sales),
    });
    app.serviceBusTopic(unique('stock'), {
      connection,
      topicName: topic,
      subscriptionName: 'inventory',
      handler: record(stock),
    });
    const topology = declareTopology({
      topics: [
        {
          name: topic,
          subscriptions: [
            { name: 'sales', subjects: ['sales.OrderPlaced', 'sales.OrderCancelled'] },
            { name: 'inventory', subjects: ['inventory.StockMoved'] },
          ],
        },
      ],
    });
    const bus = emulators.create({ host, db: t.db, topology });
    bus.start();

    await bus.send(topic, [
      { messageId: 'a', body: { n: 1 }, subject: 'sales.OrderPlaced' },
      { messageId: 'b', body: { n: 2 }, subject: 'inventory.StockMoved' },
      { messageId: 'c', body: { n: 3 } },
    ]);
    await bus.drain(5000);

    expect(all.map((d) => d.metadata.messageId)).toEqual(['a', 'b', 'c']);
    expect(sales.map((d) => d.metadata.messageId)).toEqual(['a']);
    expect(stock.map((d) => d.metadata.messageId)).toEqual(['b']);
    // The copies of one message carry the sequence number the topic gave it.
    expect(sales[0]?.metadata.sequenceNumber).toBe(all[0]?.metadata.sequenceNumber);
    expect(sales[0]?.metadata).toMatchObject({ subject: 'sales.OrderPlaced', label: 'sales.OrderPlaced' });
  });

  it('keeps messages on a declared subscription nobody listens to, for whoever listens later', async () => {
    const topic = unique('erp-events');
    const topology = declareTopology({ topics: [{ name: topic, subscriptions: [{ name: 'reports' }] }] });
    const first = collectingHost();
    const early = emulators.create({ host: first.host, db: t.db, topology });
    early.start();
    await early.send(topic, [{ messageId: 'r-1', body: { report: 'trial-balance' } }]);
    await early.drain(2000);
    expect(await activeRows(topic)).toBe(1);
    await early.stop();

    const second = collectingHost();
    const deliveries: Delivery[] = [];
    app.serviceBusTopic(unique('reporter'), {
      connection,
      topicName: topic,
      subscriptionName: 'reports',
      handler: record(deliveries),
    });
    const later = emulators.create({ host: second.host, db: t.db, topology });
    later.start();
    await later.drain(5000);
    expect(deliveries.map((d) => d.body)).toEqual([{ report: 'trial-balance' }]);
  });

  it('refuses a send to an entity that is neither declared nor listened to', async () => {
    const { host } = collectingHost();
    const bus = emulators.create({ host, db: t.db, topology: declareTopology({}) });
    await expect(bus.send('nowhere', [{ messageId: 'x', body: 1 }])).rejects.toThrow(/could not be found/);
  });

  it('refuses at start a trigger it cannot emulate faithfully, naming the function', async () => {
    const { host } = collectingHost();
    app.serviceBusTopic('session-consumer', {
      connection,
      topicName: 'erp-events',
      subscriptionName: 'sessions',
      isSessionsEnabled: true,
      handler: () => undefined,
    });
    const bus = emulators.create({ host, db: t.db });
    expect(() => bus.start()).toThrow(/session-consumer.*session-enabled/);
  });

  it('does not let a slow handler hold up other subscriptions', async () => {
    const topic = unique('erp-events');
    const { host } = collectingHost();
    const release = deferred();
    const slow: Delivery[] = [];
    const fast: Delivery[] = [];
    app.serviceBusTopic(unique('slow'), {
      connection,
      topicName: topic,
      subscriptionName: 'slow',
      handler: record(slow, () => release.promise),
    });
    app.serviceBusTopic(unique('fast'), {
      connection,
      topicName: topic,
      subscriptionName: 'fast',
      handler: record(fast),
    });
    const bus = emulators.create({
      host,
      db: t.db,
      topology: declareTopology({ topics: [{ name: topic }] }),
    });
    bus.start();
    await bus.send(topic, [
      { messageId: '1', body: 1 },
      { messageId: '2', body: 2 },
    ]);
    await vi.waitFor(() => expect(fast).toHaveLength(2), { timeout: 5000, interval: 10 });
    expect(slow).toHaveLength(1);
    release.resolve();
    await bus.drain(5000);
    expect(slow.map((d) => d.body)).toEqual([1, 2]);
  });
});

describe('handler input', () => {
  it('hands the body and the Service Bus metadata to the handler, and the traceparent as trace context', async () => {
    const queue = unique('jobs');
    const { host } = collectingHost();
    const deliveries: Delivery[] = [];
    app.serviceBusQueue(unique('worker'), { connection, queueName: queue, handler: record(deliveries) });
    const bus = emulators.create({
      host,
      db: t.db,
      topology: declareTopology({ queues: [{ name: queue, defaultMessageTimeToLiveSeconds: 3600 }] }),
    });
    bus.start();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const before = Date.now();
    await bus.send(queue, [
      {
        messageId: 'json',
        body: { amount: '12.50', lines: [1, 2] },
        subject: 'sales.InvoiceRequested',
        contentType: 'application/json',
        correlationId: 'corr-1',
        applicationProperties: { tenantId: 'tenant-a', eventVersion: 1, urgent: true, traceparent },
      },
      { messageId: 'text', body: 'plain words' },
      { messageId: 'json-text', body: '{"a":1}' },
      { messageId: 'bytes', body: Buffer.from([1, 2, 3]) },
    ]);
    await bus.drain(5000);

    expect(deliveries.map((d) => d.body)).toEqual([
      { amount: '12.50', lines: [1, 2] },
      'plain words',
      { a: 1 },
      Buffer.from([1, 2, 3]),
    ]);
    const first = deliveries[0] as Delivery;
    expect(first.traceParent).toBe(traceparent);
    expect(deliveries[1]?.traceParent).toBeUndefined();
    expect(first.metadata).toMatchObject({
      messageId: 'json',
      deliveryCount: 1,
      subject: 'sales.InvoiceRequested',
      label: 'sales.InvoiceRequested',
      contentType: 'application/json',
      correlationId: 'corr-1',
      applicationProperties: { tenantId: 'tenant-a', eventVersion: 1, urgent: true, traceparent },
      userProperties: { tenantId: 'tenant-a', eventVersion: 1, urgent: true, traceparent },
    });
    expect(first.metadata.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof first.metadata.sequenceNumber).toBe('number');
    const enqueued = Date.parse(first.metadata.enqueuedTimeUtc as string);
    expect(enqueued).toBeGreaterThanOrEqual(before - 5);
    expect(Date.parse(first.metadata.expiresAtUtc as string) - enqueued).toBe(3600 * 1000);
    expect(deliveries.map((d) => d.metadata.sequenceNumber as number)).toEqual(
      [...deliveries.map((d) => d.metadata.sequenceNumber as number)].sort((a, b) => a - b),
    );
  });

  it("gives a cardinality 'many' function arrays of bodies and the extension's metadata arrays", async () => {
    const queue = unique('batch');
    const { host } = collectingHost();
    const batches: Delivery[] = [];
    app.serviceBusQueue(unique('batcher'), {
      connection,
      queueName: queue,
      cardinality: 'many',
      handler: record(batches),
    });
    const bus = emulators.create({ host, db: t.db, topology: declareTopology({}), batchSizeMax: 3 });
    await bus.send(
      queue,
      [1, 2, 3, 4, 5].map((n) => ({ messageId: `m-${n}`, body: { n }, subject: `s-${n}` })),
    );
    bus.start();
    await bus.drain(5000);

    expect(batches.map((b) => b.body)).toEqual([
      [{ n: 1 }, { n: 2 }, { n: 3 }],
      [{ n: 4 }, { n: 5 }],
    ]);
    expect(batches[0]?.metadata).toMatchObject({
      messageIdArray: ['m-1', 'm-2', 'm-3'],
      deliveryCountArray: [1, 1, 1],
      subjectArray: ['s-1', 's-2', 's-3'],
      labelArray: ['s-1', 's-2', 's-3'],
    });
    expect(batches[0]?.metadata.lockTokenArray).toHaveLength(3);
    expect(batches[1]?.metadata.enqueuedTimeUtcArray).toHaveLength(2);
  });
});

describe('peek-lock, restarts and scheduling', () => {
  it('delivers a message again when its lock lapses before the handler settles it', async () => {
    const queue = unique('slow');
    const { host } = collectingHost();
    const deliveries: Delivery[] = [];
    app.serviceBusQueue(unique('slow-worker'), {
      connection,
      queueName: queue,
      handler: record(deliveries, (d) => (d.metadata.deliveryCount === 1 ? sleep(400) : undefined)),
    });
    const bus = emulators.create({
      host,
      db: t.db,
      topology: declareTopology({}),
      lockDurationMs: 150,
      maxAutoLockRenewalMs: 0,
    });
    bus.start();
    await bus.send(queue, [{ messageId: 'm', body: 'work' }]);
    await bus.drain(5000);

    expect(deliveries.map((d) => d.metadata.deliveryCount)).toEqual([1, 2]);
    expect(await activeRows(queue)).toBe(0);
    expect(await bus.deadLetters(queue)).toEqual([]);
    expect(
      emulators.logs.some((line) => line.includes('could not complete message m: its lock was lost')),
    ).toBe(true);
  });

  it('renews the lock while a handler runs, so a slow handler is not redelivered', async () => {
    const queue = unique('renewed');
    const { host } = collectingHost();
    const deliveries: Delivery[] = [];
    app.serviceBusQueue(unique('patient'), {
      connection,
      queueName: queue,
      handler: record(deliveries, () => sleep(800)),
    });
    const bus = emulators.create({ host, db: t.db, topology: declareTopology({}), lockDurationMs: 300 });
    bus.start();
    await bus.send(queue, [{ messageId: 'm', body: 'work' }]);
    await bus.drain(5000);
    expect(deliveries.map((d) => d.metadata.deliveryCount)).toEqual([1]);
    expect(await activeRows(queue)).toBe(0);
  });

  it('delivers after a restart what was sent before it, in order', async () => {
    const queue = unique('durable');
    const before = collectingHost();
    const sender = emulators.create({
      host: before.host,
      db: t.db,
      topology: declareTopology({ queues: [{ name: queue }] }),
    });
    await sender.send(queue, [
      { messageId: '1', body: { step: 1 } },
      { messageId: '2', body: { step: 2 } },
      { messageId: '3', body: { step: 3 } },
    ]);

    const after = collectingHost();
    const deliveries: Delivery[] = [];
    app.serviceBusQueue(unique('resumer'), { connection, queueName: queue, handler: record(deliveries) });
    const bus = emulators.create({
      host: after.host,
      db: t.db,
      topology: declareTopology({ queues: [{ name: queue }] }),
    });
    bus.start();
    await bus.drain(5000);
    expect(deliveries.map((d) => d.body)).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }]);
  });

  it('redelivers, from a new emulator, a message whose receiver died holding its lock', async () => {
    const queue = unique('crash');
    const topology = declareTopology({ queues: [{ name: queue }] });
    const stuck = deferred();
    const dying = collectingHost();
    const firstDeliveries: Delivery[] = [];
    app.serviceBusQueue('crash-worker', {
      connection,
      queueName: queue,
      handler: record(firstDeliveries, () => stuck.promise),
    });
    const first = emulators.create({
      host: dying.host,
      db: t.db,
      topology,
      lockDurationMs: 200,
      maxAutoLockRenewalMs: 0,
    });
    first.start();
    await first.send(queue, [{ messageId: 'm', body: 'payload' }]);
    await vi.waitFor(() => expect(firstDeliveries).toHaveLength(1), { timeout: 5000, interval: 10 });

    const restarted = collectingHost();
    const secondDeliveries: Delivery[] = [];
    app.serviceBusQueue('crash-worker', { connection, queueName: queue, handler: record(secondDeliveries) });
    const second = emulators.create({ host: restarted.host, db: t.db, topology, lockDurationMs: 200 });
    second.start();
    await second.drain(5000);
    expect(secondDeliveries.map((d) => d.metadata.deliveryCount)).toEqual([2]);
    expect(secondDeliveries[0]?.metadata.messageId).toBe('m');

    // The first receiver comes back to a message that is gone: its completion is refused.
    stuck.resolve();
    await first.stop();
    expect(emulators.logs.some((line) => line.includes('could not complete message m'))).toBe(true);
    expect(await activeRows(queue)).toBe(0);
  });

  it('holds a scheduled message until its time', async () => {
    const queue = unique('later');
    const { host } = collectingHost();
    const deliveries: Delivery[] = [];
    app.serviceBusQueue(unique('scheduled'), { connection, queueName: queue, handler: record(deliveries) });
    const bus = emulators.create({ host, db: t.db, topology: declareTopology({}), pollIntervalMs: 1000 });
    bus.start();
    const due = new Date(Date.now() + 400);
    await bus.send(queue, [{ messageId: 'reminder', body: { remind: true }, scheduledEnqueueTimeUtc: due }]);
    await bus.drain(2000);
    expect(deliveries).toHaveLength(0);

    await vi.waitFor(() => expect(deliveries).toHaveLength(1), { timeout: 3000, interval: 10 });
    expect(deliveries[0]?.at).toBeGreaterThanOrEqual(due.getTime());
    expect(deliveries[0]?.metadata.enqueuedTimeUtc).toBe(due.toISOString());
  });
});

describe('receiving several messages at once', () => {
  const messages = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ messageId: `m-${i + 1}`, body: { n: i + 1 }, subject: 'x.Y' }));

  it('locks what one receive takes, hands it over in order, and settles a failure on its own', async () => {
    const topic = unique('prefetch');
    const { host } = collectingHost();
    const deliveries: Delivery[] = [];
    const lockedDuringFirst: number[] = [];
    let failedOnce = false;
    app.serviceBusTopic(unique('in-order'), {
      connection,
      topicName: topic,
      subscriptionName: 'all',
      handler: record(deliveries, async (d) => {
        const n = (d.body as { n: number }).n;
        if (n === 1) {
          const locked = await sql<{ n: number }>`select count(*)::int as n from devhost.bus_messages
            where entity = ${topic} and lock_token is not null`.execute(t.db);
          lockedDuringFirst.push(locked.rows[0]?.n ?? 0);
        }
        if (n === 3 && !failedOnce) {
          failedOnce = true;
          throw new Error('not yet');
        }
      }),
    });
    const topology = declareTopology({ topics: [{ name: topic, subscriptions: [{ name: 'all' }] }] });
    const bus = emulators.create({ host, db: t.db, topology, receiveMax: 4, abandonDelayMs: 0 });
    await bus.send(topic, messages(6));
    bus.start();
    await bus.drain(10_000);

    // One receive took four; the fifth and sixth waited for the next.
    expect(lockedDuringFirst).toEqual([4]);
    expect(deliveries.map((d) => [(d.body as { n: number }).n, d.metadata.deliveryCount])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [3, 2],
      [5, 1],
      [6, 1],
    ]);
    expect(await activeRows(topic)).toBe(0);
  });

  it('gives back, uncounted, what it took but had not handed over when it stops', async () => {
    const topic = unique('prefetch-stop');
    const { host } = collectingHost();
    const deliveries: Delivery[] = [];
    const started = deferred();
    const release = deferred();
    app.serviceBusTopic(unique('slow'), {
      connection,
      topicName: topic,
      subscriptionName: 'all',
      handler: record(deliveries, async () => {
        started.resolve();
        await release.promise;
      }),
    });
    const topology = declareTopology({ topics: [{ name: topic, subscriptions: [{ name: 'all' }] }] });
    const bus = emulators.create({ host, db: t.db, topology });
    await bus.send(topic, messages(3));
    bus.start();
    await started.promise;
    const stopped = bus.stop();
    release.resolve();
    await stopped;

    expect(deliveries).toHaveLength(1);
    const left = await sql<{ message_id: string; delivery_count: number; lock_token: string | null }>`
      select message_id, delivery_count, lock_token from devhost.bus_messages
      where entity = ${topic} order by sequence_number`.execute(t.db);
    expect(left.rows).toEqual([
      { message_id: 'm-2', delivery_count: 0, lock_token: null },
      { message_id: 'm-3', delivery_count: 0, lock_token: null },
    ]);
  });
});
