import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { settings } from '../../shared/platform/config.js';
import {
  messagingTopology,
  queueSettings,
  subscriptionAccepts,
  subscriptionSettings,
  topicSettings,
  type DeliverySettings,
  type SubscriptionSettings,
  type Topology,
} from '../../shared/platform/events/topology.js';
import type { FunctionHost, RegisteredFunction } from '../host.js';
import { resolveAppSettings } from './app-settings.js';

/** A message as a sender hands it to Service Bus. */
export interface BusMessage {
  messageId: string;
  body: unknown;
  subject?: string;
  contentType?: string;
  correlationId?: string;
  applicationProperties?: Record<string, string | number | boolean>;
  scheduledEnqueueTimeUtc?: Date;
  timeToLiveMs?: number;
}

/** A message in a dead-letter sub-queue. */
export interface DeadLetteredMessage {
  messageId: string;
  /** The subscription whose dead-letter sub-queue holds it ('' for a queue). */
  subscription: string;
  deliveryCount: number;
  reason: string;
  description: string;
  body: unknown;
  applicationProperties: Record<string, unknown>;
}

export interface BusEmulatorOptions {
  host: FunctionHost;
  // The devhost's tables have no type in the app's schema; the emulator speaks raw SQL.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  /** The declared topics, subscriptions and queues; the app's topology by default. */
  topology?: Topology;
  /** How often an idle subscription looks for work another process may have sent (1 s). */
  pollIntervalMs?: number;
  /** Overrides every entity's lock duration (tests use a fraction of a second). */
  lockDurationMs?: number;
  /** How long an abandoned message waits before its next delivery (250 ms). */
  abandonDelayMs?: number;
  /**
   * How long the lock of a message whose handler is still running is renewed, as the Functions
   * extension's `maxAutoLockRenewalDuration` (5 minutes in host.json); 0 never renews.
   */
  maxAutoLockRenewalMs?: number;
  /** The most messages a `cardinality: 'many'` function receives at once (host.json: 100). */
  batchSizeMax?: number;
  /**
   * The most messages one receive takes for a single-message function, handed over one at a time
   * (host.json's `maxConcurrentCalls`: 16).
   */
  receiveMax?: number;
  /** How long `stop()` waits for running handlers before it gives up on them (30 s). */
  stopTimeoutMs?: number;
  log?: (msg: string) => void;
}

/** Service Bus limits (Standard tier), so that what works here works in Azure. */
const SEND_BATCH_MESSAGES_MAX = 1000;
const MESSAGE_SIZE_BYTES_MAX = 256 * 1024;
const MESSAGE_ID_LENGTH_MAX = 128;
const DESCRIPTION_LENGTH_MAX = 4096;

const POLL_INTERVAL_MS_DEFAULT = 1000;
const ABANDON_DELAY_MS_DEFAULT = 250;
const MAX_AUTO_LOCK_RENEWAL_MS_DEFAULT = 5 * 60_000;
const BATCH_SIZE_MAX_DEFAULT = 100;
const BATCH_SIZE_MAX_LIMIT = 1000;
const RECEIVE_MAX_DEFAULT = 16;
const STOP_TIMEOUT_MS_DEFAULT = 30_000;
/** Rows a single sweep dead-letters or deletes, so that a large backlog is worked off in steps. */
const SWEEP_BATCH_MAX = 1000;
/** Rows per INSERT statement: PostgreSQL takes at most 65,535 parameters in one statement. */
const INSERT_ROWS_MAX = 500;
const DEAD_LETTERS_LIST_MAX = 1000;
/** How often the sweep for subscriptions that nobody listens to runs, and stale message ids go. */
const HOUSEKEEPING_INTERVAL_MS = 5000;
const HOUSEKEEPING_PAIRS_MAX = 1000;
/** A receiver sweeps its subscription at least once per this many deliveries. */
const DELIVERIES_PER_SWEEP = 50;
const DRAIN_POLL_MS = 15;
const DRAIN_WAKE_INTERVAL_MS = 250;
const IDLE_WAIT_MS_MIN = 5;
const LOCK_RENEWAL_INTERVAL_MS_MIN = 20;

const TTL_EXPIRED_REASON = 'TTLExpiredException';
const TTL_EXPIRED_DESCRIPTION = 'The message expired and was dead lettered.';
const MAX_DELIVERY_REASON = 'MaxDeliveryCountExceeded';

/** The namespace the emulated `client` metadata names, so that nothing mistakes it for Azure. */
const EMULATED_NAMESPACE = 'devhost.servicebus.local';

type BodyEncoding = 'text' | 'json' | 'base64';

interface EncodedMessage {
  messageId: string;
  body: string;
  bodyEncoding: BodyEncoding;
  subject: string | null;
  contentType: string | null;
  correlationId: string | null;
  applicationProperties: string;
  scheduledAt: number | undefined;
  timeToLiveMs: number | undefined;
}

interface MessageRow {
  id: string;
  entity: string;
  subscription: string;
  sequence_number: string;
  message_id: string;
  body: string;
  body_encoding: BodyEncoding;
  subject: string | null;
  content_type: string | null;
  correlation_id: string | null;
  application_properties: Record<string, unknown>;
  enqueued_at: Date;
  expires_at: Date;
  delivery_count: number;
  lock_token: string;
  locked_until: Date;
}

interface DeadLetterRow {
  message_id: string;
  subscription: string;
  delivery_count: number;
  dead_letter_reason: string | null;
  dead_letter_description: string | null;
  body: string;
  body_encoding: BodyEncoding;
  application_properties: Record<string, unknown>;
}

/** One subscription (or queue) that registered functions listen to, with its delivery loop. */
interface Receiver {
  label: string;
  entity: string;
  subscription: string;
  settings: DeliverySettings;
  lockMs: number;
  functions: RegisteredFunction[];
  turn: number;
  deliveriesSinceSweep: number;
  /** Set when something may have become deliverable; an idle receiver looks again at once. */
  signalled: boolean;
  wake: (() => void) | undefined;
  loop: Promise<void> | undefined;
}

/** A function's Service Bus trigger, with its app-setting references resolved. */
interface TriggerBinding {
  fn: RegisteredFunction;
  kind: 'topic' | 'queue';
  entity: string;
  subscription: string;
}

/** What the emulator knows about one entity at send time. */
type EntityTarget =
  | { kind: 'topic'; name: string; duplicateWindowMs: number; subscriptions: SubscriptionSettings[] }
  | { kind: 'queue'; name: string; duplicateWindowMs: number; settings: DeliverySettings };

const key = (entity: string, subscription: string): string => `${entity}\u0000${subscription}`;
const describe = (entity: string, subscription: string): string =>
  subscription ? `${entity}/subscriptions/${subscription}` : entity;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, DESCRIPTION_LENGTH_MAX);
}

/**
 * The devhost's Service Bus: topics with subscriptions and queues, held as rows in the database
 * so that a restart loses nothing, delivered to the app's unchanged `app.serviceBusTopic(...)` and
 * `app.serviceBusQueue(...)` registrations with the semantics their handlers rely on:
 *
 * - peek-lock: a delivery locks the message and counts it (`deliveryCount` starts at 1); success
 *   completes it, a throw abandons it, and a lock that lapses (the process died) makes it
 *   deliverable again, counting another delivery. Locks are renewed while a handler runs, up to
 *   `maxAutoLockRenewalMs`, as the Functions extension does.
 * - dead-lettering: a message whose handler fails on its `maxDeliveryCount`-th delivery moves to
 *   the subscription's dead-letter sub-queue with reason `MaxDeliveryCountExceeded` and the error
 *   as description; an expired message moves there with reason `TTLExpiredException`.
 * - duplicate detection by message id per topic or queue within its window: a duplicate send is
 *   dropped silently, as Service Bus does.
 * - scheduled messages, time to live, and subject (correlation) filters on subscriptions.
 *
 * Each subscription has its own delivery loop: a slow handler holds up only its own subscription.
 * Within one, messages go one at a time (one batch for `cardinality: 'many'`), in order; one
 * receive takes up to `receiveMax` of them and completes those handled in one statement.
 *
 * Never holds a transaction open while a handler runs: PGlite has one connection, and handlers
 * use the database themselves.
 */
export class BusEmulator {
  readonly #host: FunctionHost;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly #db: Kysely<any>;
  readonly #topology: Topology;
  readonly #pollIntervalMs: number;
  readonly #lockDurationMs: number | undefined;
  readonly #abandonDelayMs: number;
  readonly #maxAutoLockRenewalMs: number;
  readonly #batchSizeMax: number;
  readonly #receiveMax: number;
  readonly #stopTimeoutMs: number;
  readonly #log: (msg: string) => void;
  readonly #receivers = new Map<string, Receiver>();
  #running = false;
  #inFlight = 0;
  #housekeeping: NodeJS.Timeout | undefined;
  #housekeepingRun: Promise<void> | undefined;

  constructor(options: BusEmulatorOptions) {
    this.#host = options.host;
    this.#db = options.db;
    this.#topology = options.topology ?? messagingTopology(settings().SERVICEBUS_TOPIC);
    this.#pollIntervalMs = bounded(
      'pollIntervalMs',
      options.pollIntervalMs ?? POLL_INTERVAL_MS_DEFAULT,
      1,
      60_000,
    );
    this.#lockDurationMs =
      options.lockDurationMs === undefined
        ? undefined
        : bounded('lockDurationMs', options.lockDurationMs, 10, 300_000);
    this.#abandonDelayMs = bounded(
      'abandonDelayMs',
      options.abandonDelayMs ?? ABANDON_DELAY_MS_DEFAULT,
      0,
      60_000,
    );
    this.#maxAutoLockRenewalMs = bounded(
      'maxAutoLockRenewalMs',
      options.maxAutoLockRenewalMs ?? MAX_AUTO_LOCK_RENEWAL_MS_DEFAULT,
      0,
      3_600_000,
    );
    this.#batchSizeMax = bounded(
      'batchSizeMax',
      options.batchSizeMax ?? BATCH_SIZE_MAX_DEFAULT,
      1,
      BATCH_SIZE_MAX_LIMIT,
    );
    this.#receiveMax = bounded(
      'receiveMax',
      options.receiveMax ?? RECEIVE_MAX_DEFAULT,
      1,
      BATCH_SIZE_MAX_LIMIT,
    );
    this.#stopTimeoutMs = bounded(
      'stopTimeoutMs',
      options.stopTimeoutMs ?? STOP_TIMEOUT_MS_DEFAULT,
      0,
      600_000,
    );
    this.#log = options.log ?? ((msg) => console.log(`[bus] ${msg}`));
  }

  /**
   * Starts a delivery loop for every subscription and queue a registered function listens to.
   * Throws, naming the function, when a trigger cannot be emulated faithfully.
   */
  start(): void {
    if (this.#running) return;
    const bindings = this.#triggerBindings();
    this.#receivers.clear();
    for (const binding of bindings) {
      const k = key(binding.entity, binding.subscription);
      const existing = this.#receivers.get(k);
      if (existing) {
        // Several functions on one subscription compete for its messages, as they would in Azure.
        existing.functions.push(binding.fn);
        continue;
      }
      const delivery = this.#deliverySettings(binding.entity, binding.subscription);
      this.#receivers.set(k, {
        label: describe(binding.entity, binding.subscription),
        entity: binding.entity,
        subscription: binding.subscription,
        settings: delivery,
        lockMs: this.#lockDurationMs ?? delivery.lockDurationSeconds * 1000,
        functions: [binding.fn],
        turn: 0,
        deliveriesSinceSweep: 0,
        signalled: false,
        wake: undefined,
        loop: undefined,
      });
    }
    this.#running = true;
    for (const receiver of this.#receivers.values()) receiver.loop = this.#runReceiver(receiver);
    this.#runHousekeeping();
    this.#housekeeping = setInterval(() => this.#runHousekeeping(), HOUSEKEEPING_INTERVAL_MS);
  }

  /** Stops delivering; waits for running handlers (up to `stopTimeoutMs`) so that they can settle. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearInterval(this.#housekeeping);
    this.#housekeeping = undefined;
    for (const receiver of this.#receivers.values()) signal(receiver);
    const loops = Promise.allSettled([...this.#receivers.values()].map((r) => r.loop));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      loops.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.#stopTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut)
      this.#log(
        `stopped with handlers still running after ${this.#stopTimeoutMs} ms; their messages are redelivered once their locks lapse`,
      );
    await this.#housekeepingRun;
  }

  /**
   * Sends messages to a topic (each goes to every subscription whose filter accepts it) or a
   * queue, atomically. A message whose id the entity saw within its duplicate-detection window is
   * dropped silently. Throws for an entity that is neither declared nor listened to, as Service Bus
   * throws for one that does not exist.
   */
  async send(entity: string, messages: BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (messages.length > SEND_BATCH_MESSAGES_MAX) {
      throw new Error(
        `A send carries at most ${SEND_BATCH_MESSAGES_MAX} messages; this one has ${messages.length}.`,
      );
    }
    const target = this.#entity(entity);
    const encoded = messages.map(encodeMessage);
    // A batch that repeats an id is deduplicated like two sends: the first one wins.
    const unique = new Map<string, EncodedMessage>();
    for (const message of encoded) if (!unique.has(message.messageId)) unique.set(message.messageId, message);

    const now = Date.now();
    // The subscriptions (or the queue, '') that got a copy: only their receivers are woken.
    const reached = new Set<string>();
    await this.#db.transaction().execute(async (trx) => {
      const fresh = await sql<{ message_id: string }>`
        insert into devhost.bus_message_ids (entity, message_id, received_at)
        select ${target.name}, id, ${new Date(now)} from unnest(${[...unique.keys()]}::text[]) as id
        on conflict (entity, message_id) do update set received_at = excluded.received_at
          where devhost.bus_message_ids.received_at <= ${new Date(now - target.duplicateWindowMs)}
        returning message_id`.execute(trx);
      const accepted = new Set(fresh.rows.map((row) => row.message_id));
      const toSend = [...unique.values()].filter((message) => accepted.has(message.messageId));
      if (toSend.length === 0) return;
      const sequence = await sql<{ n: string }>`
        select nextval('devhost.bus_sequence')::text as n from generate_series(1, ${toSend.length})`.execute(
        trx,
      );

      const rows: ReturnType<typeof sql>[] = [];
      toSend.forEach((message, index) => {
        const sequenceNumber = sequence.rows[index]?.n;
        const enqueuedAt = Math.max(now, message.scheduledAt ?? now);
        const copies =
          target.kind === 'queue'
            ? [{ subscription: '', settings: target.settings }]
            : target.subscriptions
                .filter((sub) => subscriptionAccepts(sub, message.subject ?? undefined))
                .map((sub) => ({ subscription: sub.name.toLowerCase(), settings: sub as DeliverySettings }));
        for (const copy of copies) {
          const ttlMs = Math.min(
            message.timeToLiveMs ?? Number.MAX_SAFE_INTEGER,
            copy.settings.defaultMessageTimeToLiveSeconds * 1000,
          );
          reached.add(copy.subscription);
          rows.push(sql`(${target.name}, ${copy.subscription}, ${sequenceNumber}::bigint, ${message.messageId}, ${message.body},
            ${message.bodyEncoding}, ${message.subject}, ${message.contentType}, ${message.correlationId},
            ${message.applicationProperties}::jsonb, ${new Date(enqueuedAt)}, ${new Date(enqueuedAt)}, ${new Date(enqueuedAt + ttlMs)})`);
        }
      });
      for (let i = 0; i < rows.length; i += INSERT_ROWS_MAX) {
        await sql`
          insert into devhost.bus_messages (entity, subscription, sequence_number, message_id, body, body_encoding, subject,
            content_type, correlation_id, application_properties, enqueued_at, visible_at, expires_at)
          values ${sql.join(rows.slice(i, i + INSERT_ROWS_MAX))}`.execute(trx);
      }
    });
    for (const receiver of this.#receivers.values()) {
      if (receiver.entity === target.name && reached.has(receiver.subscription)) signal(receiver);
    }
  }

  /**
   * Resolves when nothing deliverable remains on the subscriptions and queues that functions
   * listen to: no message is due or locked, and none waits for a redelivery. Scheduled messages not
   * yet due do not count. Throws when that does not happen within `timeoutMs`.
   */
  async drain(timeoutMs = 30_000): Promise<void> {
    if (!this.#running) throw new Error('The bus emulator is not running: call start() before drain().');
    const deadline = Date.now() + timeoutMs;
    let nextWake = 0;
    for (;;) {
      // Waking idle receivers now and then picks up what another process sent; waking them on
      // every check would keep them busy and the check waiting.
      if (Date.now() >= nextWake) {
        for (const receiver of this.#receivers.values()) signal(receiver);
        nextWake = Date.now() + DRAIN_WAKE_INTERVAL_MS;
      }
      const pending = await this.#pendingCount();
      if (pending === 0 && this.#inFlight === 0) return;
      if (Date.now() >= deadline) {
        throw new Error(
          `The bus did not drain within ${timeoutMs} ms: ${pending} message(s) still to be delivered, ${this.#inFlight} delivery(ies) running.`,
        );
      }
      await sleep(DRAIN_POLL_MS);
    }
  }

  /**
   * The dead-letter sub-queue of a queue, of one subscription of a topic, or of every subscription
   * of a topic when none is named; oldest first, at most 1,000. Expired messages are swept first,
   * so the answer is current.
   */
  async deadLetters(entity: string, subscription?: string): Promise<DeadLetteredMessage[]> {
    const name = entity.toLowerCase();
    const sub = subscription?.toLowerCase();
    const pairs =
      sub !== undefined
        ? [{ entity: name, subscription: sub }]
        : (
            await sql<{ subscription: string }>`
              select distinct subscription from devhost.bus_messages where entity = ${name} and state = 'active' limit ${HOUSEKEEPING_PAIRS_MAX}`.execute(
              this.#db,
            )
          ).rows.map((row) => ({ entity: name, subscription: row.subscription }));
    for (const pair of pairs)
      await this.#sweep(
        pair.entity,
        pair.subscription,
        this.#deliverySettings(pair.entity, pair.subscription),
        Date.now(),
      );

    const rows = await sql<DeadLetterRow>`
      select message_id, subscription, delivery_count, dead_letter_reason, dead_letter_description, body, body_encoding, application_properties
      from devhost.bus_messages
      where entity = ${name} and state = 'deadlettered' ${sub !== undefined ? sql`and subscription = ${sub}` : sql``}
      order by dead_lettered_at, id
      limit ${DEAD_LETTERS_LIST_MAX}`.execute(this.#db);
    return rows.rows.map((row) => ({
      messageId: row.message_id,
      subscription: row.subscription,
      deliveryCount: row.delivery_count,
      reason: row.dead_letter_reason ?? '',
      description: row.dead_letter_description ?? '',
      body: decodeBody(row.body, row.body_encoding),
      // Service Bus puts the reason and description among the dead-lettered message's properties.
      applicationProperties: {
        ...row.application_properties,
        DeadLetterReason: row.dead_letter_reason ?? '',
        DeadLetterErrorDescription: row.dead_letter_description ?? '',
      },
    }));
  }

  // ---- Entities and settings -------------------------------------------------------------------

  #triggerBindings(): TriggerBinding[] {
    return this.#host.byTrigger('serviceBusTrigger').map((fn): TriggerBinding => {
      const trigger = fn.trigger;
      const what = (property: string) => `Function "${fn.name}": ${property}`;
      if (trigger.isSessionsEnabled === true)
        throw new Error(
          `${what('isSessionsEnabled')}: session-enabled entities are not emulated by the devhost.`,
        );
      if (trigger.autoCompleteMessages === false || trigger.sdkBinding === true) {
        throw new Error(
          `${what('trigger')}: settling messages from the handler (SDK binding, autoCompleteMessages: false) is not emulated by the devhost.`,
        );
      }
      if (typeof trigger.queueName === 'string' && trigger.queueName) {
        return {
          fn,
          kind: 'queue',
          entity: resolveAppSettings(trigger.queueName, what('queueName')).toLowerCase(),
          subscription: '',
        };
      }
      if (
        typeof trigger.topicName === 'string' &&
        trigger.topicName &&
        typeof trigger.subscriptionName === 'string' &&
        trigger.subscriptionName
      ) {
        return {
          fn,
          kind: 'topic',
          entity: resolveAppSettings(trigger.topicName, what('topicName')).toLowerCase(),
          subscription: resolveAppSettings(trigger.subscriptionName, what('subscriptionName')).toLowerCase(),
        };
      }
      throw new Error(
        `${what('trigger')}: a Service Bus trigger needs a queueName, or a topicName and a subscriptionName.`,
      );
    });
  }

  #isTopic(entity: string): boolean {
    return this.#topology.topics.some((t) => t.name.toLowerCase() === entity);
  }

  #deliverySettings(entity: string, subscription: string): DeliverySettings {
    return subscription === ''
      ? queueSettings(this.#topology, entity)
      : subscriptionSettings(this.#topology, entity, subscription);
  }

  /** The topic or queue a send goes to: declared in the topology, or listened to by a function. */
  #entity(entity: string): EntityTarget {
    const name = entity.toLowerCase();
    const bindings = this.#triggerBindings();
    const listenedTopic = bindings.some((b) => b.kind === 'topic' && b.entity === name);
    if (this.#isTopic(name) || listenedTopic) {
      const topic = topicSettings(this.#topology, name);
      const subscriptions = new Map<string, SubscriptionSettings>();
      for (const sub of topic.subscriptions) subscriptions.set(sub.name.toLowerCase(), sub);
      for (const b of bindings) {
        if (b.kind === 'topic' && b.entity === name && !subscriptions.has(b.subscription)) {
          subscriptions.set(b.subscription, subscriptionSettings(this.#topology, name, b.subscription));
        }
      }
      return {
        kind: 'topic',
        name,
        duplicateWindowMs: topic.duplicateDetectionWindowSeconds * 1000,
        subscriptions: [...subscriptions.values()],
      };
    }
    const declaredQueue = this.#topology.queues.some((q) => q.name.toLowerCase() === name);
    if (declaredQueue || bindings.some((b) => b.kind === 'queue' && b.entity === name)) {
      const queue = queueSettings(this.#topology, name);
      return {
        kind: 'queue',
        name,
        duplicateWindowMs: queue.duplicateDetectionWindowSeconds * 1000,
        settings: queue,
      };
    }
    throw new Error(
      `The messaging entity '${entity}' could not be found: declare it in the topology or register a function that listens to it.`,
    );
  }

  // ---- Delivery ---------------------------------------------------------------------------------

  async #runReceiver(receiver: Receiver): Promise<void> {
    while (this.#running) {
      let delivered = false;
      receiver.signalled = false;
      try {
        delivered = await this.#receiveOnce(receiver);
      } catch (error) {
        this.#log(`${receiver.label}: delivery failed in the emulator itself: ${errorText(error)}`);
      }
      if (!delivered && this.#running) await this.#idle(receiver);
    }
  }

  /** Delivers one message (or one batch) if one is due; returns whether there was work. */
  async #receiveOnce(receiver: Receiver): Promise<boolean> {
    if (receiver.deliveriesSinceSweep >= DELIVERIES_PER_SWEEP) {
      receiver.deliveriesSinceSweep = 0;
      await this.#sweep(receiver.entity, receiver.subscription, receiver.settings, Date.now());
    }
    const fn = receiver.functions[receiver.turn++ % receiver.functions.length] as RegisteredFunction;
    const many = String(fn.trigger.cardinality ?? 'one').toLowerCase() === 'many';
    const locked = await this.#lock(receiver, many ? this.#batchSizeMax : this.#receiveMax);
    // Nothing to deliver: what expired or ran out of deliveries is swept when idle finds it due.
    if (locked.length === 0) return false;
    receiver.deliveriesSinceSweep += locked.length;
    this.#inFlight++;
    try {
      if (many) await this.#deliverBatch(receiver, fn, locked);
      else await this.#deliverEach(receiver, fn, locked);
    } finally {
      this.#inFlight--;
    }
    return true;
  }

  async #lock(receiver: Receiver, limit: number): Promise<MessageRow[]> {
    const now = Date.now();
    const result = await sql<MessageRow>`
      update devhost.bus_messages m
      set delivery_count = m.delivery_count + 1, lock_token = gen_random_uuid(), locked_until = ${new Date(now + receiver.lockMs)}
      where m.id in (
        select id from devhost.bus_messages
        where entity = ${receiver.entity} and subscription = ${receiver.subscription} and state = 'active'
          and visible_at <= ${new Date(now)} and expires_at > ${new Date(now)}
          and (locked_until is null or locked_until <= ${new Date(now)})
          and delivery_count < ${receiver.settings.maxDeliveryCount}
        order by sequence_number, id
        limit ${limit}
        for update skip locked)
      returning m.id::text as id, m.entity, m.subscription, m.sequence_number::text as sequence_number, m.message_id, m.body,
        m.body_encoding, m.subject, m.content_type, m.correlation_id, m.application_properties, m.enqueued_at, m.expires_at,
        m.delivery_count, m.lock_token::text as lock_token, m.locked_until`.execute(this.#db);
    return result.rows.sort((a, b) => compareSequence(a, b));
  }

  /** One `cardinality: 'many'` invocation with every message locked, then all settled together. */
  async #deliverBatch(receiver: Receiver, fn: RegisteredFunction, locked: MessageRow[]): Promise<void> {
    const renewal = this.#renewLocks(receiver, locked);
    let outcome: { failed: boolean; failure?: unknown };
    try {
      outcome = await this.#invoke(fn, true, locked);
    } finally {
      await renewal.stop();
    }
    if (outcome.failed) await this.#fail(receiver, fn, locked, outcome.failure);
    else await this.#complete(receiver, locked);
  }

  /**
   * The messages one receive took (up to `maxConcurrentCalls`, as the extension takes them),
   * handed to the function one at a time in order. A failure is settled at once; the successes are
   * completed together after the last one. Messages not yet handed over when the emulator stops go
   * back unlocked, their delivery not counted; one whose lock lapsed while it waited is left to be
   * delivered again.
   */
  async #deliverEach(receiver: Receiver, fn: RegisteredFunction, locked: MessageRow[]): Promise<void> {
    const renewal = this.#renewLocks(receiver, locked);
    const completed: MessageRow[] = [];
    let next = 0;
    try {
      for (; next < locked.length && this.#running; next++) {
        const row = locked[next] as MessageRow;
        if (next > 0 && !renewal.holds()) break;
        const outcome = await this.#invoke(fn, false, [row]);
        if (outcome.failed) await this.#fail(receiver, fn, [row], outcome.failure);
        else completed.push(row);
      }
    } finally {
      await renewal.stop();
      if (completed.length > 0) await this.#complete(receiver, completed);
      if (next < locked.length) await this.#release(locked.slice(next));
    }
  }

  async #invoke(
    fn: RegisteredFunction,
    many: boolean,
    locked: MessageRow[],
  ): Promise<{ failed: boolean; failure?: unknown }> {
    const first = locked[0] as MessageRow;
    const traceParent =
      stringProperty(first.application_properties, 'traceparent') ??
      stringProperty(first.application_properties, 'Diagnostic-Id');
    const traceState = stringProperty(first.application_properties, 'tracestate');
    const input = many
      ? locked.map((row) => decodeBody(row.body, row.body_encoding))
      : decodeBody(first.body, first.body_encoding);
    const triggerMetadata = many ? batchMetadata(fn, locked) : singleMetadata(fn, first);
    try {
      await this.#host.invoke(fn, input, {
        triggerMetadata,
        traceContext: traceParent ? { traceParent, ...(traceState ? { traceState } : {}) } : undefined,
      });
      return { failed: false };
    } catch (error) {
      return { failed: true, failure: error };
    }
  }

  /** Unlocks messages taken but never handed to a function: their delivery does not count. */
  async #release(rows: MessageRow[]): Promise<void> {
    await sql`
      update devhost.bus_messages
      set lock_token = null, locked_until = null, delivery_count = delivery_count - 1
      where (id, lock_token) in (select * from unnest(${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.lock_token)}::uuid[]))
        and locked_until > ${new Date()}`.execute(this.#db);
  }

  /** Renews the locks while the handler runs, as the Functions extension does, within its limit. */
  #renewLocks(receiver: Receiver, locked: MessageRow[]): { stop(): Promise<void>; holds(): boolean } {
    const started = Date.now();
    const ids = locked.map((row) => row.id);
    const tokens = locked.map((row) => row.lock_token);
    // Until when the locks are held, as far as this receiver knows (a renewal extends it).
    let heldUntil = Math.min(...locked.map((row) => row.locked_until.getTime()));
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let pending: Promise<unknown> = Promise.resolve();
    const schedule = (): void => {
      const interval = Math.max(LOCK_RENEWAL_INTERVAL_MS_MIN, Math.floor(receiver.lockMs / 2));
      if (stopped || Date.now() + interval - started >= this.#maxAutoLockRenewalMs) return;
      timer = setTimeout(() => {
        const until = Date.now() + receiver.lockMs;
        pending = sql`
          update devhost.bus_messages set locked_until = ${new Date(until)}
          where (id, lock_token) in (select * from unnest(${ids}::bigint[], ${tokens}::uuid[])) and locked_until > ${new Date()}`
          .execute(this.#db)
          .then(() => {
            heldUntil = until;
          })
          .catch((error: unknown) => this.#log(`${receiver.label}: lock renewal failed: ${errorText(error)}`))
          .finally(schedule);
      }, interval);
    };
    schedule();
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        await pending;
      },
      holds: () => Date.now() < heldUntil,
    };
  }

  async #complete(receiver: Receiver, locked: MessageRow[]): Promise<void> {
    const now = new Date();
    const done = await sql<{ id: string }>`
      delete from devhost.bus_messages
      where (id, lock_token) in (select * from unnest(${locked.map((r) => r.id)}::bigint[], ${locked.map((r) => r.lock_token)}::uuid[]))
        and locked_until > ${now}
      returning id::text as id`.execute(this.#db);
    this.#reportLostLocks(receiver, locked, done.rows, 'complete');
  }

  /**
   * A failed delivery: each message is abandoned for another delivery, or, when this was its last
   * allowed delivery, moved to the dead-letter sub-queue with the error as description.
   */
  async #fail(
    receiver: Receiver,
    fn: RegisteredFunction,
    locked: MessageRow[],
    error: unknown,
  ): Promise<void> {
    const now = Date.now();
    const ids = locked.map((r) => r.id);
    const tokens = locked.map((r) => r.lock_token);
    const description = errorText(error);
    const max = receiver.settings.maxDeliveryCount;
    const deadLettered = await sql<{ id: string; message_id: string; delivery_count: number }>`
      update devhost.bus_messages
      set state = 'deadlettered', dead_letter_reason = ${MAX_DELIVERY_REASON}, dead_letter_description = ${description},
        dead_lettered_at = ${new Date(now)}, lock_token = null, locked_until = null
      where (id, lock_token) in (select * from unnest(${ids}::bigint[], ${tokens}::uuid[]))
        and locked_until > ${new Date(now)} and delivery_count >= ${max}
      returning id::text as id, message_id, delivery_count`.execute(this.#db);
    const abandoned = await sql<{ id: string; message_id: string; delivery_count: number }>`
      update devhost.bus_messages
      set lock_token = null, locked_until = null, visible_at = ${new Date(now + this.#abandonDelayMs)}
      where (id, lock_token) in (select * from unnest(${ids}::bigint[], ${tokens}::uuid[]))
        and locked_until > ${new Date(now)} and delivery_count < ${max}
      returning id::text as id, message_id, delivery_count`.execute(this.#db);
    for (const row of deadLettered.rows) {
      this.#log(
        `${receiver.label}: message ${row.message_id} dead-lettered (${MAX_DELIVERY_REASON}) after ${row.delivery_count} deliveries to ${fn.name}: ${description}`,
      );
    }
    for (const row of abandoned.rows) {
      this.#log(
        `${receiver.label}: ${fn.name} failed on message ${row.message_id} (delivery ${row.delivery_count} of ${max}); abandoned: ${description}`,
      );
    }
    this.#reportLostLocks(receiver, locked, [...deadLettered.rows, ...abandoned.rows], 'settle');
  }

  #reportLostLocks(
    receiver: Receiver,
    locked: MessageRow[],
    settled: { id: string }[],
    action: string,
  ): void {
    if (settled.length === locked.length) return;
    const ok = new Set(settled.map((row) => row.id));
    for (const row of locked) {
      if (!ok.has(row.id)) {
        this.#log(
          `${receiver.label}: could not ${action} message ${row.message_id}: its lock was lost (it lapsed); it will be delivered again`,
        );
      }
    }
  }

  /**
   * Moves what can no longer be delivered to the dead-letter sub-queue: expired messages (or drops
   * them when the entity does not dead-letter on expiration), and messages whose lock lapsed on
   * their last allowed delivery (their receiver died). Returns how many rows it moved.
   */
  async #sweep(
    entity: string,
    subscription: string,
    delivery: DeliverySettings,
    nowMs: number,
  ): Promise<number> {
    const now = new Date(nowMs);
    const expired = sql`
      select id from devhost.bus_messages
      where entity = ${entity} and subscription = ${subscription} and state = 'active' and expires_at <= ${now}
        and (locked_until is null or locked_until <= ${now})
      limit ${SWEEP_BATCH_MAX} for update skip locked`;
    const ttl = delivery.deadLetteringOnMessageExpiration
      ? await sql`
          update devhost.bus_messages
          set state = 'deadlettered', dead_letter_reason = ${TTL_EXPIRED_REASON}, dead_letter_description = ${TTL_EXPIRED_DESCRIPTION},
            dead_lettered_at = ${now}, lock_token = null, locked_until = null
          where id in (${expired})`.execute(this.#db)
      : await sql`delete from devhost.bus_messages where id in (${expired})`.execute(this.#db);
    const exhausted = await sql`
      update devhost.bus_messages
      set state = 'deadlettered', dead_letter_reason = ${MAX_DELIVERY_REASON},
        dead_letter_description = ${`Message could not be consumed after ${delivery.maxDeliveryCount} delivery attempts.`},
        dead_lettered_at = ${now}, lock_token = null, locked_until = null
      where id in (
        select id from devhost.bus_messages
        where entity = ${entity} and subscription = ${subscription} and state = 'active'
          and delivery_count >= ${delivery.maxDeliveryCount} and (locked_until is null or locked_until <= ${now})
        limit ${SWEEP_BATCH_MAX} for update skip locked)`.execute(this.#db);
    return Number(ttl.numAffectedRows ?? 0n) + Number(exhausted.numAffectedRows ?? 0n);
  }

  /** Waits until the receiver's next message is due, a send wakes it, or the poll interval ends. */
  async #idle(receiver: Receiver): Promise<void> {
    let waitMs = this.#pollIntervalMs;
    try {
      const now = new Date();
      const next = await sql<{ due: Date | null }>`
        select min(least(expires_at, greatest(visible_at, coalesce(locked_until, visible_at)))) as due
        from devhost.bus_messages
        where entity = ${receiver.entity} and subscription = ${receiver.subscription} and state = 'active'`.execute(
        this.#db,
      );
      const due = next.rows[0]?.due;
      if (due && due.getTime() <= now.getTime()) {
        // Due already, yet nothing could be locked: expired, or out of deliveries with its lock
        // lapsed (or locked by a receiver of the same subscription just now). Dead-letter what can
        // no longer be delivered, then look again.
        const moved = await this.#sweep(
          receiver.entity,
          receiver.subscription,
          receiver.settings,
          now.getTime(),
        );
        if (moved > 0) return;
      }
      if (due) waitMs = Math.min(waitMs, Math.max(IDLE_WAIT_MS_MIN, due.getTime() - now.getTime()));
    } catch (error) {
      this.#log(`${receiver.label}: could not look for the next due message: ${errorText(error)}`);
    }
    // A send that came while the query ran has already signalled: look again instead of waiting.
    if (!this.#running || receiver.signalled) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      receiver.wake = () => {
        receiver.wake = undefined;
        done();
      };
    });
    receiver.wake = undefined;
  }

  /** Messages still to be delivered on the entities functions listen to. */
  async #pendingCount(): Promise<number> {
    const receivers = [...this.#receivers.values()];
    if (receivers.length === 0) return 0;
    const now = new Date();
    const pairs = sql.join(receivers.map((r) => sql`(${r.entity}, ${r.subscription})`));
    const result = await sql<{ n: number }>`
      select count(*)::int as n from devhost.bus_messages
      where state = 'active' and (entity, subscription) in (${pairs})
        and (delivery_count > 0 or (visible_at <= ${now} and expires_at > ${now}))`.execute(this.#db);
    return result.rows[0]?.n ?? 0;
  }

  /**
   * Sweeps subscriptions nobody listens to (their messages still expire) and forgets message ids
   * older than every duplicate-detection window. Runs on its own; one run at a time.
   */
  #runHousekeeping(): void {
    if (this.#housekeepingRun) return;
    this.#housekeepingRun = (async () => {
      try {
        const pairs = await sql<{ entity: string; subscription: string }>`
          select distinct entity, subscription from devhost.bus_messages where state = 'active' limit ${HOUSEKEEPING_PAIRS_MAX}`.execute(
          this.#db,
        );
        for (const pair of pairs.rows) {
          if (!this.#running) return;
          // Receivers sweep their own subscriptions; entities nobody declares any more get the defaults.
          if (this.#receivers.has(key(pair.entity, pair.subscription))) continue;
          await this.#sweep(
            pair.entity,
            pair.subscription,
            this.#deliverySettings(pair.entity, pair.subscription),
            Date.now(),
          );
        }
        const windowsMs = [
          ...this.#topology.topics.map((t) => t.duplicateDetectionWindowSeconds * 1000),
          ...this.#topology.queues.map((q) => q.duplicateDetectionWindowSeconds * 1000),
          topicSettings(this.#topology, '').duplicateDetectionWindowSeconds * 1000,
        ];
        const cutoff = new Date(Date.now() - Math.max(...windowsMs));
        await sql`
          delete from devhost.bus_message_ids
          where ctid in (select ctid from devhost.bus_message_ids where received_at < ${cutoff} limit ${SWEEP_BATCH_MAX})`.execute(
          this.#db,
        );
      } catch (error) {
        if (this.#running) this.#log(`housekeeping failed: ${errorText(error)}`);
      }
    })().finally(() => {
      this.#housekeepingRun = undefined;
    });
  }
}

/** Tells a receiver that something may have become deliverable, whether it is idle or busy. */
function signal(receiver: Receiver): void {
  receiver.signalled = true;
  receiver.wake?.();
}

function bounded(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max)
    throw new Error(`BusEmulator: ${name} must be from ${min} to ${max}; got ${value}.`);
  return value;
}

function compareSequence(a: MessageRow, b: MessageRow): number {
  const x = BigInt(a.sequence_number);
  const y = BigInt(b.sequence_number);
  if (x !== y) return x < y ? -1 : 1;
  return BigInt(a.id) < BigInt(b.id) ? -1 : 1;
}

function stringProperty(properties: Record<string, unknown>, name: string): string | undefined {
  const value = properties[name];
  return typeof value === 'string' && value ? value : undefined;
}

function encodeMessage(message: BusMessage): EncodedMessage {
  const id = message.messageId;
  if (typeof id !== 'string' || id.length === 0 || id.length > MESSAGE_ID_LENGTH_MAX) {
    throw new Error(
      `A message id must be a string of 1 to ${MESSAGE_ID_LENGTH_MAX} characters; got ${JSON.stringify(id)}.`,
    );
  }
  let body: string;
  let bodyEncoding: BodyEncoding;
  if (typeof message.body === 'string') {
    body = message.body;
    bodyEncoding = 'text';
  } else if (message.body instanceof Uint8Array) {
    body = Buffer.from(message.body).toString('base64');
    bodyEncoding = 'base64';
  } else {
    const json = JSON.stringify(message.body ?? null);
    if (json === undefined) throw new Error(`Message ${id}: the body cannot be serialized.`);
    body = json;
    bodyEncoding = 'json';
  }
  const properties = message.applicationProperties ?? {};
  for (const [name, value] of Object.entries(properties)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new Error(`Message ${id}: application property ${name} must be a string, a number or a boolean.`);
    }
  }
  const applicationProperties = JSON.stringify(properties);
  const size =
    Buffer.byteLength(body) +
    Buffer.byteLength(applicationProperties) +
    Buffer.byteLength(message.subject ?? '') +
    Buffer.byteLength(message.correlationId ?? '');
  if (size > MESSAGE_SIZE_BYTES_MAX)
    throw new Error(`Message ${id} is ${size} bytes; Service Bus takes at most ${MESSAGE_SIZE_BYTES_MAX}.`);
  if (
    message.timeToLiveMs !== undefined &&
    !(Number.isFinite(message.timeToLiveMs) && message.timeToLiveMs > 0)
  ) {
    throw new Error(`Message ${id}: timeToLiveMs must be a positive number.`);
  }
  const scheduledAt = message.scheduledEnqueueTimeUtc?.getTime();
  if (scheduledAt !== undefined && !Number.isFinite(scheduledAt))
    throw new Error(`Message ${id}: scheduledEnqueueTimeUtc is not a valid date.`);
  return {
    messageId: id,
    body,
    bodyEncoding,
    subject: message.subject ?? null,
    contentType: message.contentType ?? null,
    correlationId: message.correlationId ?? null,
    applicationProperties,
    scheduledAt,
    timeToLiveMs: message.timeToLiveMs,
  };
}

/**
 * The body as the Node worker hands it to a handler: JSON when it was sent as a value, bytes as a
 * Buffer, and a string as itself unless it holds a JSON object or array (the host sends such
 * strings as JSON, and the worker parses them).
 */
function decodeBody(body: string, encoding: BodyEncoding): unknown {
  if (encoding === 'json') return JSON.parse(body) as unknown;
  if (encoding === 'base64') return Buffer.from(body, 'base64');
  const trimmed = body.trim();
  if (
    (trimmed.startsWith('{') && trimmed.endsWith('}')) ||
    (trimmed.startsWith('[') && trimmed.endsWith(']'))
  ) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return body;
    }
  }
  return body;
}

/** Metadata every invocation carries: what the Service Bus extension binds besides the message. */
function commonMetadata(fn: RegisteredFunction): Record<string, unknown> {
  return {
    messageReceiver: {},
    messageSession: {},
    messageActions: {},
    sessionActions: {},
    receiveActions: {},
    client: {
      fullyQualifiedNamespace: EMULATED_NAMESPACE,
      isClosed: false,
      transportType: 0,
      identifier: `devhost-${fn.name}`,
    },
    sys: { methodName: fn.name, utcNow: new Date().toISOString(), randGuid: randomUUID() },
  };
}

/**
 * `context.triggerMetadata` for one message, with the names the Service Bus extension binds
 * (camel-cased by the Node library). Times are ISO 8601 strings in UTC.
 */
function singleMetadata(fn: RegisteredFunction, row: MessageRow): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    messageId: row.message_id,
    deliveryCount: row.delivery_count,
    lockToken: row.lock_token,
    sequenceNumber: Number(row.sequence_number),
    enqueuedTimeUtc: row.enqueued_at.toISOString(),
    enqueuedTime: row.enqueued_at.toISOString(),
    expiresAtUtc: row.expires_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    applicationProperties: row.application_properties,
    userProperties: row.application_properties,
    ...commonMetadata(fn),
  };
  if (row.subject !== null) {
    metadata.subject = row.subject;
    metadata.label = row.subject;
  }
  if (row.content_type !== null) metadata.contentType = row.content_type;
  if (row.correlation_id !== null) metadata.correlationId = row.correlation_id;
  return metadata;
}

/** `context.triggerMetadata` for a batch: the extension's parallel `…Array` properties. */
function batchMetadata(fn: RegisteredFunction, rows: MessageRow[]): Record<string, unknown> {
  return {
    messageIdArray: rows.map((r) => r.message_id),
    deliveryCountArray: rows.map((r) => r.delivery_count),
    lockTokenArray: rows.map((r) => r.lock_token),
    sequenceNumberArray: rows.map((r) => Number(r.sequence_number)),
    enqueuedTimeUtcArray: rows.map((r) => r.enqueued_at.toISOString()),
    enqueuedTimeArray: rows.map((r) => r.enqueued_at.toISOString()),
    expiresAtUtcArray: rows.map((r) => r.expires_at.toISOString()),
    expiresAtArray: rows.map((r) => r.expires_at.toISOString()),
    subjectArray: rows.map((r) => r.subject),
    labelArray: rows.map((r) => r.subject),
    contentTypeArray: rows.map((r) => r.content_type),
    correlationIdArray: rows.map((r) => r.correlation_id),
    applicationPropertiesArray: rows.map((r) => r.application_properties),
    userPropertiesArray: rows.map((r) => r.application_properties),
    ...commonMetadata(fn),
  };
}
