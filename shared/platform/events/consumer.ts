import { app, type FunctionInput, type InvocationContext } from '@azure/functions';
import { settings } from '../config.js';
import { primaryDb, type Tx } from '../db/database.js';
import { withTenant } from '../db/tenant.js';
import { eventDefinition, eventEnvelopeSchema, type EventEnvelope } from './catalog.js';
import { firstDelivery } from './inbox.js';
import { nudgeOutboxRelay } from './relay-trigger.js';

export const SERVICE_BUS_CONNECTION = 'ServiceBusConnection';

export interface ConsumedEvent<P = unknown> extends Omit<EventEnvelope, 'payload'> {
  payload: P;
}

interface ConsumerBase {
  /** The function name, also the inbox's consumer name: never rename a deployed consumer. */
  name: string;
  /** The topic subscription it reads (one per consuming module). */
  subscription: string;
  /** The event types it handles; others on the subscription are acknowledged and ignored. */
  eventTypes: readonly string[];
  extraInputs?: FunctionInput[];
}

export interface TransactionalConsumer extends ConsumerBase {
  /** Runs in the event's tenant transaction, once per event id (the inbox row commits with the effect). */
  handle(event: ConsumedEvent, ctx: { trx: Tx; invocation: InvocationContext }): Promise<void>;
}

export interface NonTransactionalConsumer extends ConsumerBase {
  /**
   * Runs outside any transaction, for effects in other systems (starting a durable flow, sending
   * mail). The handler itself must be idempotent: the same event can arrive more than once.
   */
  handleOutsideTransaction(event: ConsumedEvent, ctx: { invocation: InvocationContext }): Promise<void>;
}

const defined: ConsumerBase[] = [];

/** The consumers registered so far (their names, subscriptions and event types). */
export function definedConsumers(): readonly Readonly<ConsumerBase>[] {
  return defined;
}

/**
 * Registers a Service Bus topic consumer. A message that is not a valid event of the catalog
 * throws, so that it is retried and then dead-lettered where operations can see it. A
 * transactional handler's own events are relayed as soon as its transaction commits.
 */
export function defineConsumer(consumer: TransactionalConsumer | NonTransactionalConsumer): void {
  defined.push(consumer);
  app.serviceBusTopic(consumer.name, {
    connection: SERVICE_BUS_CONNECTION,
    topicName: settings().SERVICEBUS_TOPIC,
    subscriptionName: consumer.subscription,
    extraInputs: consumer.extraInputs,
    handler: async (message: unknown, invocation: InvocationContext) => {
      const event = parseEvent(message);
      if (!consumer.eventTypes.includes(event.type)) return;
      if ('handle' in consumer) {
        const handled = await withTenant(primaryDb(), event.tenantId, async (trx) => {
          if (!(await firstDelivery(trx, event.tenantId, consumer.name, event.id))) return false;
          await consumer.handle(event, { trx, invocation });
          return true;
        });
        // What the handler wrote has committed, its own events included: publish them now.
        if (handled) nudgeOutboxRelay();
      } else {
        await consumer.handleOutsideTransaction(event, { invocation });
      }
    },
  });
}

export function parseEvent(message: unknown): ConsumedEvent {
  const body = typeof message === 'string' ? (JSON.parse(message) as unknown) : message;
  const envelope = eventEnvelopeSchema.parse(body);
  const definition = eventDefinition(envelope.type);
  if (!definition) throw new Error(`Unknown event type ${envelope.type}.`);
  if (definition.version !== envelope.version) {
    throw new Error(
      `Event ${envelope.type} v${envelope.version} is not the catalog's v${definition.version}.`,
    );
  }
  return { ...envelope, payload: definition.schema.parse(envelope.payload) };
}
