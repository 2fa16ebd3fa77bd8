/**
 * One contract for the two event publishers: the devhost's (into its Service Bus emulation) always,
 * and the Azure Service Bus publisher when SERVICEBUS_FQDN names a namespace this machine may use
 * (the pipeline's integration stage, signed in with its identity: it needs to send, and to create
 * and delete a subscription of its own for the test). What the relay hands either of them must
 * arrive the same way: message id, subject, content type, application properties and body intact,
 * a repeated message id dropped, a large batch complete.
 */
import { randomUUID } from 'node:crypto';
import { app, type InvocationContext } from '@azure/functions';
import { DefaultAzureCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPublisher, OutgoingMessage } from '../../shared/platform/events/publisher.js';
import { declareTopology } from '../../shared/platform/events/topology.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { collectingHost, Emulators, sleep, unique } from './harness.js';

interface Received {
  messageId: string;
  subject: string | undefined;
  contentType: string | undefined;
  applicationProperties: Record<string, unknown>;
  body: unknown;
}

interface Bus {
  publisher: EventPublisher;
  topic: string;
  /** Waits for `count` messages (or the timeout), then a little longer for any extra copy. */
  receive(count: number, timeoutMs: number): Promise<Received[]>;
  close(): Promise<void>;
}

async function collect(received: Received[], count: number, timeoutMs: number): Promise<Received[]> {
  const deadline = Date.now() + timeoutMs;
  while (received.length < count && Date.now() < deadline) await sleep(50);
  await sleep(500);
  return received.splice(0, received.length);
}

let t: TestDatabase | undefined;
const emulators = new Emulators();
afterAll(async () => {
  await emulators.stopAll();
  await t?.close();
});

async function emulatedBus(): Promise<Bus> {
  t ??= await createTestDatabase();
  const topic = unique('erp-events');
  const { host } = collectingHost();
  const received: Received[] = [];
  app.serviceBusTopic(unique('contract'), {
    connection: 'ServiceBusConnection',
    topicName: topic,
    subscriptionName: 'contract',
    handler: async (body: unknown, context: InvocationContext) => {
      const m = (context.triggerMetadata ?? {}) as Record<string, unknown>;
      received.push({
        messageId: m.messageId as string,
        subject: m.subject as string | undefined,
        contentType: m.contentType as string | undefined,
        applicationProperties: (m.applicationProperties ?? {}) as Record<string, unknown>,
        body,
      });
    },
  });
  const bus = emulators.create({
    host,
    db: t.db,
    topology: declareTopology({ topics: [{ name: topic, subscriptions: [{ name: 'contract' }] }] }),
  });
  bus.start();
  // The devhost's publisher, as devhost.ts configures it.
  return {
    publisher: { publish: (to, messages) => bus.send(to, messages) },
    topic,
    receive: (count, timeoutMs) => collect(received, count, timeoutMs),
    close: async () => undefined,
  };
}

async function serviceBus(fqdn: string): Promise<Bus> {
  const { ServiceBusAdministrationClient, ServiceBusClient } = await import('@azure/service-bus');
  const { ServiceBusPublisher } = await import('../../shared/platform/events/service-bus-publisher.js');
  const credential = new DefaultAzureCredential();
  const admin = new ServiceBusAdministrationClient(fqdn, credential);
  const topic = process.env.SERVICEBUS_TOPIC ?? 'erp-events';
  const subscription = unique('contract');
  const subjectPrefix = `contract.${randomUUID().slice(0, 8)}`;
  // A subscription of the test's own, filtered to its subjects, removed afterwards (and after an
  // hour idle, should the test die first).
  await admin.createSubscription(topic, subscription, { autoDeleteOnIdle: 'PT1H' });
  await admin.deleteRule(topic, subscription, '$Default');
  await admin.createRule(topic, subscription, 'contract', {
    sqlExpression: `sys.Label LIKE '${subjectPrefix}%'`,
  });
  const client = new ServiceBusClient(fqdn, credential);
  const receiver = client.createReceiver(topic, subscription, { receiveMode: 'receiveAndDelete' });
  const publisher = new ServiceBusPublisher(fqdn);
  const received: Received[] = [];
  receiver.subscribe({
    processMessage: async (m) => {
      received.push({
        messageId: String(m.messageId),
        subject: m.subject,
        contentType: m.contentType,
        applicationProperties: (m.applicationProperties ?? {}) as Record<string, unknown>,
        body: m.body,
      });
    },
    processError: async () => undefined,
  });
  return {
    publisher: {
      publish: (to, messages) =>
        publisher.publish(
          to,
          messages.map((m) => ({ ...m, subject: `${subjectPrefix}.${m.subject}` })),
        ),
    },
    topic,
    receive: async (count, timeoutMs) =>
      (await collect(received, count, timeoutMs)).map((r) => ({
        ...r,
        subject: r.subject?.slice(subjectPrefix.length + 1),
      })),
    close: async () => {
      await receiver.close();
      await client.close();
      await publisher.close();
      await admin.deleteSubscription(topic, subscription);
    },
  };
}

const buses: [string, () => Promise<Bus>][] = [['the devhost emulation', emulatedBus]];
const fqdn = process.env.SERVICEBUS_FQDN;
if (fqdn) buses.push(['Azure Service Bus', () => serviceBus(fqdn)]);
else
  console.log(
    'publisher contract: Azure Service Bus is not run here (set SERVICEBUS_FQDN to run it against a namespace)',
  );

const event = (subject = 'sales.SalesOrderConfirmed'): OutgoingMessage => {
  const id = randomUUID();
  return {
    messageId: id,
    subject,
    contentType: 'application/json',
    applicationProperties: {
      tenantId: '5b0c3f0e-6d1a-4c55-9a37-2f5e8f1d0a01',
      eventType: subject,
      eventVersion: 1,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    },
    body: {
      id,
      type: subject,
      version: 1,
      tenantId: '5b0c3f0e-6d1a-4c55-9a37-2f5e8f1d0a01',
      occurredAt: '2026-11-22T10:00:00.000Z',
      payload: {
        total: { amount: '1234567890123.4567', currency: 'ZAR' },
        customer: 'Ünïcödé Bouw (Edms) Bpk',
      },
    },
  };
};

describe.each(buses)('publishing through %s', (_name, make) => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await make();
  }, 60_000);
  afterAll(() => bus?.close());

  it('delivers each message with its id, subject, content type, properties and body intact', async () => {
    const sent = [event(), event('approvals.ApprovalRequested'), event('inventory.StockLow')];
    await bus.publisher.publish(bus.topic, sent);
    const received = await bus.receive(sent.length, 30_000);
    expect(received.sort((a, b) => a.messageId.localeCompare(b.messageId))).toEqual(
      [...sent]
        .sort((a, b) => a.messageId.localeCompare(b.messageId))
        .map((m) => ({
          messageId: m.messageId,
          subject: m.subject,
          contentType: m.contentType,
          applicationProperties: m.applicationProperties,
          body: m.body,
        })),
    );
  }, 60_000);

  it('drops a message whose id it has seen (duplicate detection), so a republished batch arrives once', async () => {
    const message = event();
    await bus.publisher.publish(bus.topic, [message]);
    await bus.publisher.publish(bus.topic, [message]);
    const received = await bus.receive(2, 3_000);
    expect(received.map((r) => r.messageId)).toEqual([message.messageId]);
  }, 60_000);

  it('delivers a batch larger than one send completely', async () => {
    const sent = Array.from({ length: 300 }, () => event());
    await bus.publisher.publish(bus.topic, sent);
    const received = await bus.receive(sent.length, 60_000);
    expect(new Set(received.map((r) => r.messageId))).toEqual(new Set(sent.map((m) => m.messageId)));
    expect(received).toHaveLength(sent.length);
  }, 120_000);
});
